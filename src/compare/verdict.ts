// From rounds of measurements to ratios, intervals and a verdict. Pure: unit-tested on numbers.
import { hodgesLehmann, spentAlpha, storedBaseInterval } from '../stats/index.js';
import type { CompareMetric, RatioResult, Round, Verdict } from './types.js';

export const CONFIDENCE = 0.95;

export const METHOD = {
  estimate: 'Hodges-Lehmann estimate of the per-round log(head/base), exponentiated',
  interval: 'distribution-free interval from the exact Wilcoxon signed-rank distribution over rounds',
  sequential: 'alpha spending over looks: look k spends 0.05*6/(pi^2 k^2), so all intervals hold together at 95%',
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

/** The ratio of one percentile over the rounds so far, at the level of look `look`. */
export function ratioAt(rounds: readonly Round[], metric: CompareMetric, look: number, threshold: number, storedBase?: number): RatioResult {
  const level = 1 - spentAlpha(1 - CONFIDENCE, look);
  const est = storedBase !== undefined
    ? storedBaseInterval(rounds.map((r) => Math.log(r.head[metric])), Math.log(storedBase), level)
    : hodgesLehmann(rounds.map((r) => Math.log(r.head[metric] / (r.base as NonNullable<Round['base']>)[metric])), level);
  const ci95: [number, number] | null = est.ci ? [Math.exp(est.ci[0]), Math.exp(est.ci[1])] : null;
  return { estimate: Math.exp(est.estimate), ci95, lookLevel: est.ci ? level : null, verdict: judge(ci95, threshold) };
}
