/**
 * The binned drift statistics against the exact ones: PSI over counts on the decile edges is report/stats' psi,
 * and KS read on a grid of N quantiles (ksGridEdges) lies between the exact statistic minus 1/N and the exact
 * statistic, also for values many rows share (rounded data: table at whole numbers, carat at round weights).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binCounts,
  binnedKs,
  binOf,
  ksGridEdges,
  ksPValue,
  nextUp,
  psiOfShares,
  quantileEdges,
} from '../../src/engine/distribution.js';
import { ksTest, psi } from '../../src/report/stats.js';
import { referenceSplit } from '../helpers/reference.js';

const sample = (rounding: number) =>
  fc.array(
    fc.double({ min: 0, max: 20, noNaN: true }).map((v) => Math.round(v / rounding) * rounding),
    { minLength: 1, maxLength: 400 },
  );
// a skewed sample: half its values on a few repeated points
const lumpy = fc
  .tuple(sample(0.01), fc.array(fc.constantFrom(1, 2.5, 7), { maxLength: 300 }))
  .map(([a, b]) => [...a, ...b]);

describe('binned drift statistics', () => {
  it('binOf puts a value in the bin [edges[k−1], edges[k])', () => {
    const edges = [1, 2, 3];
    expect([0.5, 1, 1.5, 2, 2.999, 3, 9].map((v) => binOf(edges, v))).toEqual([0, 1, 1, 2, 2, 3, 3]);
    expect(nextUp(1)).toBeGreaterThan(1);
    expect((nextUp(1) + 1) / 2).toBeOneOf([1, nextUp(1)]);
    expect(nextUp(-2)).toBeGreaterThan(-2);
  });

  it('KS on a grid of N quantiles is within 1/N below the exact statistic', () => {
    fc.assert(
      fc.property(
        fc.oneof(sample(0.01), sample(1), lumpy),
        fc.oneof(sample(0.01), sample(0.5), lumpy),
        fc.constantFrom(10, 20, 100),
        (reference, current, n) => {
          const edges = ksGridEdges(reference, n);
          const binned = binnedKs(binCounts(reference, edges), binCounts(current, edges));
          const exact = ksTest(reference, current).statistic;
          expect(binned).toBeLessThanOrEqual(exact + 1e-12);
          expect(binned).toBeGreaterThanOrEqual(exact - 1 / n - 1e-12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the decile edges are on the grid of 100 quantiles, and PSI over them is report/stats psi', () => {
    fc.assert(
      fc.property(fc.oneof(sample(0.01), sample(1), lumpy), fc.oneof(sample(0.01), lumpy), (reference, current) => {
        const deciles = quantileEdges(reference, 10);
        const grid = new Set(ksGridEdges(reference, 100));
        for (const e of deciles) expect(grid.has(e)).toBe(true);
        const shares = (v: number[]) => binCounts(v, deciles).map((c) => c / v.length);
        expect(psiOfShares(shares(reference), shares(current))).toBeCloseTo(psi(reference, current), 12);
      }),
      { numRuns: 200 },
    );
  });

  it('on the reference data: every bin of the grid but single values holds under 1/100 of the stones', async () => {
    const { train, test } = await referenceSplit();
    for (const f of ['carat', 'depth', 'table', 'x', 'y', 'z'] as const) {
      const values = train.map((r) => r[f]);
      const edges = ksGridEdges(values, 100);
      const counts = binCounts(values, edges);
      counts.forEach((c, k) => {
        const single = k > 0 && k < edges.length && edges[k] === nextUp(edges[k - 1]);
        if (!single) expect(c / values.length, `${f} bin ${k}`).toBeLessThan(1 / 100);
      });
      const current = test.map((r) => r[f]);
      const exact = ksTest(values, current);
      const binned = binnedKs(counts, binCounts(current, edges));
      expect(binned).toBeLessThanOrEqual(exact.statistic + 1e-12);
      expect(binned).toBeGreaterThan(exact.statistic - 0.01);
      // a smaller gap never reads as more significant
      expect(ksPValue(binned, values.length, current.length)).toBeGreaterThanOrEqual(exact.pValue);
    }
  });
});
