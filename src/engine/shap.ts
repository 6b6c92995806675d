/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2) for an Ensemble, computed the way Fast
 * TreeSHAP v2 (Yang 2021) does: everything that does not depend on the row is done once per model.
 *
 * Why this is exact. For a leaf l with value v, let U be the distinct features tested on its path (d of them),
 * z_j the product of the cover fractions cover(child)/cover(parent) over the path's splits on feature j, and o_j
 * 1 when the row takes every split on j the path's way, else 0 (a feature tested twice on a path is merged this
 * way: that is exactly what Algorithm 2's unwind step achieves). The leaf adds to feature i in U
 *     v · (o_i − z_i) · Σ_{S ⊆ U∖{i}} w(|S|, d) · Π_{j∈S} o_j · Π_{j∈U∖S∖{i}} z_j,   w(s, d) = s!(d−s−1)!/d!.
 * Since o is 0/1, a leaf's contributions depend on the row only through the d-bit mask O = {j : o_j = 1}, so
 * they are tabulated per leaf and mask when the explainer is built. Three layouts, the fastest that fits the
 * memory budget (maxTableEntries) is used:
 *   - "vector": all d contributions for each of the 2^d masks (d·2^d numbers per leaf); a row costs one
 *     table read and add per leaf and path feature. A 1,000-tree depth-4 model needs about 0.7M numbers.
 *   - "weights": with B(O) = v · Σ_{S ⊆ O} w(|S|, d) · Π_{j∈U∖S} z_j (2^d numbers per leaf), the leaf adds
 *     −B(O) to each i outside O and (1 − z_i)/z_i · B(O∖{i}) to each i inside O.
 *   - "direct": the formula above evaluated per leaf and row (O(d³) per leaf; no memory).
 * A leaf behind a zero cover fraction (z_i = 0, which the "weights" division cannot take) is always handled
 * by the vector table or the direct formula.
 *
 * The masks of all leaves come from one pass over the nodes (parents before children): each node carries the
 * bits of the path features the row disagrees with so far, so a row costs O(nodes + Σ_leaves d) per tree.
 *
 * The result is in the model's output space (the margin: baseScore + Σ tree outputs); the last entry is the
 * expected value, and the entries add up to the prediction.
 */
import type { Ensemble, Tree } from './tree.js';

export interface ExplainerOptions {
  /** Most precomputed numbers (8 bytes each) the explainer may hold; decides the layout (see the header). */
  maxTableEntries?: number;
  /** Force a layout (tests); by default the fastest one within the budget. */
  layout?: ExplainerLayout;
  /** Vector layout: most internal nodes per tabulated subtree (tests, benchmarks); by default the most that fits. */
  subtreeSplits?: number;
}

export type ExplainerLayout = 'vector' | 'weights' | 'direct';

export interface TreeExplainer {
  readonly numFeatures: number;
  /** The path-dependent expected value of the model's output (what the contributions start from). */
  readonly expectedValue: number;
  readonly layout: ExplainerLayout;
  /** Number of precomputed numbers held (8 bytes each). */
  readonly tableEntries: number;
  /**
   * Contributions of each feature followed by the expected value (length numFeatures + 1); they add up to the
   * prediction. Writes into `out` when given (it must have that length), which makes the call allocation-free.
   */
  shapValues(row: ArrayLike<number>, out?: Float64Array): Float64Array;
  /** shapValues for many rows: one Float64Array of length numFeatures + 1 per row. */
  shapValuesBatch(rows: ArrayLike<ArrayLike<number>>): Float64Array[];
}

/** Default memory budget: 4M numbers, 32 MB. Depth 4–5 models of 1,000 trees get vector tables, depth 6 weights. */
export const DEFAULT_MAX_TABLE_ENTRIES = 1 << 22;
/** Paths with more distinct features than this never get a table (2^d grows too fast). */
const MAX_TABLE_DEPTH = 16;

/** w(s, d) = s!(d−s−1)!/d! = 1 / (d · C(d−1, s)), computed without factorials. */
function shapleyWeight(s: number, d: number): number {
  let binom = 1;
  for (let k = 1; k <= s; k++) binom = (binom * (d - 1 - s + k)) / k;
  return 1 / (d * binom);
}

/** WEIGHTS[d][s] = w(s, d), grown as deeper paths are met. */
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

/**
 * Σ_{S ⊆ mask∖{skip}} w(|S|, d) · Π_{j ∈ U∖S∖{skip}} z_j for the path features U = 0..d−1 (skip = −1: none
 * skipped). Expands Π_j (z_j + [j ∈ mask]·t) and weighs its coefficients. `coef` is scratch of length ≥ d + 1.
 */
function weightedSum(zero: ArrayLike<number>, offset: number, d: number, mask: number, skip: number, coef: Float64Array): number {
  const w = weightsFor(d);
  coef[0] = 1;
  let deg = 0;
  for (let j = 0; j < d; j++) {
    if (j === skip) continue;
    const z = zero[offset + j];
    if ((mask >> j) & 1) {
      coef[deg + 1] = coef[deg];
      for (let s = deg; s > 0; s--) coef[s] = coef[s] * z + coef[s - 1];
      coef[0] *= z;
      deg++;
    } else {
      for (let s = 0; s <= deg; s++) coef[s] *= z;
    }
  }
  let sum = 0;
  for (let s = 0; s <= deg; s++) sum += w[s] * coef[s];
  return sum;
}

/** The tree in a parent-before-child (pre-)order with, per node, what the explainer needs. */
interface TreeWalk {
  order: number[];
  /** Position (in order) of the parent; -1 for the root. */
  parent: number[];
  /** 1 when the node is its parent's left child. */
  isLeft: number[];
  /** Slot of the parent's feature among the distinct features of the path from the root (same for every leaf below). */
  slot: number[];
  /** Internal nodes in the node's subtree (a pre-order subtree is the positions position .. position + size − 1). */
  internal: number[];
  size: number[];
  /** Distinct features on the path from the root to the node, and their merged zero fractions. */
  features: number[][];
  zero: number[][];
}

function walkTree(tree: Tree, treeIndex: number, numFeatures: number): TreeWalk {
  const size = tree.feature.length;
  const walk: TreeWalk = { order: [], parent: [], isLeft: [], slot: [], internal: [], size: [], features: [], zero: [] };
  const features: number[] = [];
  const zero: number[] = [];
  const visit = (node: number, parent: number, isLeft: number, slot: number): void => {
    // a tree visits each node once; more visits mean shared children or a cycle
    if (walk.order.length >= size) throw new RangeError(`tree ${treeIndex} is not a tree: a node is reached twice`);
    const position = walk.order.length;
    walk.order.push(node);
    walk.parent.push(parent);
    walk.isLeft.push(isLeft);
    walk.slot.push(slot);
    walk.internal.push(0);
    walk.size.push(1);
    walk.features.push(features.slice());
    walk.zero.push(zero.slice());
    const f = tree.feature[node];
    if (f < 0) return;
    if (f >= numFeatures) throw new RangeError(`tree ${treeIndex} node ${node}: feature ${f} is outside the model's ${numFeatures} features`);
    const cover = tree.cover[node];
    if (!(cover > 0)) throw new RangeError(`tree ${treeIndex} node ${node}: cover must be > 0 for TreeSHAP, found ${cover}`);
    let childSlot = features.indexOf(f);
    const isNew = childSlot < 0;
    if (isNew) {
      childSlot = features.length;
      features.push(f);
      zero.push(1);
    }
    const before = zero[childSlot];
    for (const goLeft of [1, 0]) {
      const child = goLeft ? tree.left[node] : tree.right[node];
      if (!(Number.isInteger(child) && child >= 0 && child < size)) throw new RangeError(`tree ${treeIndex} node ${node}: child index ${child} is out of range`);
      const childCover = tree.cover[child];
      if (!(childCover >= 0)) throw new RangeError(`tree ${treeIndex} node ${child}: cover must be ≥ 0, found ${childCover}`);
      zero[childSlot] = before * (childCover / cover);
      const at = walk.order.length;
      visit(child, position, goLeft, childSlot);
      walk.internal[position] += walk.internal[at];
      walk.size[position] += walk.size[at];
    }
    walk.internal[position] += 1;
    if (isNew) {
      features.pop();
      zero.pop();
    } else {
      zero[childSlot] = before;
    }
  };
  visit(0, -1, 0, 0);
  return walk;
}

const isLeafAt = (tree: Tree, walk: TreeWalk, position: number) => tree.feature[walk.order[position]] < 0;

/**
 * The units a row's work is split into: subtrees with at most `splits` internal nodes whose parent's subtree has
 * more (or the whole tree). With splits = 0 the units are the leaves.
 */
function unitsOf(walk: TreeWalk, splits: number): number[] {
  const units: number[] = [];
  for (let q = 0; q < walk.order.length; q++) {
    if (walk.internal[q] <= splits && (walk.parent[q] < 0 || walk.internal[walk.parent[q]] > splits)) units.push(q);
  }
  return units;
}

/** The features a unit's table covers: its prefix features, then new ones in the order its nodes test them. */
function unitFeatures(tree: Tree, walk: TreeWalk, q: number): number[] {
  const out = walk.features[q].slice();
  for (let k = q; k < q + walk.size[q]; k++) {
    const f = tree.feature[walk.order[k]];
    if (f >= 0 && !out.includes(f)) out.push(f);
  }
  return out;
}

function unitTableSize(tree: Tree, walk: TreeWalk, q: number): number {
  const width = unitFeatures(tree, walk, q).length;
  return width * 2 ** (walk.features[q].length + walk.internal[q]);
}

/** A leaf's contributions to its d path features for every mask: out[mask·d + i]. */
function leafVector(value: number, zero: number[], coef: Float64Array): Float64Array {
  const d = zero.length;
  const out = new Float64Array(d << d);
  for (let mask = 0; mask < 1 << d; mask++) {
    for (let i = 0; i < d; i++) {
      const oi = (mask >> i) & 1;
      out[mask * d + i] = oi === zero[i] ? 0 : value * (oi - zero[i]) * weightedSum(zero, 0, d, mask, i, coef);
    }
  }
  return out;
}

const SUBTREE_SPLITS = [3, 1, 0];

class FastTreeExplainer implements TreeExplainer {
  readonly numFeatures: number;
  readonly expectedValue: number;
  readonly layout: ExplainerLayout;
  readonly tableEntries: number;
  /** Internal nodes per unit of work in the vector layout (0: the units are leaves). */
  readonly subtreeSplits: number;

  /**
   * The nodes the mask pass visits, all trees concatenated, parents first: in the vector layout every node
   * down to the units' roots, otherwise every node. Nodes that are not split (leaves) have threshold NaN.
   */
  private readonly passFeature: Int32Array;
  private readonly passThreshold: Float64Array;
  private readonly passDefaultLeft: Uint8Array;
  /** Index of the parent; a root points at the extra last entry, whose state is always 0. */
  private readonly passParent: Int32Array;
  private readonly passIsLeft: Uint8Array;
  /** 1 << slot of the parent's feature on the paths through this node (0 for a root). */
  private readonly passBit: Int32Array;

  /** Vector layout, per unit: its node in the pass, prefix mask, splits, nodes, features and table. */
  private readonly unitPass: Int32Array;
  private readonly unitPrefixMask: Int32Array;
  private readonly unitSplits: Uint8Array;
  private readonly unitNodeStart: Int32Array;
  private readonly unitWidth: Uint8Array;
  private readonly unitFeatureStart: Int32Array;
  private readonly unitTable: Int32Array;
  private readonly unitFeature: Int32Array;
  private readonly subFeature: Int32Array;
  private readonly subThreshold: Float64Array;
  private readonly subDefaultLeft: Uint8Array;

  /** Weights and direct layouts, per leaf. */
  private readonly leafPass: Int32Array;
  private readonly leafDepth: Uint8Array;
  private readonly leafValue: Float64Array;
  private readonly leafSlotStart: Int32Array;
  /** Offset of the leaf's B table, or -1 when the leaf is explained by the direct formula. */
  private readonly leafTable: Int32Array;
  /** Per distinct feature of a leaf's path: the feature, its zero fraction z, and (1 − z)/z. */
  private readonly slotFeature: Int32Array;
  private readonly slotZero: Float64Array;
  private readonly slotRatio: Float64Array;

  private readonly table: Float64Array;
  /** Scratch: per pass node, the way the row goes (1 = left) and the bits of the path features it disagrees with. */
  private readonly goLeft: Uint8Array;
  private readonly disagree: Int32Array;
  private readonly coef: Float64Array;

  constructor(ensemble: Ensemble, options: ExplainerOptions = {}) {
    const numFeatures = ensemble.numFeatures;
    if (!Number.isInteger(numFeatures) || numFeatures < 0) throw new RangeError(`numFeatures must be a non-negative integer, found ${numFeatures}`);
    this.numFeatures = numFeatures;
    const trees = ensemble.trees;
    const walks = trees.map((tree, t) => walkTree(tree, t, numFeatures));
    const budget = options.maxTableEntries ?? DEFAULT_MAX_TABLE_ENTRIES;

    let maxDepth = 0;
    let weightEntries = 0;
    let leafCount = 0;
    let slotCount = 0;
    for (let t = 0; t < trees.length; t++) {
      const walk = walks[t];
      for (let q = 0; q < walk.order.length; q++) {
        if (!isLeafAt(trees[t], walk, q)) continue;
        const d = walk.features[q].length;
        if (d > 24) throw new RangeError(`tree ${t}: a path tests ${d} distinct features; at most 24 are supported`);
        maxDepth = Math.max(maxDepth, d);
        leafCount++;
        slotCount += d;
        if (d <= MAX_TABLE_DEPTH && walk.zero[q].every((z) => z > 0)) weightEntries += 1 << d;
      }
    }
    // the vector layout with the most splits per unit that fits the budget
    let splits = -1;
    let vectorEntries = 0;
    const candidates = options.subtreeSplits !== undefined ? [options.subtreeSplits] : SUBTREE_SPLITS;
    if (options.layout === undefined || options.layout === 'vector') {
      for (const k of candidates) {
        let entries = 0;
        for (let t = 0; t < trees.length && entries <= budget; t++) {
          for (const q of unitsOf(walks[t], k)) {
            if (walks[t].features[q].length + walks[t].internal[q] > MAX_TABLE_DEPTH) entries = Infinity;
            else entries += unitTableSize(trees[t], walks[t], q);
          }
        }
        if (entries <= budget || options.layout === 'vector') {
          splits = k;
          vectorEntries = entries;
          break;
        }
      }
    }
    this.layout = options.layout ?? (splits >= 0 ? 'vector' : weightEntries <= budget ? 'weights' : 'direct');
    if (this.layout === 'vector' && !Number.isFinite(vectorEntries)) throw new RangeError('the vector layout cannot hold paths this deep');
    this.subtreeSplits = this.layout === 'vector' ? splits : 0;
    const k = this.subtreeSplits;
    const vector = this.layout === 'vector';

    // which nodes the pass visits, and the units
    const unitLists = walks.map((walk) => unitsOf(walk, k));
    let passCount = 0;
    let unitCount = 0;
    let unitFeatureCount = 0;
    let subCount = 0;
    const inPass = walks.map((walk, t) => {
      const flags = new Uint8Array(walk.order.length);
      for (let q = 0; q < walk.order.length; q++) if (walk.internal[q] > k) flags[q] = 1;
      for (const q of unitLists[t]) {
        flags[q] = 1;
        if (vector) {
          unitCount++;
          unitFeatureCount += unitFeatures(trees[t], walk, q).length;
          subCount += walk.internal[q];
        }
      }
      for (const f of flags) passCount += f;
      return flags;
    });

    this.passFeature = new Int32Array(passCount);
    this.passThreshold = new Float64Array(passCount);
    this.passDefaultLeft = new Uint8Array(passCount);
    this.passParent = new Int32Array(passCount);
    this.passIsLeft = new Uint8Array(passCount);
    this.passBit = new Int32Array(passCount);
    this.unitPass = new Int32Array(unitCount);
    this.unitPrefixMask = new Int32Array(unitCount);
    this.unitSplits = new Uint8Array(unitCount);
    this.unitNodeStart = new Int32Array(unitCount);
    this.unitWidth = new Uint8Array(unitCount);
    this.unitFeatureStart = new Int32Array(unitCount);
    this.unitTable = new Int32Array(unitCount);
    this.unitFeature = new Int32Array(unitFeatureCount);
    this.subFeature = new Int32Array(subCount);
    this.subThreshold = new Float64Array(subCount);
    this.subDefaultLeft = new Uint8Array(subCount);
    const perLeaf = vector ? 0 : leafCount;
    this.leafPass = new Int32Array(perLeaf);
    this.leafDepth = new Uint8Array(perLeaf);
    this.leafValue = new Float64Array(perLeaf);
    this.leafSlotStart = new Int32Array(perLeaf + 1);
    this.leafTable = new Int32Array(perLeaf);
    this.slotFeature = new Int32Array(vector ? 0 : slotCount);
    this.slotZero = new Float64Array(vector ? 0 : slotCount);
    this.slotRatio = new Float64Array(vector ? 0 : slotCount);
    this.table = new Float64Array(vector ? vectorEntries : this.layout === 'weights' ? weightEntries : 0);
    this.tableEntries = this.table.length;
    this.goLeft = new Uint8Array(passCount + 1);
    this.disagree = new Int32Array(passCount + 1);
    this.coef = new Float64Array(maxDepth + 2);

    let expected = ensemble.baseScore;
    let pi = 0;
    let ui = 0;
    let ufi = 0;
    let si = 0;
    let li = 0;
    let lsi = 0;
    let ti = 0;
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t];
      const walk = walks[t];
      const passIndex = new Int32Array(walk.order.length).fill(-1);
      for (let q = 0; q < walk.order.length; q++) {
        if (!inPass[t][q]) continue;
        const node = walk.order[q];
        const split = tree.feature[node] >= 0 && walk.internal[q] > k;
        this.passFeature[pi] = split ? tree.feature[node] : 0;
        this.passThreshold[pi] = split ? tree.threshold[node] : NaN;
        this.passDefaultLeft[pi] = split ? tree.defaultLeft[node] : 0;
        const parent = walk.parent[q];
        this.passParent[pi] = parent < 0 ? passCount : passIndex[parent];
        this.passIsLeft[pi] = walk.isLeft[q];
        this.passBit[pi] = parent < 0 ? 0 : 1 << walk.slot[q];
        passIndex[q] = pi++;
      }
      for (let q = 0; q < walk.order.length; q++) {
        if (!isLeafAt(tree, walk, q)) continue;
        let reach = 1;
        for (const z of walk.zero[q]) reach *= z;
        expected += tree.value[walk.order[q]] * reach;
      }
      if (vector) {
        for (const q of unitLists[t]) {
          const features = unitFeatures(tree, walk, q);
          const prefix = walk.features[q].length;
          const inner: number[] = [];
          for (let p = q; p < q + walk.size[q]; p++) if (!isLeafAt(tree, walk, p)) inner.push(p);
          this.unitPass[ui] = passIndex[q];
          this.unitPrefixMask[ui] = (1 << prefix) - 1;
          this.unitSplits[ui] = inner.length;
          this.unitNodeStart[ui] = si;
          for (const p of inner) {
            const node = walk.order[p];
            this.subFeature[si] = tree.feature[node];
            this.subThreshold[si] = tree.threshold[node];
            this.subDefaultLeft[si] = tree.defaultLeft[node];
            si++;
          }
          this.unitWidth[ui] = features.length;
          this.unitFeatureStart[ui] = ufi;
          for (const f of features) this.unitFeature[ufi++] = f;
          this.unitTable[ui] = ti;
          ti += this.fillUnit(tree, walk, q, inner, features, ti);
          ui++;
        }
      } else {
        for (let q = 0; q < walk.order.length; q++) {
          if (!isLeafAt(tree, walk, q)) continue;
          const zero = walk.zero[q];
          const d = zero.length;
          const value = tree.value[walk.order[q]];
          this.leafPass[li] = passIndex[q];
          this.leafDepth[li] = d;
          this.leafValue[li] = value;
          this.leafSlotStart[li] = lsi;
          for (let j = 0; j < d; j++, lsi++) {
            this.slotFeature[lsi] = walk.features[q][j];
            this.slotZero[lsi] = zero[j];
            this.slotRatio[lsi] = (1 - zero[j]) / zero[j];
          }
          if (this.layout === 'weights' && d <= MAX_TABLE_DEPTH && zero.every((z) => z > 0)) {
            this.leafTable[li] = ti;
            const full = (1 << d) - 1;
            for (let mask = 0; mask < full; mask++) this.table[ti + mask] = value * weightedSum(zero, 0, d, mask, -1, this.coef);
            ti += 1 << d;
          } else {
            this.leafTable[li] = -1;
          }
          li++;
        }
      }
    }
    this.leafSlotStart[li] = lsi;
    this.expectedValue = expected;
  }

  /**
   * Tabulates a unit (the subtree at q): for each mask of its prefix features and each way the row can go at its
   * inner nodes, the sum over its leaves of their contributions, per unit feature.
   */
  private fillUnit(tree: Tree, walk: TreeWalk, q: number, inner: number[], features: number[], offset: number): number {
    const width = features.length;
    const prefix = walk.features[q].length;
    // the row's way at inner[j] is bit (inner.length − 1 − j) of `ways`, as addUnits shifts it in
    const bitOf = new Map(inner.map((p, j) => [p, inner.length - 1 - j]));
    const leaves: { vector: Float64Array; d: number; map: number[]; steps: { bit: number; isLeft: number; slot: number }[] }[] = [];
    for (let p = q; p < q + walk.size[q]; p++) {
      if (!isLeafAt(tree, walk, p)) continue;
      const steps: { bit: number; isLeft: number; slot: number }[] = [];
      for (let c = p; c !== q; c = walk.parent[c]) steps.push({ bit: bitOf.get(walk.parent[c])!, isLeft: walk.isLeft[c], slot: walk.slot[c] });
      leaves.push({ vector: leafVector(tree.value[walk.order[p]], walk.zero[p], this.coef), d: walk.features[p].length, map: walk.features[p].map((f) => features.indexOf(f)), steps });
    }
    const combos = 1 << inner.length;
    for (let prefixMask = 0; prefixMask < 1 << prefix; prefixMask++) {
      for (let ways = 0; ways < combos; ways++) {
        const entry = offset + (prefixMask * combos + ways) * width;
        for (const leaf of leaves) {
          let mask = prefixMask | (((1 << leaf.d) - 1) & ~((1 << prefix) - 1));
          for (const step of leaf.steps) if (((ways >> step.bit) & 1) !== step.isLeft) mask &= ~(1 << step.slot);
          for (let i = 0; i < leaf.d; i++) this.table[entry + leaf.map[i]] += leaf.vector[mask * leaf.d + i];
        }
      }
    }
    return width * combos << prefix;
  }

  shapValues(row: ArrayLike<number>, out?: Float64Array): Float64Array {
    const m = this.numFeatures;
    if (row.length < m) throw new RangeError(`row has ${row.length} values, the model needs ${m}`);
    const phi = out ?? new Float64Array(m + 1);
    if (phi.length !== m + 1) throw new RangeError(`output must have length ${m + 1}, found ${phi.length}`);
    phi.fill(0);
    this.markDisagreements(row);
    if (this.layout === 'vector') this.addUnits(row, phi);
    else this.addLeaves(phi);
    phi[m] = this.expectedValue;
    return phi;
  }

  shapValuesBatch(rows: ArrayLike<ArrayLike<number>>): Float64Array[] {
    const out: Float64Array[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) out[r] = this.shapValues(rows[r]);
    return out;
  }

  /** One pass, parents first: which way the row goes, and which path features it disagrees with. */
  private markDisagreements(row: ArrayLike<number>): void {
    const { passFeature, passThreshold, passDefaultLeft, passParent, passIsLeft, passBit, goLeft, disagree } = this;
    const n = passFeature.length;
    for (let k = 0; k < n; k++) {
      const p = passParent[k];
      disagree[k] = disagree[p] | ((goLeft[p] ^ passIsLeft[k]) * passBit[k]);
      const v = row[passFeature[k]];
      const t = passThreshold[k];
      goLeft[k] = v < t ? 1 : v >= t ? 0 : passDefaultLeft[k];
    }
  }

  private addUnits(row: ArrayLike<number>, phi: Float64Array): void {
    const { unitPass, unitPrefixMask, unitSplits, unitNodeStart, unitWidth, unitFeatureStart, unitTable, unitFeature } = this;
    const { subFeature, subThreshold, subDefaultLeft, table, disagree } = this;
    for (let u = 0; u < unitPass.length; u++) {
      const splits = unitSplits[u];
      let index = unitPrefixMask[u] & ~disagree[unitPass[u]];
      const s0 = unitNodeStart[u];
      for (let j = 0; j < splits; j++) {
        const v = row[subFeature[s0 + j]];
        const t = subThreshold[s0 + j];
        index = (index << 1) | (v < t ? 1 : v >= t ? 0 : subDefaultLeft[s0 + j]);
      }
      const width = unitWidth[u];
      const base = unitTable[u] + index * width;
      const f0 = unitFeatureStart[u];
      for (let i = 0; i < width; i++) phi[unitFeature[f0 + i]] += table[base + i];
    }
  }

  private addLeaves(phi: Float64Array): void {
    const { leafPass, leafDepth, leafSlotStart, leafTable, slotFeature, slotRatio, table, disagree } = this;
    for (let l = 0; l < leafPass.length; l++) {
      const d = leafDepth[l];
      if (d === 0) continue;
      const mask = ((1 << d) - 1) & ~disagree[leafPass[l]];
      const base = leafTable[l];
      if (base < 0) {
        this.addDirect(l, mask, phi);
        continue;
      }
      const s0 = leafSlotStart[l];
      const outside = table[base + mask];
      for (let k = 0; k < d; k++) {
        const bit = 1 << k;
        phi[slotFeature[s0 + k]] += mask & bit ? slotRatio[s0 + k] * table[base + (mask ^ bit)] : -outside;
      }
    }
  }

  /** The leaf's contributions straight from the formula in the header. */
  private addDirect(l: number, mask: number, phi: Float64Array): void {
    const d = this.leafDepth[l];
    const s0 = this.leafSlotStart[l];
    const value = this.leafValue[l];
    for (let i = 0; i < d; i++) {
      const oi = (mask >> i) & 1;
      const zi = this.slotZero[s0 + i];
      if (oi === zi) continue;
      phi[this.slotFeature[s0 + i]] += value * (oi - zi) * weightedSum(this.slotZero, s0, d, mask, i, this.coef);
    }
  }
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
