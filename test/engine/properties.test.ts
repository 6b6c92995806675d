import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deserialize, fit, predict, serialize } from '../../src/engine/index.js';
import { squaredError } from '../../src/engine/objective.js';
import { predictRow } from '../../src/engine/tree.js';

// Small random data sets with ties, constant columns and missing values, under random options.
const value = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.double({ min: -100, max: 100, noNaN: true }),
  fc.constant(Number.NaN),
);
const dataset = fc.integer({ min: 1, max: 4 }).chain((nf) =>
  fc.record({
    rows: fc.array(fc.array(value, { minLength: nf, maxLength: nf }), { minLength: 1, maxLength: 60 }),
    targets: fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 60, maxLength: 60 }),
    nf: fc.constant(nf),
  }),
);
const options = fc.record({
  nEstimators: fc.integer({ min: 1, max: 8 }),
  learningRate: fc.double({ min: 0.05, max: 1, noNaN: true }),
  maxDepth: fc.integer({ min: 1, max: 5 }),
  maxLeaves: fc.constantFrom(0, 0, 3, 6),
  maxBins: fc.integer({ min: 2, max: 256 }),
  lambda: fc.constantFrom(0, 0.5, 1, 10),
  minChildWeight: fc.constantFrom(0, 1, 3),
  minSplitGain: fc.constantFrom(0, 0.1),
  subsample: fc.constantFrom(1, 0.6),
  colsampleByTree: fc.constantFrom(1, 0.5),
  seed: fc.integer({ min: 0, max: 1000 }),
  monotoneFirst: fc.constantFrom(-1, 0, 1),
});

describe('engine properties on random data', () => {
  it('training predictions equal predicting the model; serialisation round-trips; predictions equal the tree walk', () => {
    fc.assert(
      fc.property(dataset, options, ({ rows, targets, nf }, o) => {
        const n = rows.length;
        const X = { columns: Array.from({ length: nf }, (_, f) => Float64Array.from(rows, (r) => r[f])), rows: n };
        const y = Float64Array.from(targets.slice(0, n));
        const { monotoneFirst, ...rest } = o;
        const monotone = Array.from({ length: nf }, (_, f) => (f === 0 ? monotoneFirst : 0));
        const res = fit(X, y, { ...rest, monotone });
        const p = predict(res.model, X);
        expect(squaredError.loss(y, p)).toBe(res.trainLoss.at(-1));
        for (let i = 0; i < n; i++) {
          expect(Number.isFinite(p[i])).toBe(true);
          expect(p[i]).toBe(predictRow(res.model.ensemble, rows[i]));
        }
        const text = serialize(res.model);
        const back = deserialize(text);
        expect(serialize(back)).toBe(text);
        expect(Array.from(predict(back, X))).toEqual(Array.from(p));
      }),
      { numRuns: 150 },
    );
  });
});
