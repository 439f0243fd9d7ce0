// A small trend for the PR report: the last N main-branch values of one row, from the same
// device fingerprint only (other hardware is not comparable).
import type { BenchResults } from '../results/index.js';
import { METRICS } from './entry.js';
import type { HistoryEntry } from './types.js';

export interface TrendQuery {
  model: string;
  target: string;
  fingerprint: string;
  metric: string;
  points?: number;
}

export function trend(entries: HistoryEntry[], q: TrendQuery): number[] {
  const metric = METRICS.find((m) => m.key === q.metric);
  if (!metric) return [];
  const values: number[] = [];
  for (const e of entries) {
    if (e.device.fingerprint !== q.fingerprint) continue;
    for (const r of e.results) {
      const v = r.model === q.model && r.target === q.target ? metric.read(r.bench) : null;
      if (v !== null) values.push(v);
    }
  }
  return values.slice(-(q.points ?? 10));
}

/**
 * The last N values of a metric for the same model file, format, execution provider and device
 * fingerprint as `bench` (the row a PR report shows), oldest first.
 */
export function trendOf(entries: HistoryEntry[], bench: BenchResults, metric = 'latency.p90', points = 10): number[] {
  const m = METRICS.find((x) => x.key === metric);
  if (!m) return [];
  const values: number[] = [];
  for (const e of entries) {
    if (e.device.fingerprint !== bench.device.fingerprint) continue;
    for (const r of e.results) {
      const b = r.bench;
      if (b.model.name !== bench.model.name || b.model.format !== bench.model.format || b.runtime.executionProvider !== bench.runtime.executionProvider) continue;
      const v = m.read(b);
      if (v !== null) values.push(v);
    }
  }
  return values.slice(-points);
}

const BARS = '▁▂▃▄▅▆▇█';

/** Unicode sparkline of values (empty for none), scaled between their min and max. */
export function sparkline(values: number[]): string {
  if (!values.length) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.map((v) => BARS[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1)) : 3]).join('');
}
