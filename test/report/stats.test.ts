import { describe, expect, it } from 'vitest';
import {
  fitLine,
  groupBy,
  ksTest,
  matchedMedianRatio,
  mean,
  median,
  psi,
  quantile,
  ranks,
  spearman,
} from '../../src/report/stats.js';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('report statistics', () => {
  it('computes quantiles by linear interpolation', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([1, 2], 1)).toBe(2);
    expect(mean([1, 2, 6])).toBe(3);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('ranks ties by their average rank and correlates ranks', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [8, 4, 2, 1])).toBeCloseTo(-1);
  });

  it('fits a straight line', () => {
    const x = range(10);
    const fit = fitLine(
      x,
      x.map((v) => 3 + 2 * v),
    );
    expect(fit.slope).toBeCloseTo(2);
    expect(fit.intercept).toBeCloseTo(3);
    expect(fit.r2).toBeCloseTo(1);
  });

  it('measures the Kolmogorov–Smirnov gap and its p-value', () => {
    expect(ksTest([1, 2, 3], [1, 2, 3])).toEqual({ statistic: 0, pValue: 1 });
    expect(ksTest([1, 2, 3, 4, 5], [3, 4, 5, 6, 7]).statistic).toBeCloseTo(0.4);
    const far = ksTest(range(100), range(100, 1000));
    expect(far.statistic).toBe(1);
    expect(far.pValue).toBeLessThan(1e-10);
    // Two samples of 1,000 shifted by 6% of their span: λ ≈ 1.35, just above the 5% critical value 1.36 → p ≈ 0.05.
    const edge = ksTest(range(1000), range(1000, 60));
    expect(edge.statistic).toBeCloseTo(0.06);
    expect(edge.pValue).toBeGreaterThan(0.045);
    expect(edge.pValue).toBeLessThan(0.06);
  });

  it('gives a population stability index near 0 for one population and large for a shift', () => {
    const reference = range(1000).map((i) => Math.sin(i) * 10);
    expect(psi(reference, reference)).toBeCloseTo(0, 10);
    expect(
      psi(
        reference,
        reference.map((v) => v + 8),
      ),
    ).toBeGreaterThan(0.25);
  });

  it('groups items by key in first-appearance order', () => {
    expect([...groupBy(['b1', 'a1', 'b2'], (s) => s[0]).entries()]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1']],
    ]);
  });

  it('compares medians within matching strata only, weighted by the current sample', () => {
    const reference = [
      ...range(10).map((i) => ({ s: 'a', v: 100 + i })),
      ...range(10).map((i) => ({ s: 'b', v: 1000 + i })),
      { s: 'c', v: 5 },
    ];
    const current = [
      ...range(30).map(() => ({ s: 'a', v: 110.5 })),
      ...range(10).map(() => ({ s: 'b', v: 1004.5 * 1.2 })),
      ...range(10).map(() => ({ s: 'c', v: 1 })),
    ];
    const m = matchedMedianRatio(
      reference,
      current,
      (r) => r.s,
      (r) => r.v,
    );
    expect(m.strata).toBe(2);
    expect(m.coverage).toBeCloseTo(40 / 50);
    expect(m.ratio).toBeCloseTo(Math.exp((30 * Math.log(110.5 / 104.5) + 10 * Math.log(1.2)) / 40));
  });
});
