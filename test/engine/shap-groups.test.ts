import { describe, expect, it } from 'vitest';
import { createExplainer } from '../../src/engine/shap/index.js';
import { predictRow, treeFromArrays, type Ensemble } from '../../src/engine/tree.js';
import { randomEnsemble, randomRows, rng } from './random-ensemble.js';
import { bruteForceGrouped, expectClose, sum } from './shapley-brute-force.js';

/** A random grouping of the features into `players` groups, each group used at least once. */
function randomGroups(random: () => number, numFeatures: number, players: number): number[] {
  const groups = Array.from({ length: numFeatures }, (_, f) => (f < players ? f : Math.floor(random() * players)));
  for (let i = groups.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [groups[i], groups[j]] = [groups[j], groups[i]];
  }
  return groups;
}

describe('TreeSHAP with groups of features as players', () => {
  it('equals brute-force Shapley values of the grouped game on random trees (repeated features, missing values), in every layout', () => {
    let checked = 0;
    // grouped values are not per-feature values summed by group (an interaction between features of one group and
    // the rest is shared differently): count the rows where they differ, so the match above is not a trivial one
    let differs = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const random = rng(1000 + seed);
      const numFeatures = 3 + (seed % 6); // 3..8
      const players = 1 + (seed % Math.min(numFeatures, 5)); // 1..5 groups
      const groups = randomGroups(random, numFeatures, players);
      const rows = randomRows(random, 60, numFeatures, 0.15);
      // few features, deep trees: paths test the same feature and the same group repeatedly
      const ensemble = randomEnsemble(seed, 1 + (seed % 4), rows, {
        maxDepth: 2 + (seed % 6),
        numFeatures,
        missing: 0.15,
      });
      const options = [
        {},
        { subtreeSplits: 7 },
        { subtreeSplits: 1 },
        { subtreeSplits: 0 },
        { layout: 'weights' as const },
        { maxTableEntries: 0 },
      ];
      const explainers = options.map((o) => createExplainer(ensemble, { ...o, groups: Int32Array.from(groups) }));
      expect(explainers.map((e) => e.layout)).toEqual(['vector', 'vector', 'vector', 'vector', 'weights', 'direct']);
      for (const e of explainers) expect(e.numPlayers).toBe(players);
      for (const row of rows.slice(0, 8)) {
        const expected = bruteForceGrouped(ensemble, row, groups, players);
        for (const explainer of explainers) {
          const phi = explainer.shapValues(row);
          expectClose(phi, expected, 1e-10);
          expect(Math.abs(sum(phi) - predictRow(ensemble, row))).toBeLessThan(1e-10);
        }
        const perFeature = createExplainer(ensemble).shapValues(row);
        const summed = new Float64Array(players + 1);
        for (let f = 0; f < numFeatures; f++) summed[groups[f]] += perFeature[f];
        if (summed.some((v, g) => g < players && Math.abs(v - expected[g]) > 1e-6)) differs++;
        checked++;
      }
    }
    expect(checked).toBe(320);
    expect(differs).toBeGreaterThan(50);
  });

  it('matches a grouped game worked out by hand', () => {
    // f0 < 5 → (f1 < 2 → …): f0 and f1 in one group, f2 alone
    const tree = treeFromArrays({
      feature: [0, 1, 2, -1, -1, -1, -1],
      threshold: [5, 2, 1, 0, 0, 0, 0],
      left: [1, 3, 5, -1, -1, -1, -1],
      right: [2, 4, 6, -1, -1, -1, -1],
      value: [0, 0, 0, 3, -1, 2, -2],
      cover: [100, 50, 50, 20, 30, 10, 40],
    });
    const ensemble: Ensemble = { baseScore: 0, trees: [tree], numFeatures: 3 };
    const groups = [0, 0, 1];
    const row = [1, 1, 0];
    const grouped = createExplainer(ensemble, { groups: Int32Array.from(groups) }).shapValues(row);
    expectClose(grouped, bruteForceGrouped(ensemble, row, groups, 2), 1e-12);
    // the grouped game gives the pair all of f(x) − E f along its path, here 3 − 0.4·… computed by hand:
    // v(∅) = 0.5·(0.4·3 + 0.6·(−1)) + 0.5·(0.2·2 + 0.8·(−2)) = 0.5·0.6 + 0.5·(−1.2) = −0.3; v({g0}) = 3; v({g1}) = 0.5·0.6 + 0.5·2 = 1.3; v(all) = 3
    expectClose(
      grouped,
      Float64Array.of(0.5 * (3 + 0.3) + 0.5 * (3 - 1.3), 0.5 * (1.3 + 0.3) + 0.5 * (3 - 3), -0.3),
      1e-12,
    );
  });

  it('with the identity grouping gives per-feature SHAP exactly, bit for bit', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const random = rng(seed);
      const numFeatures = 2 + (seed % 7);
      const rows = randomRows(random, 40, numFeatures, 0.1);
      const ensemble = randomEnsemble(seed, 3, rows, { maxDepth: 2 + (seed % 5), numFeatures, missing: 0.1 });
      const identity = Int32Array.from({ length: numFeatures }, (_, f) => f);
      for (const o of [{}, { layout: 'weights' as const }, { maxTableEntries: 0 }]) {
        const plain = createExplainer(ensemble, o);
        const grouped = createExplainer(ensemble, { ...o, groups: identity });
        expect(grouped.numPlayers).toBe(numFeatures);
        expect(grouped.tableEntries).toBe(plain.tableEntries);
        for (const row of rows.slice(0, 10))
          expect(Array.from(grouped.shapValues(row))).toEqual(Array.from(plain.shapValues(row)));
      }
    }
  });

  it('adds up to the prediction on every row of a 3,000-tree depth-4 model grouped into 5 players, with narrower tables', () => {
    const random = rng(11);
    const rows = randomRows(random, 400, 13, 0.01);
    const ensemble = randomEnsemble(11, 3000, rows, { maxDepth: 4, numFeatures: 13, scale: 0.02 });
    const groups = Int32Array.of(0, 1, 2, 3, 4, 4, 0, 0, 0, 0, 0, 4, 4); // Loupe's 13 features → its 5 factors
    const explainer = createExplainer(ensemble, { groups });
    const perFeature = createExplainer(ensemble);
    expect(explainer.layout).toBe('vector');
    expect(explainer.tableEntries).toBeLessThan(perFeature.tableEntries);
    const out = new Float64Array(6);
    let worst = 0;
    for (const row of rows) {
      explainer.shapValues(row, out);
      worst = Math.max(worst, Math.abs(sum(out) - predictRow(ensemble, row)));
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('refuses a grouping that does not fit the model', () => {
    const tree = treeFromArrays({
      feature: [1, -1, -1],
      threshold: [1, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      value: [0, 1, 2],
      cover: [2, 1, 1],
    });
    const ensemble: Ensemble = { baseScore: 0, trees: [tree], numFeatures: 3 };
    expect(() => createExplainer(ensemble, { groups: [0, 1] })).toThrow(/a player for each of the 3 features, found 2/);
    expect(() => createExplainer(ensemble, { groups: [0, -1, 0] })).toThrow(
      /groups\[1\] must be an integer player index/,
    );
    expect(() => createExplainer(ensemble, { groups: [0, 1.5, 0] })).toThrow(/groups\[1\]/);
    expect(() => createExplainer(ensemble, { groups: [0, 0, 0] }).shapValues([1, 2, 3], new Float64Array(4))).toThrow(
      /output must have length 2/,
    );
  });
});

describe('TreeSHAP and the prediction from one pass', () => {
  it('gives the prediction bit for bit as predictRow, and the same values as shapValues, in every layout', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = rng(500 + seed);
      const numFeatures = 2 + (seed % 6);
      const rows = randomRows(random, 50, numFeatures, 0.15);
      const ensemble = randomEnsemble(seed, 1 + (seed % 7), rows, {
        maxDepth: 1 + (seed % 6),
        numFeatures,
        missing: 0.15,
      });
      // a single-leaf tree among them: its value is part of every prediction
      ensemble.trees.push(
        treeFromArrays({ feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0.25 * seed], cover: [10] }),
      );
      const groups = Int32Array.from({ length: numFeatures }, (_, f) => f % 3);
      for (const o of [
        {},
        { subtreeSplits: 7 },
        { subtreeSplits: 1 },
        { subtreeSplits: 0 },
        { layout: 'weights' as const },
        { maxTableEntries: 0 },
        { groups },
      ]) {
        const explainer = createExplainer(ensemble, o);
        const out = new Float64Array(explainer.numPlayers + 1);
        for (const row of rows.slice(0, 12)) {
          expect(explainer.shapValuesAndPrediction(row, out)).toBe(predictRow(ensemble, row));
          expect(Array.from(out)).toEqual(Array.from(explainer.shapValues(row)));
        }
      }
    }
  });
});
