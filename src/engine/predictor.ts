/**
 * Fast batch prediction, compiled once per ensemble (cached) in two forms:
 *
 * Integer-coded complete trees (the fast path, for trees up to MAX_FAST_DEPTH deep). Every threshold the ensemble
 * uses on a feature is collected and sorted; an input value is coded once as the number of those thresholds <= it,
 * and each node stores the position j of its threshold, so "value < threshold" becomes "code <= j" and the step
 * to the next node is branch-free integer arithmetic: node = 2·node + 1 + ((j − code) >>> 31). Trees are padded
 * to complete binary trees (a shallow leaf becomes a node that goes left, with its value copied into every leaf
 * below), so each tree takes exactly `depth` steps; the rows of a block go through one tree after another while
 * the tree stays in cache, four rows at a time. Branch mispredictions, which dominate a pointer-chasing walk, disappear.
 *
 * Linked nodes (the general path: rows with a missing value, since NaN follows each node's default side, and
 * deeper trees, or more than MAX_FAST_NODES once padded): one flat set of arrays for all trees, leaves encoded as negative child indices (~leaf).
 *
 * Either way every row sums base + tree 0 + tree 1 + … in that order, as tree.ts's predictRow does, so results
 * equal the reference walk bit for bit.
 */

import { countAtMost, countBelow, thresholdTables } from './cuts.js';
import type { FeatureMatrix } from './matrix.js';
import { treeDepth, type Ensemble, type Tree } from './tree.js';

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
  /** The integer-coded complete trees, or null when a tree is deeper than MAX_FAST_DEPTH. */
  fast: FastTrees | null;
}

export interface FastTrees {
  /** Per feature: the sorted distinct thresholds the ensemble tests on it. */
  cuts: Float64Array[];
  /** Per tree: depth, first node, first leaf, and first leaf minus the complete layout's internal node count. */
  depth: Int32Array;
  nodeStart: Int32Array;
  leafStart: Int32Array;
  firstLeaf: Int32Array;
  /** Per node (complete layout, children of n at 2n+1 and 2n+2): feature and threshold position in cuts. */
  feature: Int32Array;
  cut: Int32Array;
  leafValue: Float64Array;
}

/** Deeper trees would be padded to more than 2^10 leaves each; they use the linked walk. */
export const MAX_FAST_DEPTH = 10;
/**
 * Most nodes the complete trees may take in all. Padding multiplies a shallow tree's size (a chain of 21 nodes
 * 10 deep becomes 2,047): past this the linked walk, which gives the same results, serves instead. The default
 * model takes 32,000; 1,000 complete trees 10 deep take 2 million.
 */
export const MAX_FAST_NODES = 1 << 22;
/** Position of padding nodes: above any code, so they always go left. */
const ALWAYS_LEFT = 0x3fffffff;

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
    fast: null,
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
  c.fast = compileFast(ensemble);
  cache.set(ensemble, { trees: ensemble.trees, count: ensemble.trees.length, compiled: c });
  return c;
}

function compileFast(ensemble: Ensemble): FastTrees | null {
  const nt = ensemble.trees.length;
  const depth = new Int32Array(nt);
  let padded = 0;
  for (let t = 0; t < nt; t++) {
    depth[t] = treeDepth(ensemble.trees[t]);
    if (depth[t] > MAX_FAST_DEPTH) return null;
    padded += 2 ** (depth[t] + 1) - 1;
  }
  if (padded > MAX_FAST_NODES) return null;
  for (const tree of ensemble.trees) {
    // `v < NaN` is never true; only the linked walk keeps that
    for (let i = 0; i < tree.feature.length; i++)
      if (tree.feature[i] >= 0 && Number.isNaN(tree.threshold[i])) return null;
  }
  const cuts = thresholdTables(ensemble.trees, ensemble.numFeatures);
  const nodeStart = new Int32Array(nt);
  const leafStart = new Int32Array(nt);
  let nodes = 0;
  let leaves = 0;
  for (let t = 0; t < nt; t++) {
    nodeStart[t] = nodes;
    leafStart[t] = leaves;
    nodes += 2 ** depth[t] - 1;
    leaves += 2 ** depth[t];
  }
  const firstLeaf = Int32Array.from(depth, (d, t) => leafStart[t] - (2 ** d - 1));
  const fast: FastTrees = {
    cuts,
    depth,
    nodeStart,
    leafStart,
    firstLeaf,
    feature: new Int32Array(nodes),
    cut: new Int32Array(nodes),
    leafValue: new Float64Array(leaves),
  };
  ensemble.trees.forEach((tree, t) => {
    const D = depth[t];
    const firstLeaf = 2 ** D - 1;
    // Walk the linked tree and the complete layout together; `src` < 0 means "below a shallow leaf of value pad".
    const place = (src: number, pos: number, d: number, pad: number): void => {
      if (d === D) {
        fast.leafValue[leafStart[t] + pos - firstLeaf] = src < 0 ? pad : tree.value[src];
        return;
      }
      const at = nodeStart[t] + pos;
      if (src < 0 || tree.feature[src] < 0) {
        const v = src < 0 ? pad : tree.value[src];
        fast.feature[at] = 0;
        fast.cut[at] = ALWAYS_LEFT;
        place(-1, 2 * pos + 1, d + 1, v);
        place(-1, 2 * pos + 2, d + 1, v);
        return;
      }
      const f = tree.feature[src];
      fast.feature[at] = f;
      fast.cut[at] = countBelow(cuts[f], tree.threshold[src]);
      place(tree.left[src], 2 * pos + 1, d + 1, 0);
      place(tree.right[src], 2 * pos + 2, d + 1, 0);
    };
    place(0, 0, 0, 0);
  });
  return fast;
}

const BLOCK = 256;

/** Predictions for every row of X (column-major), written into `out` when given. */
export function predictCompiled(
  c: CompiledEnsemble,
  X: FeatureMatrix,
  out: Float64Array = new Float64Array(X.rows),
): Float64Array {
  const nf = c.numFeatures;
  const n = X.rows;
  const values = new Float64Array(BLOCK * Math.max(1, nf));
  const codes = new Int32Array(BLOCK * Math.max(1, nf));
  const clean = new Int32Array(BLOCK); // rows of the block without NaN (fast path)
  const missing = new Int32Array(BLOCK); // rows with NaN (linked walk)
  for (let start = 0; start < n; start += BLOCK) {
    const m = Math.min(BLOCK, n - start);
    for (let f = 0; f < nf; f++) {
      const col = X.columns[f];
      for (let i = 0; i < m; i++) values[i * nf + f] = col[start + i];
    }
    let nClean = 0;
    let nMissing = 0;
    for (let i = 0; i < m; i++) {
      out[start + i] = c.baseScore;
      let hasNaN = false;
      for (let f = 0; f < nf; f++) if (values[i * nf + f] !== values[i * nf + f]) hasNaN = true;
      if (hasNaN || c.fast === null) missing[nMissing++] = i;
      else {
        const fast = c.fast;
        for (let f = 0; f < nf; f++) codes[nClean * nf + f] = countAtMost(fast.cuts[f], values[i * nf + f]);
        clean[nClean++] = i;
      }
    }
    if (nClean > 0) predictFastBlock(c.fast!, codes, nf, nClean, clean, out, start);
    for (let r = 0; r < nMissing; r++) {
      const i = missing[r];
      out[start + i] = predictLinkedRow(c, values.subarray(i * nf, (i + 1) * nf));
    }
  }
  return out;
}

function predictFastBlock(
  fast: FastTrees,
  codes: Int32Array,
  nf: number,
  m: number,
  rowOf: Int32Array,
  out: Float64Array,
  outStart: number,
): void {
  const { depth, nodeStart, firstLeaf, feature, cut, leafValue } = fast;
  for (let t = 0; t < depth.length; t++) {
    const D = depth[t];
    const base = nodeStart[t];
    const leaf0 = firstLeaf[t];
    let i = 0;
    // Four rows descend together: four independent chains of loads keep the CPU busy while each waits.
    // Right exactly when code > cut, i.e. when cut − code is negative: its sign bit.
    for (let at = 0; i + 3 < m; i += 4, at += 4 * nf) {
      const bt = at + nf;
      const ct = bt + nf;
      const dt = ct + nf;
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      for (let level = 0; level < D; level++) {
        const ka = base + a;
        const kb = base + b;
        const kc = base + c;
        const kd = base + d;
        a = 2 * a + 1 + ((cut[ka] - codes[at + feature[ka]]) >>> 31);
        b = 2 * b + 1 + ((cut[kb] - codes[bt + feature[kb]]) >>> 31);
        c = 2 * c + 1 + ((cut[kc] - codes[ct + feature[kc]]) >>> 31);
        d = 2 * d + 1 + ((cut[kd] - codes[dt + feature[kd]]) >>> 31);
      }
      out[outStart + rowOf[i]] += leafValue[leaf0 + a];
      out[outStart + rowOf[i + 1]] += leafValue[leaf0 + b];
      out[outStart + rowOf[i + 2]] += leafValue[leaf0 + c];
      out[outStart + rowOf[i + 3]] += leafValue[leaf0 + d];
    }
    for (let at = i * nf; i < m; i++, at += nf) {
      let node = 0;
      for (let level = 0; level < D; level++) {
        const k = base + node;
        node = 2 * node + 1 + ((cut[k] - codes[at + feature[k]]) >>> 31);
      }
      out[outStart + rowOf[i]] += leafValue[leaf0 + node];
    }
  }
}

/** Scratch for predictCompiledRow's integer codes (one row at a time: JavaScript runs one call at a time per thread). */
let rowCodes = new Int32Array(16);

/**
 * Prediction for one row given as an array of feature values: the integer-coded complete trees when the row has
 * no missing value (no mispredicted branches: about 3× faster than the linked walk), else the linked walk. Both
 * sum base + tree 0 + tree 1 + … from the same leaves, so the result is the same bit for bit.
 */
export function predictCompiledRow(c: CompiledEnsemble, row: ArrayLike<number>): number {
  const fast = c.fast;
  if (fast !== null) {
    const nf = c.numFeatures;
    if (rowCodes.length < nf) rowCodes = new Int32Array(nf);
    const codes = rowCodes;
    let complete = true;
    for (let f = 0; f < nf; f++) {
      const v = row[f];
      if (v !== v) {
        complete = false;
        break;
      }
      codes[f] = codeOf(fast.cuts[f], v);
    }
    if (complete) return predictFastRow(c.baseScore, fast, codes);
  }
  return predictLinkedRow(c, row);
}

/**
 * countAtMost (cuts.ts) with the halving step chosen by a select instead of a branch: a row's values fall
 * anywhere among the cuts, so the branch of the plain search is mispredicted about half the time. Same result
 * for every value (not NaN): the number of cuts ≤ it.
 */
function codeOf(cuts: Float64Array, value: number): number {
  let lo = 0;
  let n = cuts.length;
  while (n > 0) {
    const half = n >>> 1;
    const atMost = cuts[lo + half] <= value;
    lo = atMost ? lo + half + 1 : lo;
    n = atMost ? n - half - 1 : half;
  }
  return lo;
}

/**
 * One row through the integer-coded trees. A single tree's walk is a chain of dependent loads, so eight trees of
 * the same depth descend together: eight independent chains keep the CPU busy while each waits (measured 1.9×
 * faster than one tree at a time on the default model's 500 depth-5 trees). The leaves are still added in tree
 * order, so the sum is the same bit for bit.
 */
function predictFastRow(baseScore: number, fast: FastTrees, codes: Int32Array): number {
  const { depth, nodeStart, firstLeaf, feature, cut, leafValue } = fast;
  const nt = depth.length;
  let sum = baseScore;
  let t = 0;
  while (t < nt) {
    const D = depth[t];
    if (t + 7 < nt && sameDepth(depth, t, D)) {
      const s0 = nodeStart[t];
      const s1 = nodeStart[t + 1];
      const s2 = nodeStart[t + 2];
      const s3 = nodeStart[t + 3];
      const s4 = nodeStart[t + 4];
      const s5 = nodeStart[t + 5];
      const s6 = nodeStart[t + 6];
      const s7 = nodeStart[t + 7];
      let n0 = 0;
      let n1 = 0;
      let n2 = 0;
      let n3 = 0;
      let n4 = 0;
      let n5 = 0;
      let n6 = 0;
      let n7 = 0;
      for (let level = 0; level < D; level++) {
        const k0 = s0 + n0;
        const k1 = s1 + n1;
        const k2 = s2 + n2;
        const k3 = s3 + n3;
        const k4 = s4 + n4;
        const k5 = s5 + n5;
        const k6 = s6 + n6;
        const k7 = s7 + n7;
        n0 = 2 * n0 + 1 + ((cut[k0] - codes[feature[k0]]) >>> 31);
        n1 = 2 * n1 + 1 + ((cut[k1] - codes[feature[k1]]) >>> 31);
        n2 = 2 * n2 + 1 + ((cut[k2] - codes[feature[k2]]) >>> 31);
        n3 = 2 * n3 + 1 + ((cut[k3] - codes[feature[k3]]) >>> 31);
        n4 = 2 * n4 + 1 + ((cut[k4] - codes[feature[k4]]) >>> 31);
        n5 = 2 * n5 + 1 + ((cut[k5] - codes[feature[k5]]) >>> 31);
        n6 = 2 * n6 + 1 + ((cut[k6] - codes[feature[k6]]) >>> 31);
        n7 = 2 * n7 + 1 + ((cut[k7] - codes[feature[k7]]) >>> 31);
      }
      sum += leafValue[firstLeaf[t] + n0];
      sum += leafValue[firstLeaf[t + 1] + n1];
      sum += leafValue[firstLeaf[t + 2] + n2];
      sum += leafValue[firstLeaf[t + 3] + n3];
      sum += leafValue[firstLeaf[t + 4] + n4];
      sum += leafValue[firstLeaf[t + 5] + n5];
      sum += leafValue[firstLeaf[t + 6] + n6];
      sum += leafValue[firstLeaf[t + 7] + n7];
      t += 8;
    } else {
      const base = nodeStart[t];
      let node = 0;
      for (let level = 0; level < D; level++) {
        const k = base + node;
        node = 2 * node + 1 + ((cut[k] - codes[feature[k]]) >>> 31);
      }
      sum += leafValue[firstLeaf[t] + node];
      t++;
    }
  }
  return sum;
}

/** True when trees t+1..t+7 are `D` deep, as tree t is. */
function sameDepth(depth: Int32Array, t: number, D: number): boolean {
  for (let u = t + 1; u < t + 8; u++) if (depth[u] !== D) return false;
  return true;
}

function predictLinkedRow(c: CompiledEnsemble, row: ArrayLike<number>): number {
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
