// Paired comparison of two models measured in alternating rounds: the Hodges-Lehmann estimate of
// the per-round log-ratio and its distribution-free interval from the Wilcoxon signed-rank test,
// with the error rate spent across repeated looks so that a sequential run stays honest.

/**
 * P(T+ <= k) for the Wilcoxon signed-rank statistic of n pairs under the null (each sign a fair
 * coin): an exact table from the subset-sum counts, cdf[k] for k = 0 .. n(n+1)/2.
 */
export function signedRankCdf(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  // Probabilities, not counts: the counts overflow doubles' integer range near n = 60.
  let dist = new Float64Array(max + 1);
  dist[0] = 1;
  for (let r = 1; r <= n; r++) {
    const next = new Float64Array(max + 1);
    for (let s = 0; s <= max; s++) {
      if (dist[s] === 0) continue;
      next[s] += dist[s] / 2;
      if (s + r <= max) next[s + r] += dist[s] / 2;
    }
    dist = next;
  }
  let sum = 0;
  for (let s = 0; s <= max; s++) {
    sum += dist[s];
    dist[s] = Math.min(1, sum);
  }
  return dist;
}

export interface LocationEstimate {
  estimate: number;
  /** Interval for the centre of symmetry; null when n is too small for this level. */
  ci: [number, number] | null;
  /** The interval's exact coverage under the assumptions (>= the level asked for). */
  coverage: number | null;
}

/** Above this many values the signed-rank distribution is taken as normal (its exact table costs n^3). */
const EXACT_UP_TO = 60;

/**
 * Hodges-Lehmann estimate (median of the Walsh averages (x_i + x_j)/2, i <= j) and the matching
 * distribution-free interval [W(k), W(M+1-k)] from the signed-rank distribution (exact up to 60
 * values, its normal approximation with continuity correction above). Assumes independent values
 * symmetric about their centre; with base and head in random or alternating order that symmetry
 * follows from exchanging the two arms under no change, so false alarms are controlled.
 */
export function hodgesLehmann(values: readonly number[], confidence: number): LocationEstimate {
  const n = values.length;
  if (n === 0) return { estimate: Number.NaN, ci: null, coverage: null };
  const m = (n * (n + 1)) / 2;
  const walsh = new Float64Array(m);
  let w = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh[w++] = (values[i] + values[j]) / 2;
  walsh.sort();
  const estimate = m % 2 ? walsh[(m - 1) / 2] : (walsh[m / 2 - 1] + walsh[m / 2]) / 2;
  const alpha = (1 - confidence) / 2;
  // Largest c with P(T <= c) <= alpha; the interval is [W(c+1), W(M-c)].
  let c = -1;
  let tail = 0;
  if (n <= EXACT_UP_TO) {
    const cdf = signedRankCdf(n);
    while (c + 1 < cdf.length && cdf[c + 1] <= alpha) c++;
    tail = c >= 0 ? cdf[c] : 0;
  } else {
    const mu = m / 2;
    const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24);
    c = Math.floor(mu - 0.5 + sigma * normalQuantile(alpha));
    tail = normalCdf((c + 0.5 - mu) / sigma);
  }
  if (c < 0) return { estimate, ci: null, coverage: null };
  return { estimate, ci: [walsh[c], walsh[m - 1 - c]], coverage: 1 - 2 * tail };
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 on erf, absolute error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** At most this many looks at the data in one comparison. */
export const MAX_LOOKS = 6;

/**
 * The looks of a sequential comparison, planned before it starts from how many rounds the time
 * allows: the first at `first`, the last at `planned`, those between spaced evenly on a log scale,
 * each about twice the one before, at most MAX_LOOKS. Each look tests at alpha / (number of looks)
 * (Bonferroni: a conservative Pocock-type boundary, valid wherever the looks are placed), so the
 * chance of any false alarm over all of them is at most alpha. An early first look matters: a
 * clear change is decided there, at the fewest rounds the test allows. When `planned` is at most
 * `first`, the one look is at `planned`.
 */
export function planLooks(first: number, planned: number): number[] {
  const last = Math.max(1, Math.floor(planned));
  const from = Math.max(1, Math.floor(first));
  if (last <= from) return [last];
  const k = Math.min(MAX_LOOKS, 1 + Math.round(Math.log2(last / from)));
  const looks: number[] = [];
  for (let i = 0; i < k; i++) {
    const n = i === k - 1 ? last : Math.round(from * (last / from) ** (i / (k - 1)));
    if (!looks.length || n > looks[looks.length - 1]) looks.push(n);
  }
  return looks;
}

/** Fewest values for which the signed-rank interval exists at this confidence: 2 * 2^-n <= 1 - confidence. */
export function fewestForInterval(confidence: number): number {
  return Math.ceil(Math.log2(2 / (1 - confidence)) - 1e-9);
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Against a stored base there is one base run: its own run-to-run noise is unknown, so it is taken
 * to equal the head's (same machine, same kind of model). The interval for log(head) - log(base)
 * is median(head) - base ± z * s * sqrt(1 + pi/(2n)), with s the head's robust spread (1.4826 MAD):
 * about as wide as one run's spread, whatever n is. Honest, and wide: interleave when you can.
 */
export function storedBaseInterval(headLogs: readonly number[], baseLog: number, confidence: number): LocationEstimate {
  const n = headLogs.length;
  const sorted = [...headLogs].sort((x, y) => x - y);
  const median = (xs: number[]) => (xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2);
  const med = median(sorted);
  const estimate = med - baseLog;
  if (n < 3) return { estimate, ci: null, coverage: null };
  // A floor of 1%: identical runs (a coarse timer) must not yield a zero-width interval.
  const s = Math.max(0.01, 1.4826 * median(sorted.map((v) => Math.abs(v - med)).sort((x, y) => x - y)));
  const half = normalQuantile(1 - (1 - confidence) / 2) * s * Math.sqrt(1 + Math.PI / (2 * n));
  return { estimate, ci: [estimate - half, estimate + half], coverage: confidence };
}
