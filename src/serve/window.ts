// The telemetry window a server fills: each request's latency and, with a reference profile, the
// profile's histograms, for one model and profile at a time. A full window is scored against the
// profile (the device's own verdict), appended as a JSON line and handed to `onWindow`.
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyHistogram, record } from '../fleet-status/index.js';
import { addToCounts, emptyCounts, scoreWindow, type DriftSettings, type Profile, type TelemetryWindow, type Values } from '../drift/index.js';

export type WindowTags = Pick<TelemetryWindow, 'target' | 'label' | 'ci'>;

export interface WindowOptions {
  name: string;
  device: string;
  /** Requests per window. */
  size: number;
  drift: DriftSettings;
  telemetryDir?: string;
  onWindow?: (w: TelemetryWindow) => void;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : 0;
}

/** The sha256 of a profile as its windows name it; a profile is hashed once, not once per window. */
const ids = new WeakMap<Profile, string>();
function profileId(p: Profile): string {
  let id = ids.get(p);
  if (!id) ids.set(p, (id = createHash('sha256').update(JSON.stringify(p)).digest('hex')));
  return id;
}

export class TelemetryWindows {
  private start = new Date().toISOString();
  private at = Date.now();
  private latencies: number[] = [];
  private counts: Record<string, number[]> = {};

  constructor(private readonly o: WindowOptions, private sha256: string, private profile: Profile | null, private tags: WindowTags) {
    this.restart();
  }

  /** Whether the window has requests and its first came `ms` ago or more (an idle server holds no window open). */
  olderThan(ms: number): boolean {
    return this.latencies.length > 0 && Date.now() - this.at >= ms;
  }

  /**
   * One request of model `sha256` (a request of another model, one swapped out, is not counted):
   * its run time and, when the window has a profile, its tensors (made only then). True when the
   * window is full: end it with flush().
   */
  add(sha256: string, ms: number, tensors: () => { inputs: Record<string, Values>; outputs: Record<string, Values> }): boolean {
    if (sha256 !== this.sha256) return false;
    if (this.latencies.length === 0) {
      // A window runs from its first request: its time span is the requests', not the idle time before them.
      this.at = Date.now();
      this.start = new Date(this.at).toISOString();
    }
    this.latencies.push(ms);
    if (this.profile) addToCounts(this.profile, this.counts, tensors());
    return this.latencies.length >= this.o.size;
  }

  /** Ends the window under way (if it has requests) and starts one for `next` when given (a swap). */
  flush(next?: { sha256: string; profile: Profile | null; tags: WindowTags }): void {
    if (this.latencies.length) this.write();
    if (next) ({ sha256: this.sha256, profile: this.profile, tags: this.tags } = next);
    this.restart();
  }

  private restart(): void {
    this.start = new Date().toISOString();
    this.at = Date.now();
    this.latencies = [];
    this.counts = this.profile ? emptyCounts(this.profile) : {};
  }

  private write(): void {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const histogram = emptyHistogram();
    for (const ms of sorted) record(histogram, ms);
    const line: TelemetryWindow = {
      model: this.o.name, sha256: this.sha256, device: this.o.device, start: this.start, end: new Date().toISOString(), requests: sorted.length, counts: this.counts,
      latencyMs: { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), count: sorted.length, histogram },
      profile: this.profile ? profileId(this.profile) : null,
      ...this.tags,
    };
    // The device's own verdict on the window, against the profile it was served with.
    const score = this.profile ? scoreWindow(this.profile, line, this.o.drift) : null;
    line.verdict = score
      ? { judged: score.judged, drift: score.drift, ...(score.reason ? { reason: score.reason } : {}), scores: score.scores }
      : { judged: false, drift: false, reason: 'the release carries no reference profile', scores: [] };
    if (this.o.telemetryDir) appendFileSync(join(this.o.telemetryDir, `${this.o.name}.jsonl`), `${JSON.stringify(line)}\n`);
    this.o.onWindow?.(line);
  }
}
