// The statistics behind `edgeml compare`: exact signed-rank tables, Hodges-Lehmann intervals,
// the error spent over looks, and the verdict rule.
import { describe, expect, it } from 'vitest';
import { judge, lookLevel, ratioAt, type Round } from '../src/compare/index.js';
import { Sequential } from '../src/compare/sequential.js';
import { fewestForInterval, hodgesLehmann, normalCdf, planLooks, signedRankCdf, storedBaseInterval } from '../src/stats/index.js';

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
  it('plans at most 6 looks, the first at min-rounds, the last at the planned count, each about twice the one before', () => {
    expect(planLooks(8, 600)).toEqual([8, 19, 45, 107, 253, 600]);
    expect(planLooks(8, 26)).toEqual([8, 14, 26]);
    expect(planLooks(8, 20)).toEqual([8, 20]);
    expect(planLooks(8, 15)).toEqual([8, 15]);
    expect(planLooks(8, 8)).toEqual([8]);
    // The time holds fewer rounds than min-rounds: one look, at what the time holds.
    expect(planLooks(8, 5)).toEqual([5]);
    expect(planLooks(1, 3)).toEqual([1, 2, 3]);
    for (let planned = 9; planned < 2000; planned++) {
      const looks = planLooks(8, planned);
      expect(looks[0]).toBe(planned < 12 ? planned : 8); // under 1.5 x first: one look, at the end
      expect(looks.at(-1)).toBe(planned);
      expect(looks.length).toBeLessThanOrEqual(6);
      for (let i = 1; i < looks.length; i++) expect(looks[i]).toBeGreaterThan(looks[i - 1]);
    }
  });
  it('tests each look at alpha / looks, so all of them together spend at most alpha', () => {
    for (const k of [1, 2, 6]) expect(k * (1 - lookLevel(k))).toBeCloseTo(0.05, 12);
    expect(fewestForInterval(0.95)).toBe(6);
    expect(fewestForInterval(lookLevel(6))).toBe(8);
  });
  const round = (r: number, i: number): Round => ({ first: i % 2 ? 'head' : 'base', base: { p50: 1, p90: 1, iterations: 3 }, head: { p50: r, p90: r, iterations: 3 } });
  it('never looks twice at the same rounds: finishing right after the last look adds no look', () => {
    const looks: number[] = [];
    const seq = new Sequential({ threshold: 0.05, metric: 'p50', minRounds: 8, maxRounds: 0, onLook: (e) => looks.push(e.rounds) });
    seq.plan(20);
    // Noise wider than the threshold: never decided.
    const noise = Array.from({ length: 20 }, (_, i) => (i % 2 ? 1.3 : 0.75));
    expect(seq.add(...noise.slice(0, 8).map(round))).toBe(false);
    seq.finish();
    seq.finish();
    expect(looks).toEqual([8]);
    expect(seq.looks).toBe(1);
    const again = new Sequential({ threshold: 0.05, metric: 'p50', minRounds: 8, maxRounds: 0, onLook: (e) => looks.push(e.rounds) });
    again.plan(20);
    looks.length = 0;
    expect(again.add(...noise.map(round))).toBe(true); // the last planned look is done
    again.finish();
    expect(looks).toEqual([8, 20]);
    expect(again.ratio.p50.lookLevel).toBeCloseTo(lookLevel(2), 12);
  });
  it('plans no look before an interval can exist at the level of each look', () => {
    // 56 rounds from 7: 7, 14, 28, 56, four looks at 98.75%, which need 8 rounds.
    const seq = new Sequential({ threshold: 0.05, metric: 'p50', minRounds: 7, maxRounds: 0 });
    seq.plan(56);
    expect(seq.planned).toEqual([14, 28, 56]);
    expect(seq.planned[0]).toBeGreaterThanOrEqual(fewestForInterval(lookLevel(seq.planned.length)));
    // A 10x slower head decides at the first planned look.
    expect(seq.add(...Array.from({ length: 14 }, (_, i) => round(10 + (i % 3) * 0.1, i)))).toBe(true);
    expect(seq.looks).toBe(1);
    expect(seq.ratio.p50.verdict).toBe('slower');
  });
  it('stops at the first look that decides', () => {
    const seq = new Sequential({ threshold: 0.05, metric: 'p50', minRounds: 8, maxRounds: 0 });
    seq.plan(600);
    const rounds = Array.from({ length: 600 }, (_, i) => round(1.2 + (i % 3) * 0.001, i));
    expect(seq.add(...rounds)).toBe(true);
    expect(seq.rounds.length).toBe(8);
    expect(seq.ratio.p50.verdict).toBe('slower');
  });
  it('says why there is no interval', () => {
    const seq = new Sequential({ threshold: 0.05, metric: 'p50', minRounds: 8, maxRounds: 0 });
    seq.plan(4);
    seq.add(...[1, 1.1, 0.9, 1].map(round));
    expect(seq.noInterval((f) => f)).toMatch(/^4 rounds are too few for an interval at the 95.00% level of each of 1 looks \(at least 6 needed\); raise --max-duration$/);
  });
});

describe('signed-rank normal approximation above 60 values', () => {
  it('joins the exact interval smoothly and covers about 95%', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    let seed = 777;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let covered = 0;
    for (let t = 0; t < 200; t++) {
      const xs = Array.from({ length: 80 }, () => (rnd() - 0.5) + (rnd() - 0.5));
      const r = hodgesLehmann(xs, 0.95);
      expect(r.coverage).toBeGreaterThan(0.949);
      if (r.ci![0] <= 0 && 0 <= r.ci![1]) covered++;
    }
    expect(covered / 200).toBeGreaterThan(0.91);
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
    const r = ratioAt(rounds, 'p50', lookLevel(1), 0.05);
    expect(r.estimate).toBeCloseTo(1.2, 2);
    expect(r.verdict).toBe('slower');
    expect(r.lookLevel).toBeCloseTo(0.95);
  });

  it('against a stored base, is as wide as one run is noisy', () => {
    const heads = [1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 1.02, 0.98].map(Math.log);
    const r = storedBaseInterval(heads, Math.log(1), 0.95);
    expect(r.estimate).toBeCloseTo(0, 5);
    // A one-run spread of ~5%: a 95% interval of about ±10%, not ±10%/sqrt(8).
    expect(r.ci![1]).toBeGreaterThan(0.07);
  });
});
