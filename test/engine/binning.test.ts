import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binMatrix, binOf, findThresholds, sortFloat64 } from '../../src/engine/binning.js';

describe('quantile binning', () => {
  it('gives every distinct value its own bin when there are few, with midpoint thresholds', () => {
    const fb = findThresholds(Float64Array.from([3, 1, 2, 2, 3, 1]), 256);
    expect(Array.from(fb.thresholds)).toEqual([1.5, 2.5]);
    expect(fb.hasMissing).toBe(false);
  });

  it('cuts at quantiles when there are more distinct values than bins', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(Array.from(findThresholds(values, 4).thresholds)).toEqual([250.5, 500.5, 750.5]);
    expect(findThresholds(values, 256).thresholds.length).toBe(255);
  });

  it('never separates equal values, even when one value holds most rows', () => {
    const values = Float64Array.from([...new Array(90).fill(5), 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
    const t = Array.from(findThresholds(values, 4).thresholds);
    for (const x of t) expect(x === 5).toBe(false);
    expect(t).toEqual([4.5, 5.5, 8.5]); // the heavy value 5 gets a bin of its own
  });

  it('puts NaN in its own bin after the value bins and keeps room for it in a byte', () => {
    const fb = findThresholds(Float64Array.from([1, NaN, 2, NaN]), 256);
    expect(fb.hasMissing).toBe(true);
    expect(binOf(fb.thresholds, NaN)).toBe(2);
    const many = Float64Array.from({ length: 600 }, (_, i) => (i % 7 === 0 ? NaN : i));
    const fm = findThresholds(many, 256);
    expect(fm.thresholds.length + 1).toBeLessThanOrEqual(255);
    const binned = binMatrix([many], many.length, 256);
    expect(binned.codes[0]).toBe(binned.valueBins[0]); // one feature: row 0's code is codes[0]
  });

  it('uses the upper value as threshold when the midpoint of adjacent floats rounds down', () => {
    const lo = 1;
    const hi = 1 + Number.EPSILON;
    const t = findThresholds(Float64Array.from([lo, hi]), 256).thresholds;
    expect(t[0]).toBe(hi);
    expect(lo < t[0]).toBe(true);
    expect(hi < t[0]).toBe(false);
  });

  it('makes "bin <= b" the same rule as "value < thresholds[b]" for every value and cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.integer({ min: 2, max: 256 }),
        (raw, maxBins) => {
          const values = Float64Array.from(raw);
          const { thresholds } = findThresholds(values, maxBins);
          expect(thresholds.length + 1).toBeLessThanOrEqual(maxBins);
          for (let b = 1; b < thresholds.length; b++) expect(thresholds[b]).toBeGreaterThan(thresholds[b - 1]);
          for (const v of values) {
            const bin = binOf(thresholds, v);
            for (let b = 0; b < thresholds.length; b++) expect(bin <= b).toBe(v < thresholds[b]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("binMatrix's codes are binOf's for every value, NaN and infinities included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double(), fc.integer({ min: -3, max: 3 }), fc.double({ min: 0, max: 1e-300 })), {
          minLength: 1,
          maxLength: 400,
        }),
        fc.integer({ min: 2, max: 256 }),
        (raw, maxBins) => {
          const values = Float64Array.from(raw);
          const binned = binMatrix([values], values.length, maxBins);
          for (let i = 0; i < values.length; i++) {
            expect(binned.codes[i]).toBe(binOf(binned.thresholds[0], values[i]));
            expect(binned.columns[0][i]).toBe(binned.codes[i]);
          }
        },
      ),
      { seed: 19, numRuns: 300 },
    );
  });

  it('lays out histogram slots per feature with one extra slot for missing values', () => {
    const binned = binMatrix([Float64Array.from([1, 2, 3]), Float64Array.from([5, 5, 5])], 3, 256);
    expect(Array.from(binned.valueBins)).toEqual([3, 1]);
    expect(Array.from(binned.histOffset)).toEqual([0, 4]);
    expect(binned.totalSlots).toBe(6);
    // Row-major: row i's codes are codes[2i], codes[2i + 1].
    expect(Array.from(binned.codes)).toEqual([0, 0, 1, 0, 2, 0]);
  });

  it('refuses a bin count outside 2..256', () => {
    expect(() => findThresholds(new Float64Array(3), 257)).toThrow(/maxBins must be an integer from 2 to 256/);
    expect(() => findThresholds(new Float64Array(3), 1)).toThrow(/maxBins/);
  });

  it('radix sort orders numbers exactly as the built-in sort does', () => {
    const same = (values: Float64Array) => {
      const expected = values.slice().sort();
      const got = sortFloat64(values.slice());
      for (let i = 0; i < values.length; i++) expect(Object.is(got[i], expected[i])).toBe(true);
    };
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { maxLength: 300 }), (xs) => same(Float64Array.from(xs))),
      { seed: 19, numRuns: 300 },
    );
    same(Float64Array.from([0, -0, 5e-324, -5e-324, -0, 0, Infinity, -Infinity, 1, -1, 2 ** 60, -(2 ** -60)]));
    // A sorted view into a larger buffer leaves the rest of the buffer alone.
    const buffer = Float64Array.from([9, 3, 1, 2, 0]);
    sortFloat64(buffer.subarray(1, 4));
    expect(Array.from(buffer)).toEqual([9, 1, 2, 3, 0]);
  });
});
