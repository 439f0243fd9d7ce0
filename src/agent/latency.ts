// The device's latency judged like CI judged it: the release carries the budgets of edgeml.yml
// that applied to its target (`latency.p90 <= 8ms`, with CI's figure and device label), and the
// health check times the model on the device against them (--max-latency overrides the limit).
// A percentile needs enough inferences to be claimed (MLPerf's early-stopping counts with no
// inference over the limit: 64 for p90, 662 for p99); when the check's time runs out first the
// budget is "not judged", said so, never passed. It fails early once more inferences are over
// the limit than the percentile allows among the runs it needs.
import { deviceLabel } from '../bench/device.js';
import type { Evidence } from '../fleet/index.js';
import type { LatencyVerdict } from './types.js';

export type LatencyKey = LatencyVerdict['key'];

/** Inferences needed before a percentile is claimed on the device. */
export const LATENCY_RUNS: Record<LatencyKey, number> = { 'latency.p50': 20, 'latency.p90': 64, 'latency.p99': 662 };
/** The time the health check spends timing inferences at most. */
export const LATENCY_TIME_MS = 3000;

const P: Record<LatencyKey, number> = { 'latency.p50': 0.5, 'latency.p90': 0.9, 'latency.p99': 0.99 };

export interface LatencyRule {
  key: LatencyKey;
  limitMs: number;
  from: LatencyVerdict['from'];
  ciMs: number | null;
  ciDevice: string | null;
}

/**
 * What the device must meet: the release's budgets; with --max-latency, that limit on the
 * release's percentiles (the median when the release has none).
 */
export function latencyRules(evidence: Evidence | null, maxLatencyMs: number | null): LatencyRule[] {
  const budgets = evidence?.budgets ?? [];
  if (maxLatencyMs === null) return budgets.map((b) => ({ key: b.key, limitMs: b.maxMs, from: 'release', ciMs: b.ciMs, ciDevice: b.device }));
  const keys = budgets.length ? budgets : [{ key: 'latency.p50' as const, ciMs: evidence?.latency?.p50Ms ?? null, device: evidence?.latency?.device ?? null }];
  return keys.map((b) => ({ key: b.key, limitMs: maxLatencyMs, from: '--max-latency', ciMs: b.ciMs, ciDevice: b.device }));
}

const fmt = (ms: number) => `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];

/** Whether a rule is already lost: more runs over its limit than the percentile allows among the runs it needs. */
function lost(r: LatencyRule, times: number[]): boolean {
  const over = times.filter((t) => t > r.limitMs).length;
  return over > Math.floor((1 - P[r.key]) * LATENCY_RUNS[r.key]);
}

/**
 * Times `run` until every rule has the inferences it needs, every rule is lost, or the time is up.
 * `now` is the clock (performance.now).
 */
export async function timeInferences(rules: LatencyRule[], run: (i: number) => Promise<void>, capMs = LATENCY_TIME_MS, now = () => performance.now()): Promise<number[]> {
  const needed = Math.max(...rules.map((r) => LATENCY_RUNS[r.key]));
  const times: number[] = [];
  const start = now();
  while (times.length < needed && now() - start < capMs) {
    const t0 = now();
    await run(times.length);
    times.push(now() - t0);
    if (rules.every((r) => lost(r, times))) break;
  }
  return times;
}

/** Each rule against the timed inferences. */
export function judgeLatency(rules: LatencyRule[], times: number[], device = deviceLabel()): LatencyVerdict[] {
  const sorted = [...times].sort((a, b) => a - b);
  return rules.map((r) => {
    const name = r.key.slice('latency.'.length);
    const needed = LATENCY_RUNS[r.key];
    const budget = r.from === 'release' ? `the release's budget ${r.key} <= ${r.limitMs} ms` : `the --max-latency budget of ${r.limitMs} ms (${name})`;
    const ci = r.ciMs !== null ? ` (CI measured ${fmt(r.ciMs)}${r.ciDevice ? ` on ${r.ciDevice}` : ''})` : '';
    const other = r.ciDevice && r.ciDevice !== device ? `; CI's figure is from ${r.ciDevice}, this device is ${device}` : '';
    const base = { key: r.key, limitMs: r.limitMs, from: r.from, runs: times.length, device, ciDevice: r.ciDevice, ciMs: r.ciMs };
    if (times.length >= needed || lost(r, times)) {
      const measured = percentile(sorted, P[r.key]);
      const over = sorted.filter((t) => t > r.limitMs).length;
      if (times.length < needed || measured > r.limitMs) {
        return { ...base, measuredMs: times.length >= needed ? measured : null, verdict: 'fail',
          note: `${name} latency on this device is over ${budget}: ${over} of ${times.length} inferences took longer${times.length >= needed ? `, ${name} ${fmt(measured)}` : ''}${ci}${other}` };
      }
      return { ...base, measuredMs: measured, verdict: 'pass', note: `${name} ${fmt(measured)} over ${times.length} inferences, within ${budget}${ci}${other}` };
    }
    return { ...base, measuredMs: null, verdict: 'not judged',
      note: `${r.key} was not judged on this device: ${name} needs ${needed} timed inferences, ${times.length} ran in the ${LATENCY_TIME_MS / 1000} s the check allows; ${budget} is unchecked here${ci}${other}` };
  });
}
