// Latency drift: the p90 the devices see in the field against the p90 CI measured for that
// target on a runner of the same label (carried in the release's evidence). The field p90 comes
// from the windows' mergeable log-bucket histograms, with a 95% interval: the ranks of a
// distribution-free order-statistic interval for the quantile (binomial, normal approximation),
// read off the histogram as the lower edge of the bucket holding the low rank and the upper edge
// of the bucket holding the high one. No CI figure for the label is "not judged", never a pass.
import type { Histogram } from '../fleet-status/index.js';
import type { TelemetryWindow } from './types.js';

const PER_OCTAVE = 8; // the log2-8-us scheme of src/fleet-status
const Z95 = 1.959964;

export interface LatencyRow {
  device: string;
  target: string | null;
  label: string | null;
  requests: number;
  /** The field p90 (ms) and its 95% interval; null without a latency histogram. */
  p90Ms: number | null;
  interval: [number, number] | null;
  ci: { p90Ms: number; label: string } | null;
  judged: boolean;
  reason?: string;
  /** The interval's lower end is above CI's p90 × ratio. */
  drift: boolean;
}

function bucketEdges(i: number): [number, number] {
  return [2 ** ((i - 1) / PER_OCTAVE) / 1000, 2 ** (i / PER_OCTAVE) / 1000];
}

/** The p-quantile of a log-bucket histogram with its 95% order-statistic interval (ms). */
export function quantileInterval(h: Histogram, p: number): { count: number; value: number | null; interval: [number, number] | null } {
  const entries = Object.entries(h.counts).map(([k, c]) => [Number(k), c] as const).filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const n = entries.reduce((s, [, c]) => s + c, 0);
  if (!n) return { count: 0, value: null, interval: null };
  const spread = Z95 * Math.sqrt(n * p * (1 - p));
  const rank = (r: number) => Math.min(n, Math.max(1, r));
  const at = (r: number) => {
    let seen = 0;
    for (const [i, c] of entries) {
      seen += c;
      if (seen >= r) return i;
    }
    return entries[entries.length - 1][0];
  };
  const lo = at(rank(Math.floor(n * p - spread)));
  const hi = at(rank(Math.ceil(n * p + spread) + 1));
  return { count: n, value: bucketEdges(at(rank(Math.ceil(n * p))))[1], interval: [bucketEdges(lo)[0], bucketEdges(hi)[1]] };
}

/** One row per device, target and label: its windows' histograms merged, judged against CI's p90. */
export function latencyDrift(windows: TelemetryWindow[], ratio: number): LatencyRow[] {
  const groups = new Map<string, { w: TelemetryWindow; h: Histogram; requests: number }>();
  for (const w of windows) {
    const key = JSON.stringify([w.device, w.target ?? null, w.label ?? null]);
    const g = groups.get(key) ?? { w, h: { scheme: 'log2-8-us', counts: {} }, requests: 0 };
    for (const [k, c] of Object.entries(w.latencyMs?.histogram?.counts ?? {})) g.h.counts[k] = (g.h.counts[k] ?? 0) + c;
    g.requests += w.requests;
    if (w.ci) g.w = w; // the newest window that names a CI figure
    groups.set(key, g);
  }
  return [...groups.values()].map(({ w, h, requests }) => {
    const q = quantileInterval(h, 0.9);
    const base = { device: w.device, target: w.target ?? null, label: w.label ?? null, requests, p90Ms: q.value, interval: q.interval, ci: w.ci ?? null };
    const not = (reason: string): LatencyRow => ({ ...base, judged: false, reason, drift: false });
    if (!q.interval || q.value === null) return not('the windows carry no latency histogram');
    if (!w.ci) return not('the release carries no CI latency figure (publish with --results)');
    if (!w.label) return not(`the device has no label; CI measured on '${w.ci.label}' (give the agent --label)`);
    if (w.ci.label !== w.label) return not(`no CI figure for this label: CI measured on '${w.ci.label}'`);
    return { ...base, judged: true, drift: q.interval[0] > w.ci.p90Ms * ratio };
  });
}
