import { describe, expect, it } from 'vitest';
import { fit } from '../../src/engine/booster.js';
import { matrixFromRows } from '../../src/engine/matrix.js';
import { createRng } from '../../src/engine/random.js';
import { predictRow, treeDepth } from '../../src/engine/tree.js';

describe('growing a tree (checked by hand)', () => {
  it('first tree: split at the best midpoint, leaves −G/(H+λ)·η, cover = hessian sums', () => {
    // y = [0, 0, 4, 4]: base score 2, gradients [2, 2, −2, −2], hessians 1.
    const X = matrixFromRows([
      [1, 1],
      [2, 2],
      [3, 1],
      [4, 2],
    ]);
    const y = Float64Array.from([0, 0, 4, 4]);
    const { model } = fit(X, y, { nEstimators: 1, learningRate: 0.5, maxDepth: 1, lambda: 1, minChildWeight: 1 });
    const t = model.ensemble.trees[0];
    expect(model.ensemble.baseScore).toBe(2);
    expect(Array.from(t.feature)).toEqual([0, -1, -1]);
    expect(t.threshold[0]).toBe(2.5);
    expect(Array.from(t.left)).toEqual([1, -1, -1]);
    expect(Array.from(t.right)).toEqual([2, -1, -1]);
    expect(t.value[1]).toBe((-4 / (2 + 1)) * 0.5);
    expect(t.value[2]).toBe((4 / (2 + 1)) * 0.5);
    expect(t.value[0]).toBe(0);
    expect(Array.from(t.cover)).toEqual([4, 2, 2]);
  });

  it('second level: each child splits on its own best cut with the gradients of its rows', () => {
    // x0 separates {0,1} | {2,3}; x1 then separates each pair.
    const X = matrixFromRows([
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
    ]);
    const y = Float64Array.from([0, 2, 10, 16]);
    const { model } = fit(X, y, { nEstimators: 1, learningRate: 1, maxDepth: 2, lambda: 0, minChildWeight: 0 });
    const t = model.ensemble.trees[0];
    // base 7; gradients [7, 5, −3, −9]. Root: x0 < 1.5 gives gain 12²/2 + 12²/2 = 144 (x1 gives 4²/2 + 4²/2 = 16).
    expect(Array.from(t.feature)).toEqual([0, 1, 1, -1, -1, -1, -1]);
    expect(t.threshold[0]).toBe(1.5);
    expect(t.threshold[1]).toBe(1.5);
    expect(t.threshold[2]).toBe(1.5);
    // With λ = 0 and η = 1 each leaf is −g: the exact residual of its row.
    expect(Array.from(t.value.subarray(3))).toEqual([-7, -5, 3, 9]);
    for (let i = 0; i < 4; i++) expect(predictRow(model.ensemble, [X.columns[0][i], X.columns[1][i]])).toBe(y[i]);
  });

  it('sends missing values down the learned side, in training and in prediction', () => {
    const X = matrixFromRows([[1], [2], [NaN], [NaN]]);
    const y = Float64Array.from([0, 4, 0, 0]);
    const { model } = fit(X, y, { nEstimators: 1, learningRate: 0.5, maxDepth: 1 });
    const t = model.ensemble.trees[0];
    expect(t.threshold[0]).toBe(1.5);
    expect(t.defaultLeft[0]).toBe(1);
    // Left holds x = 1 and both NaN rows: gradients 1 + 1 + 1 = 3 over hessian 3.
    expect(t.value[t.left[0]]).toBe((-3 / (3 + 1)) * 0.5);
    expect(predictRow(model.ensemble, [NaN])).toBe(1 + (-3 / 4) * 0.5);
  });

  it('sends NaN to the heavier child when training had no missing values there', () => {
    const X = matrixFromRows([[1], [2], [3], [4], [5]]);
    const y = Float64Array.from([0, 0, 0, 10, 10]);
    const { model } = fit(X, y, { nEstimators: 1, maxDepth: 1, minChildWeight: 0 });
    const t = model.ensemble.trees[0];
    expect(t.threshold[0]).toBe(3.5);
    expect(t.defaultLeft[0]).toBe(1); // 3 rows left, 2 right
  });

  it('grows leaf-wise up to maxLeaves, splitting the best leaf first', () => {
    const rng = createRng(5);
    const rows = Array.from({ length: 400 }, () => [rng.nextFloat(), rng.nextFloat()]);
    const y = Float64Array.from(rows, ([a, b]) => (a < 0.5 ? 10 * a : 0) + b * b);
    const X = matrixFromRows(rows);
    const { model } = fit(X, y, { nEstimators: 3, maxLeaves: 7, maxDepth: 0 });
    for (const t of model.ensemble.trees) {
      const leaves = Array.from(t.feature).filter((f) => f < 0).length;
      expect(leaves).toBe(7);
    }
    const deep = fit(X, y, { nEstimators: 1, maxLeaves: 20, maxDepth: 0 }).model.ensemble.trees[0];
    expect(treeDepth(deep)).toBeGreaterThan(4); // 20 leaves could fit in depth 5, but best-first goes deeper where it pays
    const capped = fit(X, y, { nEstimators: 1, maxLeaves: 20, maxDepth: 3 }).model.ensemble.trees[0];
    expect(treeDepth(capped)).toBeLessThanOrEqual(3);
  });

  it('stops at maxDepth with depth-wise growth', () => {
    const rng = createRng(9);
    const rows = Array.from({ length: 300 }, () => [rng.nextFloat(), rng.nextFloat(), rng.nextFloat()]);
    const y = Float64Array.from(rows, ([a, b, c]) => Math.sin(8 * a) + b * c);
    const { model } = fit(matrixFromRows(rows), y, { nEstimators: 5, maxDepth: 3 });
    for (const t of model.ensemble.trees) {
      expect(treeDepth(t)).toBe(3);
      expect(t.feature.length).toBe(15);
    }
  });
});
