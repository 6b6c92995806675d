/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2) for an Ensemble, computed the way Fast
 * TreeSHAP v2 (Yang 2021) does: the part of the work that does not depend on the row is done once per model.
 *
 * Why this is exact. For a leaf l with value v, let U be the distinct features tested on its path (d of them),
 * z_j the product of the cover fractions cover(child)/cover(parent) over the path's splits on feature j, and o_j
 * 1 when the row takes every split on j the path's way, else 0 (a feature tested twice on a path is merged this
 * way: that is exactly what Algorithm 2's unwind step achieves). The leaf adds to feature i in U
 *     v · (o_i − z_i) · Σ_{S ⊆ U∖{i}} w(|S|, d) · Π_{j∈S} o_j · Π_{j∈U∖S∖{i}} z_j,   w(s, d) = s!(d−s−1)!/d!.
 * Since o is 0/1 the sum only runs over subsets of O = {j : o_j = 1}, so with
 *     B(O) = v · Σ_{S ⊆ O} w(|S|, d) · Π_{j∈U∖S} z_j
 * the leaf adds −B(O) to every i outside O and (1 − z_i)/z_i · B(O∖{i}) to every i inside O. B depends on the
 * row only through the d-bit mask O, so it is tabulated per leaf (2^d numbers) when the explainer is built; a
 * row then costs, per leaf, d comparisons to form O and d table reads: O(T·L·D) instead of O(T·L·D²).
 *
 * A leaf whose path has a zero cover fraction (z_i = 0 makes the division impossible), or a model whose tables
 * would exceed the memory budget, is explained by the direct per-leaf formula above (O(d³) per leaf, still exact).
 *
 * The result is in the model's output space (the margin: baseScore + Σ tree outputs); the last entry is the
 * expected value, and the entries add up to the prediction.
 */
import type { Ensemble, Tree } from './tree.js';

export interface ExplainerOptions {
  /** Most table entries (8 bytes each) the explainer may hold; above it every leaf uses the direct formula. */
  maxTableEntries?: number;
}

export interface TreeExplainer {
  readonly numFeatures: number;
  /** The path-dependent expected value of the model's output (what the contributions start from). */
  readonly expectedValue: number;
  /** Number of precomputed weights held (memory is 8 bytes each). */
  readonly tableEntries: number;
  /**
   * Contributions of each feature followed by the expected value (length numFeatures + 1); they add up to the
   * prediction. Writes into `out` when given (it must have that length), which makes the call allocation-free.
   */
  shapValues(row: ArrayLike<number>, out?: Float64Array): Float64Array;
  /** shapValues for many rows: one Float64Array of length numFeatures + 1 per row. */
  shapValuesBatch(rows: ArrayLike<ArrayLike<number>>): Float64Array[];
}

/** Default memory budget for the tables: 8M entries, 64 MB; a 1,000-tree depth-6 model needs about 4M. */
export const DEFAULT_MAX_TABLE_ENTRIES = 1 << 23;
/** Leaves with more distinct path features than this never get a table (2^d grows too fast). */
const MAX_TABLE_DEPTH = 16;

/** w(s, d) = s!(d−s−1)!/d! = 1 / (d · C(d−1, s)), computed without factorials. */
function shapleyWeight(s: number, d: number): number {
  let binom = 1;
  for (let k = 1; k <= s; k++) binom = (binom * (d - 1 - s + k)) / k;
  return 1 / (d * binom);
}

/** Weight tables by d: WEIGHTS[d][s] = w(s, d), grown as deeper paths are met. */
const WEIGHTS: Float64Array[] = [new Float64Array(0)];
function weightsFor(d: number): Float64Array {
  while (WEIGHTS.length <= d) {
    const n = WEIGHTS.length;
    const w = new Float64Array(n);
    for (let s = 0; s < n; s++) w[s] = shapleyWeight(s, n);
    WEIGHTS.push(w);
  }
  return WEIGHTS[d];
}

interface LeafPath {
  leaf: number;
  /** Distinct features on the path, in order of first appearance. */
  features: number[];
  /** Merged zero fraction per distinct feature. */
  zero: number[];
  /** The path's internal nodes, the way it goes at each (1 = left), and the distinct-feature slot of each. */
  nodes: number[];
  wantLeft: number[];
  slots: number[];
}

function leafPaths(tree: Tree, treeIndex: number): LeafPath[] {
  const out: LeafPath[] = [];
  const nodes: number[] = [];
  const wantLeft: number[] = [];
  const fractions: number[] = [];
  let visited = 0;
  const visit = (node: number): void => {
    // a tree visits each node once; more visits mean shared children or a cycle
    if (++visited > tree.feature.length) throw new RangeError(`tree ${treeIndex} is not a tree: a node is reached twice`);
    if (tree.feature[node] < 0) {
      const features: number[] = [];
      const zero: number[] = [];
      const slots: number[] = [];
      for (let k = 0; k < nodes.length; k++) {
        const f = tree.feature[nodes[k]];
        let slot = features.indexOf(f);
        if (slot < 0) {
          slot = features.length;
          features.push(f);
          zero.push(1);
        }
        zero[slot] *= fractions[k];
        slots.push(slot);
      }
      out.push({ leaf: node, features, zero, nodes: nodes.slice(), wantLeft: wantLeft.slice(), slots });
      return;
    }
    const cover = tree.cover[node];
    if (!(cover > 0)) throw new RangeError(`tree ${treeIndex} node ${node}: cover must be > 0 for TreeSHAP, found ${cover}`);
    for (const goLeft of [1, 0]) {
      const child = goLeft ? tree.left[node] : tree.right[node];
      if (!(Number.isInteger(child) && child >= 0 && child < tree.feature.length)) throw new RangeError(`tree ${treeIndex} node ${node}: child index ${child} is out of range`);
      const childCover = tree.cover[child];
      if (!(childCover >= 0)) throw new RangeError(`tree ${treeIndex} node ${child}: cover must be ≥ 0, found ${childCover}`);
      nodes.push(node);
      wantLeft.push(goLeft);
      fractions.push(childCover / cover);
      visit(child);
      nodes.pop();
      wantLeft.pop();
      fractions.pop();
    }
  };
  visit(0);
  return out;
}

/** B(O) for every mask O of a leaf's d distinct features (B(all) is never read and left 0). */
function fillTable(value: number, zero: number[], table: Float64Array, offset: number): void {
  const d = zero.length;
  const w = weightsFor(d);
  const coef = new Float64Array(d + 1);
  const full = (1 << d) - 1;
  for (let mask = 0; mask < full; mask++) {
    // coefficients of Π_j (z_j + [j ∈ O]·t): coef[s] = Σ_{S⊆O, |S|=s} Π_{j∉S} z_j
    coef.fill(0);
    coef[0] = 1;
    let deg = 0;
    for (let j = 0; j < d; j++) {
      const z = zero[j];
      if (mask & (1 << j)) {
        for (let s = deg + 1; s > 0; s--) coef[s] = coef[s] * z + coef[s - 1];
        coef[0] *= z;
        deg++;
      } else {
        for (let s = 0; s <= deg; s++) coef[s] *= z;
      }
    }
    let sum = 0;
    for (let s = 0; s <= deg; s++) sum += w[s] * coef[s];
    table[offset + mask] = value * sum;
  }
  table[offset + full] = 0;
}

class FastTreeExplainer implements TreeExplainer {
  readonly numFeatures: number;
  readonly expectedValue: number;
  readonly tableEntries: number;

  private readonly trees: Tree[];
  /** Per tree: its internal nodes, and its range of leaves in the leaf arrays. */
  private readonly internalStart: Int32Array;
  private readonly internalNodes: Int32Array;
  private readonly leafStart: Int32Array;
  /** Per leaf. */
  private readonly leafDepth: Uint8Array;
  private readonly leafValue: Float64Array;
  private readonly leafFeatureStart: Int32Array;
  private readonly leafPathStart: Int32Array;
  /** Offset of the leaf's B table, or -1 when the leaf is explained by the direct formula. */
  private readonly leafTable: Float64Array;
  /** Per distinct feature of a leaf: the feature, its zero fraction z, and (1 − z)/z. */
  private readonly slotFeature: Int32Array;
  private readonly slotZero: Float64Array;
  private readonly slotRatio: Float64Array;
  /** Per path step of a leaf: the node, the way the path goes (1 = left), and the slot. */
  private readonly stepNode: Int32Array;
  private readonly stepLeft: Uint8Array;
  private readonly stepSlot: Uint8Array;
  private readonly table: Float64Array;
  /** Scratch: the way the row goes at each node of the current tree; polynomial for the direct formula. */
  private readonly goLeft: Uint8Array;
  private readonly poly: Float64Array;

  constructor(ensemble: Ensemble, options: ExplainerOptions = {}) {
    const numFeatures = ensemble.numFeatures;
    if (!Number.isInteger(numFeatures) || numFeatures < 0) throw new RangeError(`numFeatures must be a non-negative integer, found ${numFeatures}`);
    const budget = options.maxTableEntries ?? DEFAULT_MAX_TABLE_ENTRIES;
    this.numFeatures = numFeatures;
    this.trees = ensemble.trees;
    const paths: LeafPath[][] = ensemble.trees.map((tree, t) => {
      for (let n = 0; n < tree.feature.length; n++) {
        const f = tree.feature[n];
        if (f >= numFeatures) throw new RangeError(`tree ${t} node ${n}: feature ${f} is outside the model's ${numFeatures} features`);
      }
      return leafPaths(tree, t);
    });

    let leaves = 0;
    let slots = 0;
    let steps = 0;
    let internal = 0;
    let wanted = 0;
    let maxNodes = 0;
    let maxDepth = 0;
    for (let t = 0; t < paths.length; t++) {
      const tree = ensemble.trees[t];
      maxNodes = Math.max(maxNodes, tree.feature.length);
      for (let n = 0; n < tree.feature.length; n++) if (tree.feature[n] >= 0) internal++;
      for (const p of paths[t]) {
        leaves++;
        slots += p.features.length;
        steps += p.nodes.length;
        maxDepth = Math.max(maxDepth, p.features.length);
        if (p.features.length > 255 || p.nodes.length > 65535) throw new RangeError(`tree ${t}: a path with ${p.nodes.length} splits is too deep`);
        if (useTable(p)) wanted += 1 << p.features.length;
      }
    }
    const tablesFit = wanted <= budget;

    this.internalStart = new Int32Array(paths.length + 1);
    this.internalNodes = new Int32Array(internal);
    this.leafStart = new Int32Array(paths.length + 1);
    this.leafDepth = new Uint8Array(leaves);
    this.leafValue = new Float64Array(leaves);
    this.leafFeatureStart = new Int32Array(leaves + 1);
    this.leafPathStart = new Int32Array(leaves + 1);
    this.leafTable = new Float64Array(leaves);
    this.slotFeature = new Int32Array(slots);
    this.slotZero = new Float64Array(slots);
    this.slotRatio = new Float64Array(slots);
    this.stepNode = new Int32Array(steps);
    this.stepLeft = new Uint8Array(steps);
    this.stepSlot = new Uint8Array(steps);
    this.table = new Float64Array(tablesFit ? wanted : 0);
    this.goLeft = new Uint8Array(maxNodes);
    this.poly = new Float64Array(maxDepth + 2);
    this.tableEntries = this.table.length;

    let expected = ensemble.baseScore;
    let li = 0;
    let si = 0;
    let pi = 0;
    let ii = 0;
    let ti = 0;
    for (let t = 0; t < paths.length; t++) {
      const tree = ensemble.trees[t];
      this.internalStart[t] = ii;
      for (let n = 0; n < tree.feature.length; n++) if (tree.feature[n] >= 0) this.internalNodes[ii++] = n;
      this.leafStart[t] = li;
      for (const p of paths[t]) {
        const value = tree.value[p.leaf];
        let reach = 1;
        for (const z of p.zero) reach *= z;
        expected += value * reach;
        this.leafDepth[li] = p.features.length;
        this.leafValue[li] = value;
        this.leafFeatureStart[li] = si;
        this.leafPathStart[li] = pi;
        for (let k = 0; k < p.features.length; k++) {
          this.slotFeature[si] = p.features[k];
          this.slotZero[si] = p.zero[k];
          this.slotRatio[si] = (1 - p.zero[k]) / p.zero[k];
          si++;
        }
        for (let k = 0; k < p.nodes.length; k++) {
          this.stepNode[pi] = p.nodes[k];
          this.stepLeft[pi] = p.wantLeft[k];
          this.stepSlot[pi] = p.slots[k];
          pi++;
        }
        if (tablesFit && useTable(p)) {
          this.leafTable[li] = ti;
          fillTable(value, p.zero, this.table, ti);
          ti += 1 << p.features.length;
        } else {
          this.leafTable[li] = -1;
        }
        li++;
      }
    }
    this.internalStart[paths.length] = ii;
    this.leafStart[paths.length] = li;
    this.leafFeatureStart[li] = si;
    this.leafPathStart[li] = pi;
    this.expectedValue = expected;
  }

  shapValues(row: ArrayLike<number>, out?: Float64Array): Float64Array {
    const m = this.numFeatures;
    if (row.length < m) throw new RangeError(`row has ${row.length} values, the model needs ${m}`);
    const phi = out ?? new Float64Array(m + 1);
    if (phi.length !== m + 1) throw new RangeError(`output must have length ${m + 1}, found ${phi.length}`);
    phi.fill(0);
    const { trees, internalStart, internalNodes, leafStart, leafDepth, leafFeatureStart, leafPathStart, leafTable } = this;
    const { slotFeature, slotRatio, stepNode, stepLeft, stepSlot, table, goLeft } = this;
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t];
      const feature = tree.feature;
      const threshold = tree.threshold;
      const defaultLeft = tree.defaultLeft;
      for (let k = internalStart[t], end = internalStart[t + 1]; k < end; k++) {
        const n = internalNodes[k];
        const v = row[feature[n]];
        goLeft[n] = v < threshold[n] ? 1 : v >= threshold[n] ? 0 : defaultLeft[n];
      }
      for (let l = leafStart[t], lend = leafStart[t + 1]; l < lend; l++) {
        const d = leafDepth[l];
        if (d === 0) continue;
        let mask = (1 << d) - 1;
        for (let s = leafPathStart[l], send = leafPathStart[l + 1]; s < send; s++) {
          if (goLeft[stepNode[s]] !== stepLeft[s]) mask &= ~(1 << stepSlot[s]);
        }
        const base = leafTable[l];
        const f0 = leafFeatureStart[l];
        if (base < 0) {
          this.directLeaf(l, mask, phi);
          continue;
        }
        const outside = table[base + mask];
        for (let k = 0; k < d; k++) {
          const bit = 1 << k;
          if (mask & bit) phi[slotFeature[f0 + k]] += slotRatio[f0 + k] * table[base + (mask ^ bit)];
          else phi[slotFeature[f0 + k]] -= outside;
        }
      }
    }
    phi[m] = this.expectedValue;
    return phi;
  }

  shapValuesBatch(rows: ArrayLike<ArrayLike<number>>): Float64Array[] {
    const out: Float64Array[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) out[r] = this.shapValues(rows[r]);
    return out;
  }

  /** The leaf's contributions straight from the formula in the header: for each i, the polynomial without i. */
  private directLeaf(l: number, mask: number, phi: Float64Array): void {
    const d = this.leafDepth[l];
    const f0 = this.leafFeatureStart[l];
    const value = this.leafValue[l];
    const w = weightsFor(d);
    const coef = this.poly;
    for (let i = 0; i < d; i++) {
      const oi = (mask >> i) & 1;
      const zi = this.slotZero[f0 + i];
      if (oi === zi) continue;
      coef.fill(0);
      coef[0] = 1;
      let deg = 0;
      for (let j = 0; j < d; j++) {
        if (j === i) continue;
        const z = this.slotZero[f0 + j];
        if ((mask >> j) & 1) {
          for (let s = deg + 1; s > 0; s--) coef[s] = coef[s] * z + coef[s - 1];
          coef[0] *= z;
          deg++;
        } else {
          for (let s = 0; s <= deg; s++) coef[s] *= z;
        }
      }
      let sum = 0;
      for (let s = 0; s <= deg; s++) sum += w[s] * coef[s];
      phi[this.slotFeature[f0 + i]] += value * (oi - zi) * sum;
    }
  }
}

/** A leaf gets a table when all its zero fractions are positive (the division needs it) and d is small. */
function useTable(p: LeafPath): boolean {
  return p.features.length <= MAX_TABLE_DEPTH && p.zero.every((z) => z > 0);
}

/** Builds the per-model explainer once (validating the trees); reuse it for every row. */
export function createExplainer(ensemble: Ensemble, options?: ExplainerOptions): TreeExplainer {
  return new FastTreeExplainer(ensemble, options);
}

const cache = new WeakMap<Ensemble, TreeExplainer>();

function cachedExplainer(ensemble: Ensemble): TreeExplainer {
  let explainer = cache.get(ensemble);
  if (!explainer) {
    explainer = createExplainer(ensemble);
    cache.set(ensemble, explainer);
  }
  return explainer;
}

/**
 * SHAP values of one row: numFeatures contributions followed by the expected value; they add up to the
 * prediction. The explainer is built on first use and cached per ensemble object (do not mutate a model after
 * explaining with it; build a new Ensemble instead).
 */
export function shapValues(ensemble: Ensemble, row: ArrayLike<number>): Float64Array {
  return cachedExplainer(ensemble).shapValues(row);
}

export function shapValuesBatch(ensemble: Ensemble, rows: ArrayLike<ArrayLike<number>>): Float64Array[] {
  return cachedExplainer(ensemble).shapValuesBatch(rows);
}
