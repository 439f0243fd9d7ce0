import { binomialCdf, binomialCdfTable } from './binomial.js';
import type { EarlyStopping } from './types.js';

export { binomialCdf } from './binomial.js';
export type { EarlyStopping } from './types.js';

export interface LatencySummary {
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export function sortedCopy(samples: ArrayLike<number>): number[] {
  return Array.from(samples).sort((a, b) => a - b);
}

/**
 * The p-quantile of sorted samples by linear interpolation between order statistics
 * (numpy's default, "type 7"). p in [0, 1].
 */
export function percentile(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = sortedCopy(samples);
  const n = sorted.length;
  let sum = 0;
  for (const x of sorted) sum += x;
  const mean = n ? sum / n : Number.NaN;
  let ss = 0;
  for (const x of sorted) ss += (x - mean) ** 2;
  return {
    mean,
    stddev: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    min: sorted[0] ?? Number.NaN,
    max: sorted[n - 1] ?? Number.NaN,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
  };
}

/**
 * Distribution-free confidence interval for the p-quantile: a pair of order statistics
 * [X(l), X(u)] with P(X(l) <= q_p <= X(u)) >= confidence, from the binomial distribution of
 * the number of samples below q_p. Assumes only independent samples from one continuous
 * distribution. Returns null when there are too few samples for an interval at that level
 * (e.g. fewer than 36 for p90 at 95%, 299 for p99).
 */
export function quantileCI(
  sorted: readonly number[],
  p: number,
  confidence = 0.95,
): { lo: number; hi: number; coverage: number } | null {
  const n = sorted.length;
  if (n === 0) return null;
  const alpha = (1 - confidence) / 2;
  const cdf = binomialCdfTable(n, p);
  // Lower order statistic l (1-based): the largest with P(B <= l-1) <= alpha.
  let l = 0;
  while (l < n && cdf[l] <= alpha) l++;
  // Upper order statistic u: the smallest with P(B <= u-1) >= 1 - alpha.
  let u = 1;
  while (u <= n && cdf[u - 1] < 1 - alpha) u++;
  if (l < 1 || u > n) return null;
  const coverage = cdf[u - 1] - (l >= 1 ? cdf[l - 1] : 0);
  return { lo: sorted[l - 1], hi: sorted[u - 1], coverage };
}

/** Probability of at most t over-latency queries among h + t when each is over with 1 - p. */
function tailOdds(h: number, t: number, p: number): number {
  return binomialCdf(t, h + t, 1 - p);
}

/** Smallest h with tailOdds(h, t, p) < 1 - c (MLPerf LoadGen's min passing query count). */
function minPassing(t: number, p: number, c: number): number {
  let lo = 1;
  let hi = 2;
  while (tailOdds(hi, t, p) >= 1 - c) hi *= 2;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (tailOdds(mid, t, p) < 1 - c) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * MLPerf LoadGen's early-stopping rule: with confidence c, the reported latency is an order
 * statistic that the true p-percentile is below. It needs minPassing(1) + 1 queries; with more
 * queries it discards the t-1 slowest where t is the largest count with n >= minPassing(t) + t.
 */
export function earlyStopping(sorted: readonly number[], p: number, confidence = 0.99): EarlyStopping {
  const n = sorted.length;
  const minQueries = minPassing(1, p, confidence) + 1;
  if (n < minQueries) return { percentile: p, sufficient: false, minQueries, estimate: null };
  // minPassing(t) + t grows with t: binary search the largest t that still fits in n.
  let lo = 1;
  // Each discarded query needs about 1/(1-p) queries: t cannot pass n(1-p).
  let hi = Math.max(1, Math.min(n, Math.ceil(n * (1 - p)) + 1));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (minPassing(mid, p, confidence) + mid <= n) lo = mid;
    else hi = mid - 1;
  }
  return { percentile: p, sufficient: true, minQueries, estimate: sorted[n - lo] };
}

export { MAX_LOOKS, fewestForInterval, hodgesLehmann, normalCdf, normalQuantile, planLooks, signedRankCdf, storedBaseInterval, type LocationEstimate } from './paired.js';
