import { describe, expect, it } from 'vitest';
import { createExplainer, shapValues, shapValuesBatch } from '../../src/engine/shap/index.js';
import { predictRow, treeFromArrays, type Ensemble } from '../../src/engine/tree.js';
import { randomEnsemble, randomRows, rng } from './random-ensemble.js';
import { bruteForce, expectClose, sum } from './shapley-brute-force.js';

describe('TreeSHAP', () => {
  it('equals brute-force Shapley values on small random trees (repeated features, missing values)', () => {
    let checked = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const random = rng(seed);
      const numFeatures = 2 + (seed % 5); // 2..6
      const rows = randomRows(random, 60, numFeatures, 0.15);
      const ensemble = randomEnsemble(seed, 1 + (seed % 4), rows, {
        maxDepth: 2 + (seed % 5),
        numFeatures,
        missing: 0.15,
      });
      const explainers = [
        createExplainer(ensemble),
        createExplainer(ensemble, { subtreeSplits: 7 }),
        createExplainer(ensemble, { subtreeSplits: 1 }),
        createExplainer(ensemble, { subtreeSplits: 0 }),
        createExplainer(ensemble, { layout: 'weights' }),
        createExplainer(ensemble, { maxTableEntries: 0 }),
      ];
      expect(explainers.map((e) => e.layout)).toEqual(['vector', 'vector', 'vector', 'vector', 'weights', 'direct']);
      expect(explainers[5].tableEntries).toBe(0);
      for (const row of rows.slice(0, 8)) {
        const expected = bruteForce(ensemble, row);
        for (const explainer of explainers) expectClose(explainer.shapValues(row), expected, 1e-10);
        checked++;
      }
    }
    expect(checked).toBe(320);
  });

  it('handles a feature tested twice on one path exactly (the unwind case)', () => {
    // x0 < 5 → (x1 < 2 → (x0 < 3 → leaves)) : feature 0 appears twice on the leftmost paths
    const tree = treeFromArrays({
      feature: [0, 1, 9, 0, 9, 9, 9].map((f) => (f === 9 ? -1 : f)),
      threshold: [5, 2, 0, 3, 0, 0, 0],
      left: [1, 3, -1, 5, -1, -1, -1],
      right: [2, 4, -1, 6, -1, -1, -1],
      value: [0, 0, 4, 0, -1, 2.5, -3],
      cover: [100, 60, 40, 35, 25, 20, 15],
    });
    const ensemble: Ensemble = { baseScore: 1, trees: [tree], numFeatures: 2 };
    for (const row of [
      [1, 1],
      [4, 1],
      [4, 3],
      [7, 0],
      [NaN, 1],
      [2, NaN],
    ]) {
      for (const layout of ['vector', 'weights', 'direct'] as const)
        expectClose(createExplainer(ensemble, { layout }).shapValues(row), bruteForce(ensemble, row), 1e-12);
    }
  });

  it('explains leaves behind a zero-cover child and covers that do not add up (float32 models)', () => {
    const tree = treeFromArrays({
      feature: [0, 1, -1, -1, -1],
      threshold: [5, 2, 0, 0, 0],
      left: [1, 3, -1, -1, -1],
      right: [2, 4, -1, -1, -1],
      value: [0, 0, 4, -1, 2.5],
      cover: [100.00001, 30, 70.00002, 0, 30.000004], // node 3 has no cover; children of 0 do not add up exactly
    });
    const ensemble: Ensemble = { baseScore: 0, trees: [tree], numFeatures: 2 };
    for (const row of [
      [1, 1],
      [1, 3],
      [6, 1],
      [NaN, NaN],
    ]) {
      for (const layout of ['vector', 'weights', 'direct'] as const) {
        const phi = createExplainer(ensemble, { layout }).shapValues(row);
        expectClose(phi, bruteForce(ensemble, row), 1e-12);
        expect(Math.abs(sum(phi) - predictRow(ensemble, row))).toBeLessThan(1e-12);
      }
    }
  });

  it('handles infinite thresholds and infinite inputs like the tree walk', () => {
    const tree = treeFromArrays({
      feature: [0, 1, -1, -1, -1],
      threshold: [Infinity, -Infinity, 0, 0, 0],
      left: [1, 3, -1, -1, -1],
      right: [2, 4, -1, -1, -1],
      value: [0, 0, 4, -1, 2.5],
      cover: [10, 6, 4, 2, 4],
    });
    const ensemble: Ensemble = { baseScore: 0, trees: [tree], numFeatures: 2 };
    for (const row of [
      [1, 1],
      [Infinity, 1],
      [-Infinity, -Infinity],
      [5, Infinity],
      [NaN, -Infinity],
    ]) {
      const phi = createExplainer(ensemble).shapValues(row);
      expectClose(phi, bruteForce(ensemble, row), 1e-12);
      expect(Math.abs(sum(phi) - predictRow(ensemble, row))).toBeLessThan(1e-12);
    }
  });

  it('gives a single-leaf tree no contributions and puts its value in the expected value', () => {
    const leaf = treeFromArrays({ feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0.7], cover: [10] });
    const phi = shapValues({ baseScore: 2, trees: [leaf], numFeatures: 3 }, [1, 2, 3]);
    expect(Array.from(phi)).toEqual([0, 0, 0, 2.7]);
  });

  it('adds up to the prediction on every row of a 1,000-tree depth-4 model', () => {
    const random = rng(7);
    const rows = randomRows(random, 800, 11, 0.02);
    const ensemble = randomEnsemble(7, 1000, rows, { maxDepth: 4, numFeatures: 11, scale: 0.05 });
    const explainer = createExplainer(ensemble);
    expect(explainer.layout).toBe('vector');
    const out = new Float64Array(12);
    let worst = 0;
    for (const row of rows) {
      explainer.shapValues(row, out);
      worst = Math.max(worst, Math.abs(sum(out) - predictRow(ensemble, row)));
    }
    expect(worst).toBeLessThan(1e-9);
    const batch = shapValuesBatch(ensemble, rows.slice(0, 5));
    expect(batch).toHaveLength(5);
    expectClose(batch[3], explainer.shapValues(rows[3]), 0);
  });

  it('explains many rows in blocks exactly as one by one, rows with missing values among them', () => {
    const random = rng(12);
    const rows = randomRows(random, 150, 9, 0.1); // about 60% of rows have a missing value somewhere
    const complete = randomRows(random, 100, 9, 0);
    const mixed = rows.flatMap((r, i) => (i < complete.length ? [r, complete[i]] : [r]));
    const ensemble = randomEnsemble(12, 200, mixed, { maxDepth: 5, numFeatures: 9, scale: 0.05 });
    for (const groups of [undefined, [0, 0, 1, 1, 2, 2, 3, 3, 4]]) {
      const explainer = createExplainer(ensemble, { groups });
      expect(explainer.layout).toBe('vector');
      const batch = explainer.shapValuesBatch(mixed);
      expect(batch).toHaveLength(mixed.length);
      // bit for bit, whether a row went through a block (complete) or on its own (missing values)
      mixed.forEach((row, i) => {
        expect(Array.from(batch[i])).toEqual(Array.from(explainer.shapValues(row)));
      });
    }
  });

  it("the compiled unit loops give the plain loop's numbers bit for bit (compile: false), complete rows or not", () => {
    let completeRows = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const random = rng(500 + seed);
      const numFeatures = 2 + (seed % 7);
      const rows = [...randomRows(random, 40, numFeatures, 0), ...randomRows(random, 20, numFeatures, 0.2)];
      const ensemble = randomEnsemble(seed, 3 + (seed % 30), rows, {
        maxDepth: 1 + (seed % 6),
        numFeatures,
        missing: 0.1,
      });
      const groups = Array.from({ length: numFeatures }, (_, f) => f >> 1);
      for (const options of [{}, { subtreeSplits: 1 }, { subtreeSplits: 0 }, { groups }]) {
        const compiled = createExplainer(ensemble, options);
        const plain = createExplainer(ensemble, { ...options, compile: false });
        expect([compiled.layout, plain.layout]).toEqual(['vector', 'vector']);
        const a = new Float64Array(compiled.numPlayers + 1);
        const b = new Float64Array(plain.numPlayers + 1);
        for (const row of rows) {
          if (row.every((v) => !Number.isNaN(v))) completeRows++;
          expect(Array.from(compiled.shapValues(row))).toEqual(Array.from(plain.shapValues(row)));
          // the prediction comes from the row indices each loop recorded
          expect(compiled.shapValuesAndPrediction(row, a)).toBe(plain.shapValuesAndPrediction(row, b));
          expect(Array.from(a)).toEqual(Array.from(b));
        }
        // blocks of complete rows through the compiled block kernel; without compiling, one row at a time
        const batch = compiled.shapValuesBatch(rows);
        plain.shapValuesBatch(rows).forEach((values, i) => {
          expect(Array.from(batch[i])).toEqual(Array.from(values));
        });
      }
    }
    expect(completeRows).toBeGreaterThan(24 * 4 * 40 - 1);
  });

  it('refuses malformed input with a clear message', () => {
    const tree = treeFromArrays({
      feature: [4, -1, -1],
      threshold: [1, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      value: [0, 1, 2],
      cover: [2, 1, 1],
    });
    expect(() => createExplainer({ baseScore: 0, trees: [tree], numFeatures: 3 })).toThrow(
      /feature 4 is outside the model's 3 features/,
    );
    const ok: Ensemble = { baseScore: 0, trees: [tree], numFeatures: 5 };
    expect(() => createExplainer(ok).shapValues([1, 2])).toThrow(/row has 2 values, the model needs 5/);
    const cyclic = treeFromArrays({
      feature: [0, 0, -1],
      threshold: [1, 1, 0],
      left: [1, 0, -1],
      right: [2, 2, -1],
      value: [0, 0, 1],
      cover: [2, 1, 1],
    });
    expect(() => createExplainer({ baseScore: 0, trees: [cyclic], numFeatures: 1 })).toThrow(/not a tree/);
    const nanThreshold = treeFromArrays({
      feature: [0, -1, -1],
      threshold: [NaN, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      value: [0, 1, 2],
      cover: [2, 1, 1],
    });
    expect(() => createExplainer({ baseScore: 0, trees: [nanThreshold], numFeatures: 1 })).toThrow(/threshold is NaN/);
    const noCover = treeFromArrays({
      feature: [0, -1, -1],
      threshold: [1, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      value: [0, 1, 2],
      cover: [0, 0, 0],
    });
    expect(() => createExplainer({ baseScore: 0, trees: [noCover], numFeatures: 1 })).toThrow(/cover must be > 0/);
  });
});
