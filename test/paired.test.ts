// The statistics behind `edgeml compare`: exact signed-rank tables, Hodges-Lehmann intervals,
// the error spent over looks, and the verdict rule.
import { describe, expect, it } from 'vitest';
import { judge, ratioAt, type Round } from '../src/compare/index.js';
import { hodgesLehmann, isLook, signedRankCdf, spentAlpha, storedBaseInterval } from '../src/stats/index.js';

describe('signed-rank distribution', () => {
  it('matches the exact counts for n = 3 (sums 0..6 of subsets of {1,2,3})', () => {
    // Subset sums: 0,1,2,3,3,4,5,6 -> counts 1,1,1,2,1,1,1 over 8.
    expect(Array.from(signedRankCdf(3))).toEqual([1, 2, 3, 5, 6, 7, 8].map((c) => c / 8));
  });
  it('is symmetric and ends at 1 for larger n', () => {
    const cdf = signedRankCdf(40);
    const max = 820;
    expect(cdf[max]).toBeCloseTo(1, 12);
    expect(cdf[409]).toBeCloseTo(1 - cdf[410], 12);
  });
});

describe('Hodges-Lehmann with the signed-rank interval', () => {
  it('estimates the median of the Walsh averages', () => {
    expect(hodgesLehmann([1, 2, 3], 0.95).estimate).toBe(2);
    expect(hodgesLehmann([0, 0, 0, 10], 0.95).estimate).toBe(0); // robust to the one outlier
    expect(hodgesLehmann([0, 0, 10, 10], 0.95).estimate).toBe(5);
  });
  it('gives no interval until 2^-n fits in the tail (n = 6 at 95%)', () => {
    expect(hodgesLehmann([1, 2, 3, 4, 5], 0.95).ci).toBeNull();
    const r = hodgesLehmann([1, 2, 3, 4, 5, 6], 0.95);
    expect(r.ci).toEqual([1, 6]);
    expect(r.coverage).toBeCloseTo(1 - 2 / 64);
  });
  it('covers the centre of symmetric noise about 95% of the time', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: 15 }, () => 3 + (rnd() - 0.5) + (rnd() - 0.5));
      const ci = hodgesLehmann(xs, 0.95).ci!;
      if (ci[0] <= 3 && 3 <= ci[1]) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.92);
  });
});

describe('sequential looks', () => {
  it('spends at most alpha in total', () => {
    let sum = 0;
    for (let k = 1; k < 100_000; k++) sum += spentAlpha(0.05, k);
    expect(sum).toBeLessThan(0.05);
    expect(sum).toBeGreaterThan(0.0499);
  });
  it('looks at the first round, then each 25% more', () => {
    const looks = Array.from({ length: 40 }, (_, i) => [i + 1, isLook(i + 1, 8)]).filter(([, k]) => k > 0);
    expect(looks).toEqual([[8, 1], [10, 2], [13, 3], [17, 4], [22, 5], [28, 6], [35, 7]]);
  });
});

describe('verdict', () => {
  it.each([
    [[1.06, 1.2], 'slower'],
    [[1.04, 1.2], 'inconclusive'],
    [[0.8, 0.94], 'faster'],
    [[0.96, 1.04], 'unchanged'],
    [[0.9, 1.1], 'inconclusive'],
    [null, 'inconclusive'],
  ] as const)('%j at 5%% is %s', (ci, verdict) => {
    expect(judge(ci as [number, number] | null, 0.05)).toBe(verdict);
  });

  it('reads rounds as head/base ratios', () => {
    const rounds: Round[] = [1.2, 1.21, 1.19, 1.22, 1.18, 1.2, 1.2, 1.21].map((r, i) => ({
      first: i % 2 ? 'head' : 'base', base: { p50: 2, p90: 3, iterations: 10 }, head: { p50: 2 * r, p90: 3 * r, iterations: 10 },
    }));
    const r = ratioAt(rounds, 'p50', 1, 0.05);
    expect(r.estimate).toBeCloseTo(1.2, 2);
    expect(r.verdict).toBe('slower');
    expect(r.lookLevel).toBeCloseTo(1 - spentAlpha(0.05, 1));
  });

  it('against a stored base, is as wide as one run is noisy', () => {
    const heads = [1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 1.02, 0.98].map(Math.log);
    const r = storedBaseInterval(heads, Math.log(1), 0.95);
    expect(r.estimate).toBeCloseTo(0, 5);
    // A one-run spread of ~5%: a 95% interval of about ±10%, not ±10%/sqrt(8).
    expect(r.ci![1]).toBeGreaterThan(0.07);
  });
});
