import { describe, expect, it } from 'vitest';
import { binomialCdf, earlyStopping, percentile, quantileCI, summarize } from '../src/stats/index.js';

describe('percentile', () => {
  it('interpolates between order statistics like numpy', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(xs, 0.5)).toBeCloseTo(5.5);
    expect(percentile(xs, 0.9)).toBeCloseTo(9.1);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 1)).toBe(10);
  });
  it('summarizes mean, sample stddev and extremes', () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.stddev).toBeCloseTo(2.138, 3);
    expect(s.min).toBe(2);
    expect(s.max).toBe(9);
  });
});

describe('binomialCdf', () => {
  it('matches exact sums', () => {
    // P(Bin(10, 0.5) <= 3) = (1 + 10 + 45 + 120) / 1024
    expect(binomialCdf(3, 10, 0.5)).toBeCloseTo(176 / 1024, 12);
    expect(binomialCdf(0, 20, 0.1)).toBeCloseTo(0.9 ** 20, 12);
    expect(binomialCdf(20, 20, 0.1)).toBe(1);
  });
});

describe('quantileCI', () => {
  const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
  it('brackets the percentile with order statistics', () => {
    const ci = quantileCI(sorted, 0.5)!;
    expect(ci.lo).toBeLessThan(500);
    expect(ci.hi).toBeGreaterThan(500);
    expect(ci.coverage).toBeGreaterThanOrEqual(0.95);
    // Normal approximation: 500 +- 1.96 * sqrt(1000 * 0.25) = +-31
    expect(ci.lo).toBeGreaterThanOrEqual(465);
    expect(ci.hi).toBeLessThanOrEqual(535);
  });
  it('refuses an interval with too few samples for the percentile', () => {
    expect(quantileCI(sorted.slice(0, 20), 0.9)).toBeNull();
    expect(quantileCI(sorted.slice(0, 40), 0.9)).not.toBeNull();
    expect(quantileCI(sorted.slice(0, 200), 0.99)).toBeNull();
  });
  it('covers the true quantile about 95% of the time', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: 101 }, rand).sort((a, b) => a - b);
      const ci = quantileCI(xs, 0.9)!;
      if (ci.lo <= 0.9 && 0.9 <= ci.hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.92);
  });
});

describe('earlyStopping (MLPerf LoadGen rule, 99% confidence)', () => {
  const ramp = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  it('needs 64 queries for p90 and 662 for p99', () => {
    expect(earlyStopping(ramp(63), 0.9).sufficient).toBe(false);
    const at64 = earlyStopping(ramp(64), 0.9);
    expect(at64.sufficient).toBe(true);
    expect(at64.minQueries).toBe(64);
    expect(at64.estimate).toBe(64);
    expect(earlyStopping(ramp(661), 0.99).sufficient).toBe(false);
    expect(earlyStopping(ramp(662), 0.99).minQueries).toBe(662);
  });
  it('reports a conservative order statistic above the plain percentile', () => {
    // LoadGen on 2048 queries discards the 172 slowest for its p90 estimate.
    const es = earlyStopping(ramp(2048), 0.9);
    expect(es.estimate).toBe(2048 - 172);
    expect(es.estimate!).toBeGreaterThan(percentile(ramp(2048), 0.9));
  });
});
