/**
 * Fast batch prediction. An ensemble is compiled once into one set of flat arrays for all trees, with leaves
 * encoded as negative child indices (~leaf), so the inner loop is a tight compare-and-jump with no per-tree
 * objects. Rows are copied in blocks into a row-major buffer and every tree is applied to the whole block
 * before the next tree, so the tree's nodes stay in cache. Sums run base + tree 0 + tree 1 + … for every row,
 * the same order as tree.ts's predictRow, so results are identical to the reference walk, bit for bit.
 */

import type { FeatureMatrix } from './matrix.js';
import type { Ensemble, Tree } from './tree.js';

export interface CompiledEnsemble {
  baseScore: number;
  numFeatures: number;
  /** Entry node of each tree (negative: the tree is a single leaf, ~index into leafValue). */
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  /** Child links: >= 0 an internal node, < 0 a leaf (~index into leafValue). */
  left: Int32Array;
  right: Int32Array;
  defaultLeft: Uint8Array;
  leafValue: Float64Array;
}

const cache = new WeakMap<Ensemble, { trees: Tree[]; count: number; compiled: CompiledEnsemble }>();

export function compileEnsemble(ensemble: Ensemble): CompiledEnsemble {
  const hit = cache.get(ensemble);
  if (hit && hit.trees === ensemble.trees && hit.count === ensemble.trees.length) return hit.compiled;
  let internal = 0;
  let leaves = 0;
  for (const t of ensemble.trees) for (let i = 0; i < t.feature.length; i++) t.feature[i] >= 0 ? internal++ : leaves++;
  const c: CompiledEnsemble = {
    baseScore: ensemble.baseScore,
    numFeatures: ensemble.numFeatures,
    roots: new Int32Array(ensemble.trees.length),
    feature: new Int32Array(internal),
    threshold: new Float64Array(internal),
    left: new Int32Array(internal),
    right: new Int32Array(internal),
    defaultLeft: new Uint8Array(internal),
    leafValue: new Float64Array(leaves),
  };
  let nextInternal = 0;
  let nextLeaf = 0;
  const remap = new Int32Array(Math.max(0, ...ensemble.trees.map((t) => t.feature.length)));
  ensemble.trees.forEach((t, ti) => {
    for (let i = 0; i < t.feature.length; i++) {
      if (t.feature[i] >= 0) {
        remap[i] = nextInternal;
        c.feature[nextInternal] = t.feature[i];
        c.threshold[nextInternal] = t.threshold[i];
        c.defaultLeft[nextInternal] = t.defaultLeft[i];
        nextInternal++;
      } else {
        remap[i] = ~nextLeaf;
        c.leafValue[nextLeaf++] = t.value[i];
      }
    }
    for (let i = 0; i < t.feature.length; i++) {
      if (t.feature[i] < 0) continue;
      const at = remap[i];
      c.left[at] = remap[t.left[i]];
      c.right[at] = remap[t.right[i]];
    }
    c.roots[ti] = remap[0];
  });
  cache.set(ensemble, { trees: ensemble.trees, count: ensemble.trees.length, compiled: c });
  return c;
}

const BLOCK = 128;

/** Predictions for every row of X (column-major), written into `out` when given. */
export function predictCompiled(c: CompiledEnsemble, X: FeatureMatrix, out = new Float64Array(X.rows)): Float64Array {
  const nf = c.numFeatures;
  const n = X.rows;
  const buf = new Float64Array(BLOCK * Math.max(1, nf));
  const { roots, feature, threshold, left, right, defaultLeft, leafValue } = c;
  const nTrees = roots.length;
  for (let start = 0; start < n; start += BLOCK) {
    const m = Math.min(BLOCK, n - start);
    for (let f = 0; f < nf; f++) {
      const col = X.columns[f];
      for (let i = 0; i < m; i++) buf[i * nf + f] = col[start + i];
    }
    for (let i = 0; i < m; i++) out[start + i] = c.baseScore;
    for (let t = 0; t < nTrees; t++) {
      const root = roots[t];
      for (let i = 0, rowBase = 0; i < m; i++, rowBase += nf) {
        let node = root;
        while (node >= 0) {
          const v = buf[rowBase + feature[node]];
          node = v < threshold[node] || (v !== v && defaultLeft[node] === 1) ? left[node] : right[node];
        }
        out[start + i] += leafValue[~node];
      }
    }
  }
  return out;
}

/** Prediction for one row given as an array of feature values. */
export function predictCompiledRow(c: CompiledEnsemble, row: ArrayLike<number>): number {
  const { roots, feature, threshold, left, right, defaultLeft, leafValue } = c;
  let sum = c.baseScore;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t];
    while (node >= 0) {
      const v = row[feature[node]];
      node = v < threshold[node] || (v !== v && defaultLeft[node] === 1) ? left[node] : right[node];
    }
    sum += leafValue[~node];
  }
  return sum;
}

/** Adds one tree's output to out[i] for every row of a column-major matrix (the booster's validation curve). */
export function addTreeToPredictions(tree: Tree, X: FeatureMatrix, out: Float64Array): void {
  const { feature, threshold, left, right, defaultLeft, value } = tree;
  const cols = X.columns;
  for (let i = 0; i < X.rows; i++) {
    let node = 0;
    while (feature[node] >= 0) {
      const v = cols[feature[node]][i];
      node = v < threshold[node] || (v !== v && defaultLeft[node] === 1) ? left[node] : right[node];
    }
    out[i] += value[node];
  }
}
