import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createExplainer } from '../../src/engine/shap/index.js';
import { MAX_TREE_DEPTH, predictRow, type Ensemble } from '../../src/engine/tree.js';
import { float32SplitBoundary, readXGBoostModel } from '../../src/engine/xgboost.js';

const FIXTURES = new URL('../fixtures/xgboost/', import.meta.url);
const NAMES = ['diamonds-plain', 'diamonds-missing', 'diamonds-monotone'];

interface Expected {
  xgboost_version: string;
  feature_names: string[];
  rows: (number | null)[][];
  margin: number[];
  contribs: number[][];
}

function fixture(name: string) {
  const text = readFileSync(new URL(`${name}.model.json`, FIXTURES), 'utf8');
  const expected = JSON.parse(readFileSync(new URL(`${name}.expected.json`, FIXTURES), 'utf8')) as Expected;
  const rows = expected.rows.map((row) => Float64Array.from(row, (v) => (v === null ? NaN : v)));
  return { text, expected, rows };
}

/** A copy of the plain fixture's JSON with one change, for the refusal tests. */
function altered(change: (doc: any) => void): any {
  const doc = JSON.parse(fixture('diamonds-plain').text);
  change(doc);
  return doc;
}

describe('reading XGBoost JSON models', () => {
  for (const name of NAMES) {
    it(`${name}: predicts what XGBoost predicted and explains like its pred_contribs`, () => {
      const { text, expected, rows } = fixture(name);
      const model = readXGBoostModel(text);
      expect(model.version).toBe(expected.xgboost_version);
      expect(model.objective).toBe('reg:squarederror');
      expect(model.featureNames).toEqual(expected.feature_names);
      expect(model.ensemble.numFeatures).toBe(9);
      expect(rows.length).toBeGreaterThanOrEqual(30);
      const explainer = createExplainer(model.ensemble);
      rows.forEach((row, i) => {
        const prediction = predictRow(model.ensemble, row);
        expect(Math.abs(prediction - expected.margin[i])).toBeLessThan(
          1e-6 * Math.max(1, Math.abs(expected.margin[i])),
        );
        const phi = explainer.shapValues(row);
        const theirs = expected.contribs[i];
        expect(phi.length).toBe(theirs.length);
        for (let f = 0; f < phi.length; f++) expect(Math.abs(phi[f] - theirs[f])).toBeLessThan(1e-5);
        expect(Math.abs(phi.reduce((s, v) => s + v, 0) - prediction)).toBeLessThan(1e-9);
      });
    });
  }

  it('decides splits on float32 inputs as XGBoost does (the plain fixture has rows on and around thresholds)', () => {
    const { text, expected, rows } = fixture('diamonds-plain');
    const model = readXGBoostModel(text);
    // the same trees with thresholds taken as plain doubles: wrong for inputs that round to a threshold
    const doc = JSON.parse(text);
    const naive: Ensemble = {
      ...model.ensemble,
      trees: model.ensemble.trees.map((tree, t) => {
        const conditions = doc.learner.gradient_booster.model.trees[t].split_conditions as number[];
        return {
          ...tree,
          threshold: Float64Array.from(tree.threshold, (b, i) => (tree.feature[i] >= 0 ? conditions[i] : b)),
        };
      }),
    };
    let naiveWrong = 0;
    rows.forEach((row, i) => {
      if (Math.abs(predictRow(naive, row) - expected.margin[i]) > 1e-4) naiveWrong++;
      expect(Math.abs(predictRow(model.ensemble, row) - expected.margin[i])).toBeLessThan(1e-5);
    });
    expect(naiveWrong).toBeGreaterThan(0);
  });

  it('float32SplitBoundary: x < boundary exactly when fround(x) < threshold', () => {
    const float32 = fc.float({ noDefaultInfinity: true, noNaN: true });
    fc.assert(
      fc.property(
        float32,
        fc.integer({ min: -3, max: 3 }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (t, step, jitter) => {
          const b = float32SplitBoundary(t);
          // doubles right around the boundary, where a wrong rule would show
          const f64 = new Float64Array([b]);
          const bits = new BigInt64Array(f64.buffer);
          bits[0] += BigInt(step);
          for (const x of [f64[0], t, b, t + jitter * Math.abs(t) * 2 ** -24]) {
            if (!Number.isFinite(x)) continue;
            expect(x < b).toBe(Math.fround(x) < Math.fround(t));
          }
        },
      ),
      { numRuns: 3000, seed: 42 },
    );
    expect(float32SplitBoundary(0)).toBe(-(2 ** -150));
    expect(Math.fround(0.70499999) < Math.fround(0.705)).toBe(false);
    expect(0.70499999 < float32SplitBoundary(0.705)).toBe(false);
  });

  it('reads the base score in the 2.x "[5E-1]" form and refuses several', () => {
    const model = readXGBoostModel(altered((d) => (d.learner.learner_model_param.base_score = '[5E-1]')));
    expect(model.baseScore).toBe(0.5);
    expect(() => readXGBoostModel(altered((d) => (d.learner.learner_model_param.base_score = '[5E-1,2E-1]')))).toThrow(
      /has 2 values/,
    );
  });

  it('refuses what it cannot reproduce, naming what it found', () => {
    const cases: [(doc: any) => void, RegExp][] = [
      [(d) => (d.learner.gradient_booster.name = 'dart'), /booster "dart"; only gbtree is supported/],
      [(d) => (d.learner.gradient_booster = { name: 'gblinear', model: {} }), /booster "gblinear"/],
      [(d) => (d.learner.objective.name = 'reg:logistic'), /objective "reg:logistic" transforms the margin/],
      [(d) => (d.learner.objective.name = 'count:poisson'), /objective "count:poisson"/],
      [(d) => (d.learner.learner_model_param.num_class = '3'), /3 classes/],
      [(d) => (d.learner.learner_model_param.num_target = '2'), /2 targets/],
      [(d) => (d.learner.gradient_booster.model.trees[4].split_type[0] = 1), /tree 4 has categorical splits/],
      [
        (d) => (d.learner.gradient_booster.model.trees[2].tree_param.size_leaf_vector = '3'),
        /tree 2 has vector leaves/,
      ],
      [
        (d) => (d.learner.gradient_booster.model.trees[0].split_indices[0] = 12),
        /tree 0 node 0: split feature 12 is outside the model's 9 features/,
      ],
      [
        (d) => (d.learner.gradient_booster.model.trees[1].left_children[0] = 99),
        /tree 1 node 0: child 99 is not a node/,
      ],
      [
        (d) => d.learner.gradient_booster.model.trees[3].sum_hessian.pop(),
        /tree 3: sum_hessian has 6 entries, expected 7/,
      ],
      [(d) => delete d.learner, /learner is missing/],
    ];
    for (const [change, message] of cases) expect(() => readXGBoostModel(altered(change))).toThrow(message);
    expect(() => readXGBoostModel('{"learner": ')).toThrow(/not JSON/);
  });

  it('refuses trees whose links are not a tree: a cycle, a shared child, a path too deep (never a hang or a stack overflow)', () => {
    const tree0 = (d: any) => d.learner.gradient_booster.model.trees[0];
    /** Tree 0 made a chain `depth` splits deep (node 2k splits, its left child 2k+1 is a leaf). */
    const chain = (depth: number) => (d: any) => {
      const n = 2 * depth + 1;
      const split = (i: number) => i % 2 === 0 && i < n - 1;
      const t = tree0(d);
      t.left_children = Array.from({ length: n }, (_, i) => (split(i) ? i + 1 : -1));
      t.right_children = Array.from({ length: n }, (_, i) => (split(i) ? i + 2 : -1));
      t.split_indices = new Array(n).fill(0);
      t.split_conditions = Array.from({ length: n }, (_, i) => (split(i) ? i : 0.01));
      t.default_left = new Array(n).fill(1);
      t.sum_hessian = Array.from({ length: n }, (_, i) => n - i);
      t.split_type = new Array(n).fill(0);
    };
    const cases: [(doc: any) => void, string | RegExp][] = [
      [(d) => (tree0(d).left_children[1] = 1), 'tree 0: node 1 is reached twice from the root (a cycle'],
      [
        (d) => {
          tree0(d).left_children[1] = 2; // node 2 is the root's right child too
        },
        'tree 0: node 2 is reached twice from the root',
      ],
      [
        (d) => {
          // 1 → 2 → 1: a cycle between the root's two children
          tree0(d).left_children[2] = 1;
          tree0(d).left_children[1] = 2;
        },
        /tree 0: node [12] is reached twice from the root/,
      ],
      [chain(MAX_TREE_DEPTH + 1), `tree 0: a path is more than ${MAX_TREE_DEPTH} splits deep`],
      [(d) => (tree0(d).sum_hessian[0] = 0), 'tree 0: node 0: cover 0 must be > 0 at a split'],
      [(d) => (tree0(d).sum_hessian[3] = -2), 'tree 0: node 3: cover -2 must be ≥ 0'],
    ];
    for (const [change, message] of cases) expect(() => readXGBoostModel(altered(change))).toThrow(message);
    expect(readXGBoostModel(altered(chain(MAX_TREE_DEPTH))).ensemble.trees[0].feature.length).toBe(
      2 * MAX_TREE_DEPTH + 1,
    );
  });

  it('refuses a model with no trees, or a writer it does not know', () => {
    const cases: [(doc: any) => void, string | RegExp][] = [
      [
        (d) => {
          d.learner.gradient_booster.model.trees = [];
          d.learner.gradient_booster.model.tree_info = [];
        },
        /trees is empty: the model has no trees/,
      ],
      [(d) => (d.version = [9, 0, 0]), 'written by XGBoost 9.0.0; Loupe reads models written by XGBoost 1.x to 3.x'],
      [(d) => (d.version = '1.7.4'), /version "1.7.4" is not XGBoost's \[major, minor, patch\]/],
      [(d) => delete d.version, /version undefined is not XGBoost's/],
    ];
    for (const [change, message] of cases) expect(() => readXGBoostModel(altered(change))).toThrow(message);
    expect(readXGBoostModel(altered((d) => (d.version = [3, 0, 2]))).version).toBe('3.0.2');
  });
});
