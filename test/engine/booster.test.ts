import { describe, expect, it } from 'vitest';
import { fit, predict, predictOne, serialize } from '../../src/engine/index.js';
import { squaredError } from '../../src/engine/objective.js';
import { createRng } from '../../src/engine/random.js';
import { predictRow } from '../../src/engine/tree.js';
import { row, synthetic } from './helpers.js';

describe('boosting', () => {
  it('ends with training predictions equal to predicting the model on the training rows', () => {
    const { X, y } = synthetic(600, 1);
    for (const extra of [{}, { subsample: 0.7, colsampleByTree: 0.5, seed: 3 }]) {
      const res = fit(X, y, { nEstimators: 40, maxDepth: 4, learningRate: 0.2, ...extra });
      const p = predict(res.model, X);
      expect(squaredError.loss(y, p)).toBe(res.trainLoss.at(-1));
      expect(res.trainLoss.length).toBe(40);
      expect(res.bestIteration).toBe(39);
      for (let i = 1; i < 10; i++) expect(res.trainLoss[i]).toBeLessThan(res.trainLoss[i - 1] + 1e-12);
    }
  });

  it("reports each round's training loss exactly as loss() computes it on that round's predictions", () => {
    const { X, y } = synthetic(300, 9);
    const opts = { maxDepth: 3, subsample: 0.8, seed: 2 };
    const five = fit(X, y, { ...opts, nEstimators: 5 }).trainLoss;
    for (let k = 1; k <= 5; k++) {
      const { model } = fit(X, y, { ...opts, nEstimators: k });
      expect(five[k - 1]).toBe(squaredError.loss(y, predict(model, X)));
    }
    const g = new Float64Array(y.length);
    const pred = new Float64Array(y.length).fill(1.5);
    expect(squaredError.gradients(y, pred, g, new Float64Array(y.length))).toBe(squaredError.loss(y, pred));
  });

  it('uses the mean of y as base score unless one is given', () => {
    const { X, y } = synthetic(100, 2);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    expect(fit(X, y, { nEstimators: 1 }).model.ensemble.baseScore).toBe(mean);
    expect(fit(X, y, { nEstimators: 1, baseScore: 3 }).model.ensemble.baseScore).toBe(3);
  });

  it('is deterministic: same data, options and seed give byte-identical models', () => {
    const { X, y } = synthetic(500, 4);
    const opts = {
      nEstimators: 30,
      maxDepth: 4,
      subsample: 0.8,
      colsampleByTree: 0.75,
      validationFraction: 0.2,
      seed: 123,
    };
    const a = serialize(fit(X, y, opts).model);
    const b = serialize(fit(X, y, opts).model);
    expect(a).toBe(b);
    expect(serialize(fit(X, y, { ...opts, seed: 124 }).model)).not.toBe(a);
  });

  it('samples rows and columns per tree from the seed', () => {
    const { X, y } = synthetic(400, 5, false);
    const { model } = fit(X, y, { nEstimators: 20, maxDepth: 2, colsampleByTree: 0.25, seed: 8 });
    // One feature per tree: every split of a tree tests the same feature, and not always the same one.
    const used = model.ensemble.trees.map((t) => new Set(Array.from(t.feature).filter((f) => f >= 0)));
    for (const s of used) expect(s.size).toBeLessThanOrEqual(1);
    expect(new Set(used.flatMap((s) => [...s])).size).toBeGreaterThan(1);
    const sub = fit(X, y, { nEstimators: 3, maxDepth: 2, subsample: 0.5, seed: 8 }).model;
    expect(sub.ensemble.trees[0].cover[0]).toBe(200);
  });

  it('keeps every prediction monotone in constrained features (what-if grid on random rows)', () => {
    const { X, y } = synthetic(800, 6);
    // f0 rises with a wiggle (sin), f1 falls: constrain f0 up, f1 down, and also f2 (not monotone in truth) up.
    const monotone = [1, -1, 1, 0];
    for (const growth of [{ maxDepth: 4 }, { maxLeaves: 12, maxDepth: 0 }]) {
      const { model } = fit(X, y, { nEstimators: 60, learningRate: 0.3, monotone, ...growth });
      const rng = createRng(60);
      for (let r = 0; r < 40; r++) {
        const base = row(X, rng.nextInt(X.rows));
        for (const [f, sign] of [
          [0, 1],
          [1, -1],
          [2, 1],
        ]) {
          let previous = -Infinity;
          for (let k = 0; k <= 40; k++) {
            const probe = [...base];
            probe[f] = -0.5 + k * 0.275; // beyond both ends of the data range 0..10
            const p = predictOne(model, probe) * sign;
            expect(p).toBeGreaterThanOrEqual(previous);
            previous = p;
          }
        }
      }
    }
  });

  it('without constraints the same data gives a non-monotone model (the test above can fail)', () => {
    const { X, y } = synthetic(800, 6);
    const { model } = fit(X, y, { nEstimators: 60, learningRate: 0.3, maxDepth: 4 });
    const base = row(X, 0);
    const preds = Array.from({ length: 41 }, (_, k) =>
      predictOne(
        model,
        base.map((v, f) => (f === 2 ? -0.5 + k * 0.275 : v)),
      ),
    );
    expect(preds.some((p, k) => k > 0 && p < preds[k - 1])).toBe(true);
  });

  it('early stopping keeps the round with the lowest validation loss', () => {
    // Pure noise target: validation loss stops improving quickly.
    const rng = createRng(10);
    const n = 400;
    const X = {
      columns: [
        Float64Array.from({ length: n }, () => rng.nextFloat()),
        Float64Array.from({ length: n }, () => rng.nextFloat()),
      ],
      rows: n,
    };
    const y = Float64Array.from({ length: n }, () => rng.nextFloat());
    const res = fit(X, y, {
      nEstimators: 500,
      learningRate: 0.3,
      maxDepth: 4,
      validationFraction: 0.25,
      earlyStoppingRounds: 10,
      seed: 1,
    });
    const best = res.validLoss.indexOf(Math.min(...res.validLoss));
    expect(res.bestIteration).toBe(best);
    expect(res.validLoss.length).toBe(best + 11);
    expect(res.validLoss.length).toBeLessThan(500);
    expect(res.model.ensemble.trees.length).toBe(best + 1);
    expect(res.trainLoss.length).toBe(res.validLoss.length);
  });

  it('reports the validation curve of an explicit validation set, computed with the model', () => {
    const train = synthetic(500, 12);
    const valid = synthetic(200, 13);
    const res = fit(train.X, train.y, { nEstimators: 50, maxDepth: 3, validation: valid, earlyStoppingRounds: 5 });
    expect(res.validLoss[res.bestIteration]).toBe(squaredError.loss(valid.y, predict(res.model, valid.X)));
    expect(res.validLoss[res.bestIteration]).toBeLessThan(res.validLoss[0]);
    const noStop = fit(train.X, train.y, { nEstimators: 50, maxDepth: 3, validation: valid });
    expect(noStop.validLoss.length).toBe(50);
    expect(noStop.model.ensemble.trees.length).toBe(50);
  });

  it('predicts what the reference tree walk predicts, row by row', () => {
    const { X, y } = synthetic(300, 14);
    const { model } = fit(X, y, { nEstimators: 25, maxDepth: 5 });
    const p = predict(model, X);
    for (let i = 0; i < X.rows; i++) {
      expect(p[i]).toBe(predictRow(model.ensemble, row(X, i)));
      expect(predictOne(model, row(X, i))).toBe(p[i]);
    }
  });

  it('learns: a held-out RMSE far below the spread of y', () => {
    const train = synthetic(2000, 15);
    const test = synthetic(500, 16);
    const { model } = fit(train.X, train.y, { nEstimators: 300, learningRate: 0.1, maxDepth: 4 });
    const rmse = Math.sqrt(squaredError.loss(test.y, predict(model, test.X)));
    const mean = test.y.reduce((a, b) => a + b, 0) / test.y.length;
    const sd = Math.sqrt(test.y.reduce((a, b) => a + (b - mean) ** 2, 0) / test.y.length);
    expect(rmse).toBeLessThan(0.5); // the noise alone has RMSE 0.29
    expect(sd).toBeGreaterThan(5);
  });

  it('refuses bad input with a message naming what is wrong', () => {
    const { X, y } = synthetic(50, 17);
    expect(() => fit(X, y.subarray(1))).toThrow(/training.y has 49 values but training.X has 50 rows/);
    const bad = {
      columns: X.columns.map((c, f) => (f === 1 ? Float64Array.from(c, (v, i) => (i === 7 ? Infinity : v)) : c)),
      rows: 50,
    };
    expect(() => fit(bad, y)).toThrow(/training.X.columns\[1\]\[7\] is Infinity/);
    expect(() =>
      fit(
        X,
        Float64Array.from(y, (v, i) => (i === 3 ? NaN : v)),
      ),
    ).toThrow(/training.y\[3\] is NaN; targets must be finite/);
    expect(() => fit(X, y, { learningRate: 0 })).toThrow(/option learningRate must be a number in \(0, 1\], got 0/);
    expect(() => fit(X, y, { maxBins: 300 })).toThrow(/option maxBins must be an integer from 2 to 256/);
    expect(() => fit(X, y, { monotone: [1, 0] })).toThrow(/option monotone must be an array of 4 entries/);
    expect(() => fit(X, y, { monotone: [1, 0, 2, 0] })).toThrow(/option monotone\[2\] must be -1, 0 or 1/);
    expect(() => fit(X, y, { earlyStoppingRounds: 5 })).toThrow(
      /earlyStoppingRounds must be used with validation or validationFraction/,
    );
    expect(() => fit(X, y, { maxDepth: 0 })).toThrow(/option maxDepth must be an integer from 1 to 64/);
    expect(() => fit(X, y, { nEstimator: 5 } as never)).toThrow(/unknown option "nEstimator"/);
    const { model } = fit(X, y, { nEstimators: 2 });
    expect(() => predict(model, { columns: X.columns.slice(0, 3), rows: 50 })).toThrow(
      /X has 3 feature columns, the model expects 4/,
    );
    expect(() => predictOne(model, [1, 2])).toThrow(/row has 2 values, the model expects 4/);
  });
});
