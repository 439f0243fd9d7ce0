// Distances between a reference histogram and a window's histogram over the same bins: the
// population stability index, the Jensen-Shannon distance and a two-sample Kolmogorov-Smirnov
// test on the binned data. Pure functions over counts.

/** Empty bins get this share before the logs are taken (Evidently's PSI uses the same 0.0001). */
const EPS = 1e-4;

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/** PSI = Σ (q − p) · ln(q / p), p the reference shares, q the window's; 0 when they agree. */
export function psi(reference: readonly number[], current: readonly number[]): number {
  const p = shares(reference);
  const q = shares(current);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const a = Math.max(p[i], EPS);
    const b = Math.max(q[i], EPS);
    sum += (b - a) * Math.log(b / a);
  }
  return sum;
}

/** Jensen-Shannon distance (the square root of the divergence, natural log, as scipy computes it): 0 to √ln 2. */
export function jensenShannon(reference: readonly number[], current: readonly number[]): number {
  const p = shares(reference);
  const q = shares(current);
  let div = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2;
    if (p[i] > 0) div += 0.5 * p[i] * Math.log(p[i] / m);
    if (q[i] > 0) div += 0.5 * q[i] * Math.log(q[i] / m);
  }
  return Math.sqrt(Math.max(0, div));
}

/** Kolmogorov's limiting distribution: P(sqrt(n)·D > λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²). */
function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

export interface KsResult {
  /** The largest gap between the two cumulative shares, at a bin edge. */
  statistic: number;
  /** Asymptotic p-value with the effective size n·m/(n+m) (conservative on binned data). */
  pValue: number;
}

/** Two-sample KS on histograms over the same ordered bins. */
export function ksBinned(reference: readonly number[], current: readonly number[]): KsResult {
  const n = reference.reduce((a, b) => a + b, 0);
  const m = current.reduce((a, b) => a + b, 0);
  if (n === 0 || m === 0) return { statistic: 0, pValue: 1 };
  let cr = 0;
  let cc = 0;
  let d = 0;
  for (let i = 0; i < reference.length; i++) {
    cr += reference[i] / n;
    cc += current[i] / m;
    d = Math.max(d, Math.abs(cr - cc));
  }
  const ne = (n * m) / (n + m);
  // Stephens' small-sample correction of the argument.
  const lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  return { statistic: d, pValue: kolmogorovQ(lambda) };
}

/** Which bin a value falls in: edges are the interior boundaries, bins are open at both ends. */
export function binOf(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value < edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** `bins − 1` interior edges at the reference's quantiles (repeated values collapse to fewer bins). */
export function quantileEdges(values: readonly number[], bins: number): number[] {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / bins))];
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}
