import { describe, expect, it } from 'vitest';
import {
  binomialShareProbability,
  bootstrapInterval,
  groupsOutsideByChance,
  normalQuantile,
  wilsonInterval,
} from '../../src/report/intervals.js';

/** A small seeded generator (LCG) so the bootstrap repeats in the test. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('intervals', () => {
  it('gives the normal quantiles the tables give', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 5);
  });

  it("gives Wilson's interval as published (Newcombe 1998: 81 of 263 → 0.2553–0.3662)", () => {
    const i = wilsonInterval(81, 263);
    expect(i.estimate).toBeCloseTo(81 / 263, 9);
    expect(i.low).toBeCloseTo(0.2553, 4);
    expect(i.high).toBeCloseTo(0.3662, 4);
  });

  it('keeps Wilson inside [0, 1] at the edges and widens for few trials', () => {
    const all = wilsonInterval(10, 10);
    expect(all.high).toBe(1);
    expect(all.low).toBeGreaterThan(0.6);
    expect(all.low).toBeLessThan(0.8);
    expect(wilsonInterval(9, 10).high - wilsonInterval(9, 10).low).toBeGreaterThan(
      wilsonInterval(900, 1000).high - wilsonInterval(900, 1000).low,
    );
    expect(Number.isNaN(wilsonInterval(0, 0).estimate)).toBe(true);
  });

  it('bootstraps an interval around the statistic that repeats with the same seed', () => {
    const values = Array.from({ length: 400 }, (_, i) => (i % 20) + 1);
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const a = bootstrapInterval(values, mean, { random: lcg(7), resamples: 300 });
    const b = bootstrapInterval(values, mean, { random: lcg(7), resamples: 300 });
    expect(a).toEqual(b);
    expect(a.estimate).toBeCloseTo(10.5, 9);
    expect(a.low).toBeLessThan(10.5);
    expect(a.high).toBeGreaterThan(10.5);
    // The standard error of the mean is 5.77 / √400 ≈ 0.29: a 95% interval about ±0.57 wide on each side.
    expect(a.high - a.low).toBeGreaterThan(0.8);
    expect(a.high - a.low).toBeLessThan(1.5);
  });

  it('gives the binomial probability of a share inside a band, exactly', () => {
    // C(10,5)/2^10: exactly half of ten fair coins
    expect(binomialShareProbability(10, 0.5, 0.5, 0.5)).toBeCloseTo(252 / 1024, 12);
    expect(binomialShareProbability(10, 0.5, 0, 1)).toBeCloseTo(1, 12);
    // 90% ranges on 150 stones land in 87–93% (131..139 inside) only about 78% of the time (sum of the pmf)
    expect(binomialShareProbability(150, 0.9, 0.87, 0.93)).toBeCloseTo(0.78106, 4);
    expect(binomialShareProbability(1000, 0.9, 0.87, 0.93)).toBeGreaterThan(0.998);
    expect(() => binomialShareProbability(0, 0.9, 0.87, 0.93)).toThrow(/positive integer/);
  });

  it('simulates how many overlapping groups land outside the band by chance', () => {
    const rows = 400;
    const all = Array.from({ length: rows }, (_, i) => i);
    const half = all.slice(0, 200);
    const inBand = binomialShareProbability(200, 0.9, 0.87, 0.93);
    // one group alone: the simulation agrees with the exact probability
    const one = groupsOutsideByChance(rows, [half], 0.9, 0.87, 0.93, { random: lcg(3), trials: 4000 });
    expect(one).toHaveLength(2);
    expect(one[0]).toBeCloseTo(inBand, 1);
    expect(one[0] + one[1]).toBeCloseTo(1, 9);
    // two disjoint halves: both in about inBand² of the time, both out about (1 − inBand)²
    const two = groupsOutsideByChance(rows, [half, all.slice(200)], 0.9, 0.87, 0.93, { random: lcg(3), trials: 4000 });
    expect(two[0]).toBeCloseTo(inBand ** 2, 1);
    expect(two[2]).toBeCloseTo((1 - inBand) ** 2, 1);
    // the same seed, the same answer
    expect(groupsOutsideByChance(rows, [half], 0.9, 0.87, 0.93, { random: lcg(5), trials: 300 })).toEqual(
      groupsOutsideByChance(rows, [half], 0.9, 0.87, 0.93, { random: lcg(5), trials: 300 }),
    );
  });
});
