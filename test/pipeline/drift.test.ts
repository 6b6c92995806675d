import { describe, expect, it } from 'vitest';
import { featureDrift, ksTest, psiCategorical, psiLevel, psiNumeric } from '../../src/pipeline/drift.js';

/** Deterministic pseudo-normal samples (Box–Muller over a fixed LCG). */
function normal(n: number, mean: number, sd: number, seed: number): number[] {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

describe('PSI', () => {
  it('is 0 for the same sample and grows with the shift', () => {
    const a = normal(4000, 0, 1, 1);
    expect(psiNumeric(a, a)).toBeCloseTo(0, 12);
    const same = psiNumeric(a, normal(4000, 0, 1, 2));
    const small = psiNumeric(a, normal(4000, 0.25, 1, 3));
    const large = psiNumeric(a, normal(4000, 1, 1, 4));
    expect(same).toBeLessThan(0.02);
    expect(small).toBeGreaterThan(same);
    expect(large).toBeGreaterThan(0.25);
    expect(psiLevel(same)).toBe('stable');
    expect(psiLevel(large)).toBe('large');
  });

  it('matches a hand computation on categories, and stays finite when a category is new', () => {
    // shares 0.5/0.5 → 0.25/0.75: (0.25−0.5)ln(0.5) + (0.75−0.5)ln(1.5)
    const expected = -0.25 * Math.log(0.5) + 0.25 * Math.log(1.5);
    expect(psiCategorical(['a', 'b', 'a', 'b'], ['a', 'b', 'b', 'b'])).toBeCloseTo(expected, 12);
    const withNew = psiCategorical(['a', 'b'], ['a', 'c']);
    expect(Number.isFinite(withNew)).toBe(true);
    expect(withNew).toBeGreaterThan(1);
  });

  it('treats ties in the baseline without empty bins (a field with few distinct values)', () => {
    const a = Array.from({ length: 1000 }, (_, i) => [55, 56, 57][i % 3]);
    expect(psiNumeric(a, [...a].reverse())).toBeCloseTo(0, 12);
  });
});

describe('KS', () => {
  it('gives D = 0 and p = 1 for identical samples, and D = 1 for disjoint ones', () => {
    const a = normal(500, 0, 1, 5);
    expect(ksTest(a, a)).toEqual({ statistic: 0, pValue: 1 });
    const d = ksTest([1, 2, 3], [4, 5, 6]);
    expect(d.statistic).toBe(1);
  });

  it('computes the largest CDF gap exactly on a small case', () => {
    // F_a jumps at 1,2,3,4 by 1/4; F_b at 2.5, 3.5 by 1/2. At x = 2: 0.5 vs 0 → D = 0.5.
    expect(ksTest([1, 2, 3, 4], [2.5, 3.5]).statistic).toBeCloseTo(0.5, 12);
  });

  it('has a large p-value for samples of one distribution and a tiny one for shifted samples', () => {
    expect(ksTest(normal(2000, 0, 1, 6), normal(2000, 0, 1, 7)).pValue).toBeGreaterThan(0.01);
    expect(ksTest(normal(2000, 0, 1, 8), normal(2000, 0.3, 1, 9)).pValue).toBeLessThan(1e-6);
  });
});

describe('featureDrift', () => {
  it('reports every appraisal field, price included, with KS for numbers', () => {
    const row = (carat: number, cut: string) => ({
      carat,
      cut,
      color: 'G',
      clarity: 'VS1',
      depth: 61,
      table: 57,
      price: 1000 * carat,
      x: 5,
      y: 5,
      z: 3,
    });
    const base = Array.from({ length: 200 }, (_, i) => row(0.3 + (i % 20) / 20, i % 2 ? 'Ideal' : 'Good'));
    const now = Array.from({ length: 200 }, (_, i) => row(1.3 + (i % 20) / 20, 'Ideal'));
    const drift = featureDrift(base, now);
    expect(drift.map((d) => d.feature)).toEqual([
      'carat',
      'depth',
      'table',
      'x',
      'y',
      'z',
      'price',
      'cut',
      'color',
      'clarity',
    ]);
    const byName = Object.fromEntries(drift.map((d) => [d.feature, d]));
    expect(byName.carat.level).toBe('large');
    expect(byName.price.level).toBe('large');
    expect(byName.carat.ks!.statistic).toBe(1);
    expect(byName.cut.level).toBe('large');
    expect(byName.depth.psi).toBeCloseTo(0, 12);
    expect(byName.color.level).toBe('stable');
  });
});
