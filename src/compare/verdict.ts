// From rounds of measurements to ratios, intervals and a verdict. Pure: unit-tested on numbers.
import { hodgesLehmann, storedBaseInterval } from '../stats/index.js';
import type { CompareMetric, RatioResult, Ratios, Round, Verdict } from './types.js';

export const CONFIDENCE = 0.95;

export const SEQUENTIAL = 'looks planned from the first measurement (at most 6, from --min-rounds about doubling to what the time holds), each at level 1 - 0.05/looks (Bonferroni, a conservative Pocock-type boundary), so all intervals hold together at 95%';

export const METHOD = {
  estimate: 'Hodges-Lehmann estimate of the per-round log(head/base), exponentiated',
  interval: 'distribution-free interval from the Wilcoxon signed-rank distribution over rounds (exact up to 60 rounds, normal approximation above)',
  sequential: SEQUENTIAL,
} as const;

export const PAIRED_METHOD = {
  estimate: 'per process, the median over its pairs of log(head/base) of the batches (their p50, p90 or CPU time per query); the Hodges-Lehmann estimate over processes, exponentiated',
  interval: 'distribution-free interval from the Wilcoxon signed-rank distribution over processes (each loads both models, which one first alternating; the order inside each pair is random)',
  sequential: SEQUENTIAL,
} as const;

export const STORED_METHOD = {
  estimate: 'median over head runs of log(head) minus log(stored base), exponentiated',
  interval: "normal interval with the head's robust run-to-run spread (1.4826 MAD) counted for the single base run too",
  sequential: METHOD.sequential,
} as const;

/**
 * The verdict of one interval against the threshold t: slower only when all of it is above 1 + t,
 * faster when all of it is below 1 - t, unchanged when it lies inside [1 - t, 1 + t].
 */
export function judge(ci: [number, number] | null, threshold: number): Verdict {
  if (!ci) return 'inconclusive';
  const [lo, hi] = ci;
  if (lo > 1 + threshold) return 'slower';
  if (hi < 1 - threshold) return 'faster';
  if (lo >= 1 - threshold && hi <= 1 + threshold) return 'unchanged';
  return 'inconclusive';
}

/** The ratio that decides the verdict (the metric's; a document without it falls back to p50). */
export function decidingRatio(doc: { ratio: Ratios; metric: CompareMetric }): RatioResult {
  return doc.ratio[doc.metric] ?? doc.ratio.p50;
}

/** The confidence level of each of `looks` planned looks, so that all of them hold together at CONFIDENCE. */
export function lookLevel(looks: number): number {
  return 1 - (1 - CONFIDENCE) / Math.max(1, looks);
}

/** The ratio of one percentile over the rounds so far, with an interval at `level`. */
export function ratioAt(rounds: readonly Round[], metric: CompareMetric, level: number, threshold: number, storedBase?: number): RatioResult {
  const est = storedBase !== undefined
    ? storedBaseInterval(rounds.map((r) => Math.log(r.head[metric] ?? Number.NaN)), Math.log(storedBase), level)
    : hodgesLehmann(rounds.map((r) => Math.log((r.head[metric] ?? Number.NaN) / ((r.base as NonNullable<Round['base']>)[metric] ?? Number.NaN))), level);
  const ci95: [number, number] | null = est.ci ? [Math.exp(est.ci[0]), Math.exp(est.ci[1])] : null;
  return { estimate: Math.exp(est.estimate), ci95, lookLevel: est.ci ? level : null, verdict: judge(ci95, threshold) };
}
