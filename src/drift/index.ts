// Drift of a deployed model: telemetry windows (histograms a device filled from the requests it
// served) scored against the reference profile signed into the release, and the trigger rule
// that opens the retraining loop. Pure functions over documents.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { Profile } from './profile.js';
import { jensenShannon, ksBinned, psi } from './stats.js';
import { latencyDrift, type LatencyRow } from './latency.js';
import { DEFAULT_WINDOWS_IN_A_ROW } from './settings.js';
import type { DriftSettings, HistogramScore, TelemetryWindow } from './types.js';
import { streakAfter, triggerOf, type Trigger } from './trigger.js';

export type { DriftSettings, HistogramScore, TelemetryWindow } from './types.js';

export * from './profile.js';
export { DRIFT_EVENT, dispatchPayload, streakAfter, triggerKey, triggerOf, type Trigger } from './trigger.js';
export { binOf, jensenShannon, ksBinned, psi, quantileEdges } from './stats.js';

export const DRIFT_DEFAULTS: DriftSettings = { ksAlpha: 0.01, psi: 0.1, jensenShannon: 0.1, windowsInARow: DEFAULT_WINDOWS_IN_A_ROW, minRequests: 30, latencyRatio: 1.2 };

export interface WindowScore {
  device: string;
  start: string;
  end: string;
  requests: number;
  /** false when not judged: see `reason`. */
  judged: boolean;
  reason?: string;
  drift: boolean;
  scores: HistogramScore[];
}

export interface DriftReport {
  model: Profile['model'];
  settings: DriftSettings;
  windows: WindowScore[];
  /** Telemetry lines left out (a last line cut short by a kill while it was written), with where. */
  skipped: Array<{ file: string; line: number; reason: string }>;
  /** Field p90 per device, target and label against CI's p90 on that label. */
  latency: LatencyRow[];
  /** The trigger fired: `windowsInARow` drifted windows in a row on one device. */
  triggered: boolean;
  trigger: Trigger | null;
}

export function scoreWindow(profile: Profile, w: TelemetryWindow, s: DriftSettings): WindowScore {
  const base = { device: w.device, start: w.start, end: w.end, requests: w.requests };
  if (w.sha256 !== profile.model.sha256) {
    return { ...base, judged: false, reason: `the window is of model sha256 ${w.sha256.slice(0, 12)}, the profile of ${profile.model.sha256.slice(0, 12)}`, drift: false, scores: [] };
  }
  if (w.requests < s.minRequests) return { ...base, judged: false, reason: `${w.requests} requests, fewer than ${s.minRequests}`, drift: false, scores: [] };
  const scores: HistogramScore[] = [];
  const missing: string[] = [];
  for (const h of profile.histograms) {
    const counts = w.counts[h.key];
    if (!counts || counts.length !== h.reference.length) {
      missing.push(`${h.key} (${counts ? `${counts.length} bins, the profile has ${h.reference.length}` : 'absent'})`);
      continue;
    }
    const ks = ksBinned(h.reference, counts);
    const p = psi(h.reference, counts);
    const js = jensenShannon(h.reference, counts);
    scores.push({ key: h.key, psi: p, jensenShannon: js, ks, drift: breaches({ psi: p, jensenShannon: js, ks }, s) });
  }
  return judge(base, scores, missing);
}

function breaches(x: Pick<HistogramScore, 'psi' | 'jensenShannon' | 'ks'>, s: DriftSettings): boolean {
  return x.ks.pValue < s.ksAlpha && (x.psi >= s.psi || x.jensenShannon >= s.jensenShannon);
}

/** A drifted histogram is drift; "no drift" needs every histogram of the profile scored. */
function judge(base: Pick<WindowScore, 'device' | 'start' | 'end' | 'requests'>, scores: HistogramScore[], missing: string[]): WindowScore {
  const drift = scores.some((x) => x.drift);
  if (!drift && missing.length) return { ...base, judged: false, reason: `the window lacks histograms of the profile: ${missing.join(', ')}`, drift: false, scores };
  return { ...base, judged: true, drift, scores };
}

/**
 * A window scored on the device (no --reference here): its scores are judged again with these
 * settings; a release without a profile is not judged, never "no drift".
 */
export function scoreOnDevice(w: TelemetryWindow, s: DriftSettings): WindowScore {
  const base = { device: w.device, start: w.start, end: w.end, requests: w.requests };
  if (w.profile === null) return { ...base, judged: false, reason: 'the release carries no reference profile', drift: false, scores: [] };
  const v = w.verdict;
  if (!v || !Array.isArray(v.scores)) return { ...base, judged: false, reason: 'the window carries no verdict of the device; give --reference', drift: false, scores: [] };
  if (w.requests < s.minRequests) return { ...base, judged: false, reason: `${w.requests} requests, fewer than ${s.minRequests}`, drift: false, scores: [] };
  const scores = v.scores.map((x) => ({ ...x, drift: breaches(x, s) }));
  if (!v.judged && !scores.some((x) => x.drift)) return { ...base, judged: false, reason: v.reason ?? 'not judged on the device', drift: false, scores };
  if (!scores.length) return { ...base, judged: false, reason: 'the device scored no histogram', drift: false, scores };
  return judge(base, scores, []);
}

/**
 * Scores every window (in time order per device) and applies the trigger rule. Without a profile
 * each window is judged by the verdict its device made against its release's profile, and a
 * streak is per device and model (a new release starts over).
 */
export function driftReport(profile: Profile | null, windows: TelemetryWindow[], s: DriftSettings = DRIFT_DEFAULTS, skipped: DriftReport['skipped'] = []): DriftReport {
  const sorted = [...windows].sort((a, b) => a.start.localeCompare(b.start) || a.device.localeCompare(b.device));
  const scored = sorted.map((w) => (profile ? scoreWindow(profile, w, s) : scoreOnDevice(w, s)));
  const streak = new Map<string, number>();
  let trigger: DriftReport['trigger'] = null;
  for (const [i, w] of scored.entries()) {
    if (!w.judged) continue;
    const key = `${w.device}|${sorted[i].sha256}`;
    const n = streakAfter(streak.get(key) ?? 0, w);
    streak.set(key, n);
    if (!trigger && n >= s.windowsInARow) trigger = triggerOf(w, n);
  }
  const last = sorted[sorted.length - 1];
  const model = profile?.model ?? { name: last?.model ?? '', sha256: last?.sha256 ?? '' };
  return { model, settings: s, windows: scored, skipped, latency: latencyDrift(sorted, s.latencyRatio), triggered: trigger !== null, trigger };
}

/** Whether a parsed value has a telemetry window's required fields (it may come from any device). */
export function isTelemetryWindow(w: unknown): w is TelemetryWindow {
  const x = w as TelemetryWindow;
  return !!x && typeof x === 'object' && typeof x.sha256 === 'string' && typeof x.device === 'string' && typeof x.start === 'string' && typeof x.end === 'string' &&
    Number.isInteger(x.requests) && !!x.counts && typeof x.counts === 'object' &&
    Object.values(x.counts).every((c) => Array.isArray(c) && c.every((n) => Number.isInteger(n) && n >= 0));
}

/**
 * The served model's windows in the fleet's retained telemetry messages (`serve.windows`, the
 * last ones of each device). A window whose device is not the topic's is a spoofed or
 * misconfigured report: left out and listed, as are unreadable ones.
 */
export function windowsOfMessages(messages: Array<{ topic: string; payload: Buffer | string }>): { windows: TelemetryWindow[]; skipped: DriftReport['skipped'] } {
  const windows: TelemetryWindow[] = [];
  const skipped: DriftReport['skipped'] = [];
  for (const m of messages) {
    const device = m.topic.split('/')[2];
    if (!m.topic.endsWith('/telemetry')) continue;
    let doc: { serve?: { windows?: unknown[] } };
    try {
      doc = JSON.parse(m.payload.toString()) as typeof doc;
    } catch {
      skipped.push({ file: m.topic, line: 0, reason: 'not JSON' });
      continue;
    }
    (doc?.serve?.windows ?? []).forEach((w, i) => {
      if (!isTelemetryWindow(w)) skipped.push({ file: m.topic, line: i + 1, reason: 'not a telemetry window' });
      else if (w.device !== device) skipped.push({ file: m.topic, line: i + 1, reason: `window of device '${w.device.slice(0, 64)}' under ${device}'s topic` });
      else windows.push(w);
    });
  }
  return { windows, skipped };
}

/**
 * Telemetry windows from a folder of JSON-lines files (`*.jsonl`), each line checked. A last line
 * cut short (a kill while it was written) is left out and listed in `skipped`, never silently.
 */
export function readTelemetry(dir: string): { windows: TelemetryWindow[]; skipped: DriftReport['skipped'] } {
  let files: string[];
  try {
    files = statSync(dir).isDirectory() ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : [];
  } catch {
    throw new UserError(`--telemetry ${dir}: no such folder; give the folder 'edgeml serve --telemetry' writes`);
  }
  const out: TelemetryWindow[] = [];
  const skipped: DriftReport['skipped'] = [];
  for (const f of files) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let w: TelemetryWindow;
      try {
        w = JSON.parse(line) as TelemetryWindow;
      } catch {
        // A line cut short by a kill while it was written can only be the last one.
        if (i === lines.length - 1 || (i === lines.length - 2 && lines[lines.length - 1] === '')) {
          skipped.push({ file: join(dir, f), line: i + 1, reason: 'cut short (not JSON): the writer was stopped while writing it' });
          return;
        }
        throw new UserError(`${join(dir, f)}:${i + 1}: not a JSON telemetry window`);
      }
      if (!isTelemetryWindow(w)) throw new UserError(`${join(dir, f)}:${i + 1}: not a telemetry window (sha256, device, start, end, requests and counts are required)`);
      out.push(w);
    });
  }
  if (out.length === 0) throw new UserError(`--telemetry ${dir}: no telemetry windows (*.jsonl) yet; serve requests first`);
  return { windows: out, skipped };
}

export { profileModel } from './make.js';
export { latencyDrift, quantileInterval, type LatencyRow } from './latency.js';
export { DEFAULT_WINDOW_REQUESTS, DRIFT_ISSUE_SETTINGS, DRIFT_SETTINGS, PROFILE_SETTINGS, monitoringSettings, type Monitoring } from './settings.js';
