/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2) for an Ensemble, computed the way Fast
 * TreeSHAP v2 (Yang 2021) does: everything that does not depend on the row is done once per model.
 *
 * Why this is exact. For a leaf l with value v, let U be the distinct features tested on its path (d of them),
 * z_j the product of the cover fractions cover(child)/cover(parent) over the path's splits on feature j, and o_j
 * 1 when the row takes every split on j the path's way, else 0 (a feature tested twice on a path is merged this
 * way: that is exactly what Algorithm 2's unwind step achieves). The leaf adds to feature i in U
 *     v · (o_i − z_i) · Σ_{S ⊆ U∖{i}} w(|S|, d) · Π_{j∈S} o_j · Π_{j∈U∖S∖{i}} z_j,   w(s, d) = s!(d−s−1)!/d!.
 * Since o is 0/1, a leaf's contributions depend on the row only through the d-bit mask O = {j : o_j = 1}, and
 * O only through the way the row goes at the splits on the leaf's path. So the contributions are tabulated when
 * the explainer is built; three layouts, the fastest that fits the memory budget (maxTableEntries) is used:
 *   - "vector": the tree is cut into units, subtrees of at most 3 (else 1, else 0) splits. A unit's T tests are
 *     the splits above it and inside it; for each of the 2^T ways a row can go at them, the table holds the sum
 *     of its leaves' contributions per feature the unit tests. A row then costs, per unit, T comparisons and
 *     one table row added: for a depth-4 tree, 4 units of 5 comparisons and about 4 additions. A 1,000-tree
 *     depth-4 model needs about 0.4M numbers (3.3 MB).
 *   - "weights": with B(O) = v · Σ_{S ⊆ O} w(|S|, d) · Π_{j∈U∖S} z_j (2^d numbers per leaf, as Fast TreeSHAP v2
 *     stores), the leaf adds −B(O) to each i outside O and (1 − z_i)/z_i · B(O∖{i}) to each i inside O; the
 *     masks come from one pass over the nodes, parents first, each carrying the path features the row
 *     disagrees with so far: O(nodes + Σ_leaves d) per tree.
 *   - "direct": the formula above evaluated per leaf and row (O(d³) per leaf; no memory).
 * A leaf behind a zero cover fraction (z_i = 0, which the "weights" division cannot take) is handled by the
 * vector table or the direct formula, which need no division.
 *
 * The result is in the model's output space (the margin: baseScore + Σ tree outputs); the last entry is the
 * expected value, and the entries add up to the prediction.
 *
 * Groups of features. With options.groups the players of the game are groups of features: v(G) is the
 * path-dependent expectation that follows the row at the splits on features of the groups in G and averages the
 * two children by cover at every other split. A leaf's weight in v(G) is Π over the groups j on its path of
 * (o_j if j ∈ G else z_j), with o_j and z_j taken over all the path's splits on features of group j — the very
 * form of a feature tested twice on a path. So the formula above, with U the distinct groups on the path, gives
 * the exact Shapley values of the grouped game, and everything below runs unchanged with "feature" read as
 * "player" wherever a slot, a table column or an output entry is meant; a split still compares the row's own
 * feature value. Fewer distinct players per path mean narrower tables and fewer additions. The identity grouping
 * is per-feature SHAP, bit for bit.
 */
import type { Ensemble, Tree } from './tree.js';

export interface ExplainerOptions {
  /**
   * Players of the game explained (see "Groups of features" in the header): groups[f] is the player feature f
   * belongs to, 0 ≤ groups[f] < numPlayers. Omitted: every feature is its own player (per-feature SHAP).
   */
  groups?: ArrayLike<number>;
  /** Most precomputed numbers (8 bytes each) the explainer may hold; decides the layout (see the header). */
  maxTableEntries?: number;
  /** Force a layout (tests); by default the fastest one within the budget. */
  layout?: ExplainerLayout;
  /** Vector layout: most internal nodes per tabulated subtree (tests, benchmarks); by default the most that fits. */
  subtreeSplits?: number;
}

export type ExplainerLayout = 'vector' | 'weights' | 'direct';

export interface TreeExplainer {
  /** Length of the rows explained. */
  readonly numFeatures: number;
  /** Number of players: the features, or the groups when `groups` was given (max group + 1). */
  readonly numPlayers: number;
  /** The path-dependent expected value of the model's output (what the contributions start from). */
  readonly expectedValue: number;
  readonly layout: ExplainerLayout;
  /** Number of precomputed numbers held (8 bytes each). */
  readonly tableEntries: number;
  /**
   * Contributions of each player (feature, or group) followed by the expected value (length numPlayers + 1);
   * they add up to the prediction. Writes into `out` when given (it must have that length), which makes the call
   * allocation-free.
   */
  shapValues(row: ArrayLike<number>, out?: Float64Array): Float64Array;
  /**
   * shapValues into `out`, and returns the prediction, equal bit for bit to predictRow's (base + tree 0 + tree 1
   * + …), taken from the same comparisons: a valuation that needs both walks the model once.
   */
  shapValuesAndPrediction(row: ArrayLike<number>, out: Float64Array): number;
  /**
   * shapValues for many rows: one Float64Array of length numPlayers + 1 per row, each equal bit for bit to
   * shapValues(row). The vector layout takes complete rows (no missing value) in blocks through every table, so
   * a table's rows are read for a whole block while in cache.
   */
  shapValuesBatch(rows: ArrayLike<ArrayLike<number>>): Float64Array[];
}

/** Default memory budget: 4M numbers, 32 MB. A 1,000-tree depth-4 model takes 0.4M in the vector layout. */
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
  /** Distinct players (features, or their groups) on the path from the root to the node, and their merged zero fractions. */
  features: number[][];
  zero: number[][];
}

function walkTree(tree: Tree, treeIndex: number, numFeatures: number, groups: Int32Array): TreeWalk {
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
    if (Number.isNaN(tree.threshold[node])) throw new RangeError(`tree ${treeIndex} node ${node}: threshold is NaN`);
    const cover = tree.cover[node];
    if (!(cover > 0)) throw new RangeError(`tree ${treeIndex} node ${node}: cover must be > 0 for TreeSHAP, found ${cover}`);
    // slots are players: two splits on features of one group merge like two splits on one feature
    const player = groups[f];
    let childSlot = features.indexOf(player);
    const isNew = childSlot < 0;
    if (isNew) {
      childSlot = features.length;
      features.push(player);
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
 * The units of the vector layout: subtrees with at most `splits` internal nodes whose parent's subtree has more
 * (or the whole tree). With splits = 0 the units are the leaves.
 */
function unitsOf(walk: TreeWalk, splits: number): number[] {
  const units: number[] = [];
  for (let q = 0; q < walk.order.length; q++) {
    if (walk.internal[q] <= splits && (walk.parent[q] < 0 || walk.internal[walk.parent[q]] > splits)) units.push(q);
  }
  return units;
}

/**
 * A unit's tests: the splits on the path down to it, then the splits inside it (pre-order). The way a row goes
 * at these T splits decides every mask of the unit's leaves, so the unit's contributions are a table of 2^T rows.
 */
function unitTests(tree: Tree, walk: TreeWalk, q: number): number[] {
  const tests: number[] = [];
  for (let a = walk.parent[q]; a >= 0; a = walk.parent[a]) tests.unshift(a);
  for (let p = q; p < q + walk.size[q]; p++) if (!isLeafAt(tree, walk, p)) tests.push(p);
  return tests;
}

/** The distinct players the unit's tests split on. */
function distinctFeatures(tree: Tree, walk: TreeWalk, tests: number[], groups: Int32Array): number[] {
  const out: number[] = [];
  for (const p of tests) {
    const f = groups[tree.feature[walk.order[p]]];
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

/** Number of entries of the sorted `cuts` that are ≤ v (v not NaN). */
function countNotAbove(cuts: Float64Array, v: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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

/** Splits per unit tried in this order for the vector layout; the first whose tables fit the budget is used. */
const SUBTREE_SPLITS = [3, 1, 0];

interface VectorPlan {
  splits: number;
  entries: number;
  /** Sorted by (number of tests, number of features), so that runs of alike units form groups. */
  units: { tree: number; q: number; tests: number[]; features: number[] }[];
}

function planVector(trees: Tree[], walks: TreeWalk[], splits: number, budget: number, groups: Int32Array): VectorPlan | null {
  const units: VectorPlan['units'] = [];
  let entries = 0;
  for (let t = 0; t < trees.length; t++) {
    for (const q of unitsOf(walks[t], splits)) {
      const tests = unitTests(trees[t], walks[t], q);
      if (tests.length > MAX_TABLE_DEPTH) return null;
      const features = distinctFeatures(trees[t], walks[t], tests, groups);
      entries += features.length * 2 ** tests.length;
      if (entries > budget) return null;
      units.push({ tree: t, q, tests, features });
    }
  }
  // a stable sort: the order, hence every floating-point sum, depends on the model only
  units.sort((a, b) => a.tests.length - b.tests.length || a.features.length - b.features.length);
  return { splits, entries, units };
}

/**
 * The vector layout's loop over units for a complete row (no missing value), written out for one model:
 * (code, testFeature, testPosition, unitFeature, table, phi, unitIndex) → adds every unit's table row to phi and
 * records each unit's row index.
 */
type VectorKernel = (
  code: Int32Array, testFeature: Int32Array, testPosition: Int32Array, unitFeature: Int32Array, table: Float64Array, phi: Float64Array, unitIndex: Int32Array,
) => void;

/**
 * The same loop for a block of complete rows: codes holds each row's integer codes (stride numFeatures), phi each
 * row's contributions (stride players). Per unit, every row of the block in turn: the unit's tests and table are
 * read once per block instead of once per row. Each row's additions happen in the same order as in the one-row
 * kernel, so each row's result is the same bit for bit.
 */
type VectorBlockKernel = (
  rows: number, codes: Int32Array, numFeatures: number, testFeature: Int32Array, testPosition: Int32Array, unitFeature: Int32Array,
  table: Float64Array, phi: Float64Array, players: number,
) => void;

/**
 * Compiles the unit loop with each group's test count and width as constants: the comparisons that build a
 * unit's row index and the additions of its row are unrolled, with no inner loop, counter or bound check. The
 * generic loop's inner trip counts change from group to group, which keeps the JIT from unrolling them; written
 * out (the way fast-json-stringify or a compiled validator is), the same work runs about 1.5× faster. It does
 * the very same arithmetic in the very same order as addUnits' generic loop, so results are equal bit for bit.
 * The source is made only of integers taken from the model's own typed arrays.
 */
function compileVectorKernel(
  groupUnits: Int32Array, groupTests: Int32Array, groupWidth: Int32Array, groupTest: Int32Array, groupFeature: Int32Array, groupTable: Int32Array,
): VectorKernel {
  const lines = ['let unit = 0;'];
  for (let g = 0; g < groupUnits.length; g++) {
    const T = groupTests[g];
    const W = groupWidth[g];
    lines.push(`for (let u = 0, s = ${groupTest[g]}, f = ${groupFeature[g]}, base = ${groupTable[g]}; u < ${groupUnits[g]}; u++, s += ${T}, f += ${W}, base += ${W << T}) {`);
    // left (bit 1) when code ≤ position, i.e. code − position − 1 < 0; test j is bit T − 1 − j
    const bits = Array.from({ length: T }, (_, j) => `(((code[testFeature[s + ${j}]] - testPosition[s + ${j}] - 1) >>> 31) << ${T - 1 - j})`);
    lines.push(`  const index = ${bits.length > 0 ? bits.join(' | ') : '0'};`);
    lines.push(`  const row = base + index * ${W};`);
    for (let i = 0; i < W; i++) lines.push(`  phi[unitFeature[f + ${i}]] += table[row + ${i}];`);
    lines.push('  unitIndex[unit++] = index;');
    lines.push('}');
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from integers only, see above
  return new Function('code', 'testFeature', 'testPosition', 'unitFeature', 'table', 'phi', 'unitIndex', lines.join('\n')) as VectorKernel;
}

/** compileVectorKernel's loop for a block of rows (VectorBlockKernel). */
function compileVectorBlockKernel(
  groupUnits: Int32Array, groupTests: Int32Array, groupWidth: Int32Array, groupTest: Int32Array, groupFeature: Int32Array, groupTable: Int32Array,
): VectorBlockKernel {
  const lines: string[] = [];
  for (let g = 0; g < groupUnits.length; g++) {
    const T = groupTests[g];
    const W = groupWidth[g];
    lines.push(`for (let u = 0, s = ${groupTest[g]}, f = ${groupFeature[g]}, base = ${groupTable[g]}; u < ${groupUnits[g]}; u++, s += ${T}, f += ${W}, base += ${W << T}) {`);
    for (let j = 0; j < T; j++) lines.push(`  const tf${j} = testFeature[s + ${j}], tp${j} = testPosition[s + ${j}] + 1;`);
    for (let i = 0; i < W; i++) lines.push(`  const pf${i} = unitFeature[f + ${i}];`);
    lines.push('  for (let r = 0, at = 0, o = 0; r < rows; r++, at += numFeatures, o += players) {');
    const bits = Array.from({ length: T }, (_, j) => `(((codes[at + tf${j}] - tp${j}) >>> 31) << ${T - 1 - j})`);
    lines.push(`    const row = base + (${bits.length > 0 ? bits.join(' | ') : '0'}) * ${W};`);
    for (let i = 0; i < W; i++) lines.push(`    phi[o + pf${i}] += table[row + ${i}];`);
    lines.push('  }');
    lines.push('}');
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from integers only, see compileVectorKernel
  return new Function('rows', 'codes', 'numFeatures', 'testFeature', 'testPosition', 'unitFeature', 'table', 'phi', 'players', lines.join('\n')) as VectorBlockKernel;
}

/** Rows per block of shapValuesBatch: enough to reuse each table's rows, few enough for the block's codes and outputs to stay in L1. */
const BLOCK_ROWS = 32;

class FastTreeExplainer implements TreeExplainer {
  readonly numFeatures: number;
  readonly numPlayers: number;
  readonly expectedValue: number;
  readonly layout: ExplainerLayout;
  readonly tableEntries: number;
  /** Vector layout: most internal nodes per unit (0: the units are leaves). */
  readonly subtreeSplits: number;

  /**
   * Vector layout. Units with the same number of tests T and features W form a group, stored back to back:
   * unit k of group g has tests groupTest[g] + k·T …, features groupFeature[g] + k·W … and table rows of W
   * numbers from groupTable[g] + k·W·2^T. Loops with fixed trip counts per group keep branches predictable.
   */
  private readonly groupUnits: Int32Array;
  private readonly groupTests: Int32Array;
  private readonly groupWidth: Int32Array;
  private readonly groupTest: Int32Array;
  private readonly groupFeature: Int32Array;
  private readonly groupTable: Int32Array;
  private readonly unitFeature: Int32Array;
  /**
   * For the prediction, per unit (in table order): its tree, its inner tests' count I, the ways at the splits
   * above it that lead into it (the index's high bits), and from unitLeafStart the value of the leaf the row
   * reaches for each of the 2^I ways at its inner tests. Exactly one unit per tree is reached.
   */
  private readonly unitTree: Int32Array;
  private readonly unitInner: Uint8Array;
  private readonly unitPath: Int32Array;
  private readonly unitLeafStart: Int32Array;
  private readonly unitLeaf: Float64Array;
  private readonly baseScore: number;
  /** Scratch: the output of each tree for the row (vector layout's prediction). */
  private readonly treeOutput: Float64Array;
  /** Scratch: per unit, the row's index into its table (the ways at its tests). */
  private readonly unitIndex: Int32Array;
  /**
   * Complete rows take the tests as integer comparisons, as predictor.ts does: per feature the sorted distinct
   * thresholds its tests use (cuts), and per test the position of its threshold there. With code = the number
   * of cuts ≤ x, "x < threshold" is "code ≤ position": branch-free arithmetic, no mispredicted jumps.
   */
  private readonly cuts: Float64Array[];
  private readonly code: Int32Array;
  private readonly testPosition: Int32Array;
  private readonly testFeature: Int32Array;
  private readonly testThreshold: Float64Array;
  private readonly testDefaultLeft: Uint8Array;
  /** Vector layout, complete rows: the unit loop compiled for this model (see compileVectorKernel). */
  private readonly vectorKernel: VectorKernel | undefined;
  /** Vector layout, blocks of complete rows (see compileVectorBlockKernel). */
  private readonly vectorBlockKernel: VectorBlockKernel | undefined;

  /**
   * Weights and direct layouts: the mask pass visits every node, all trees concatenated, parents first (leaves
   * have threshold NaN); a root's parent is the extra last entry, whose state is always 0.
   */
  private readonly passFeature: Int32Array;
  private readonly passThreshold: Float64Array;
  private readonly passDefaultLeft: Uint8Array;
  private readonly passParent: Int32Array;
  private readonly passIsLeft: Uint8Array;
  /** 1 << slot of the parent's feature on the paths through this node (0 for a root). */
  private readonly passBit: Int32Array;
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
  /** Scratch: the row as doubles; per pass node the way the row goes (1 = left) and the path features it disagrees with. */
  private readonly x: Float64Array;
  private readonly goLeft: Uint8Array;
  private readonly disagree: Int32Array;
  private readonly coef: Float64Array;

  constructor(ensemble: Ensemble, options: ExplainerOptions = {}) {
    const numFeatures = ensemble.numFeatures;
    if (!Number.isInteger(numFeatures) || numFeatures < 0) throw new RangeError(`numFeatures must be a non-negative integer, found ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.baseScore = ensemble.baseScore;
    const players = playersOf(numFeatures, options.groups);
    this.numPlayers = players.length === 0 ? 0 : Math.max(...players) + 1;
    const trees = ensemble.trees;
    const walks = trees.map((tree, t) => walkTree(tree, t, numFeatures, players));
    const budget = options.maxTableEntries ?? DEFAULT_MAX_TABLE_ENTRIES;

    let maxDepth = 0;
    let weightEntries = 0;
    let leafCount = 0;
    let slotCount = 0;
    let expected = ensemble.baseScore;
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
        let reach = 1;
        for (const z of walk.zero[q]) reach *= z;
        expected += trees[t].value[walk.order[q]] * reach;
      }
    }
    this.expectedValue = expected;
    this.coef = new Float64Array(maxDepth + 2);
    this.x = new Float64Array(numFeatures + 1);

    let plan: VectorPlan | null = null;
    if (options.layout === undefined || options.layout === 'vector') {
      for (const splits of options.subtreeSplits !== undefined ? [options.subtreeSplits] : SUBTREE_SPLITS) {
        plan = planVector(trees, walks, splits, options.layout === 'vector' ? Infinity : budget, players);
        if (plan) break;
      }
      if (!plan && options.layout === 'vector') throw new RangeError('the vector layout cannot hold paths this deep');
    }
    this.layout = options.layout ?? (plan ? 'vector' : weightEntries <= budget ? 'weights' : 'direct');
    this.subtreeSplits = plan ? plan.splits : 0;
    const vector = this.layout === 'vector' && plan !== null;

    // vector layout
    const units = vector ? plan!.units : [];
    let testCount = 0;
    let featureCount = 0;
    const groups: { start: number; count: number; tests: number; width: number }[] = [];
    units.forEach((unit, u) => {
      testCount += unit.tests.length;
      featureCount += unit.features.length;
      const last = groups[groups.length - 1];
      if (last && last.tests === unit.tests.length && last.width === unit.features.length) last.count++;
      else groups.push({ start: u, count: 1, tests: unit.tests.length, width: unit.features.length });
    });
    this.groupUnits = Int32Array.from(groups, (g) => g.count);
    this.groupTests = Int32Array.from(groups, (g) => g.tests);
    this.groupWidth = Int32Array.from(groups, (g) => g.width);
    this.groupTest = new Int32Array(groups.length);
    this.groupFeature = new Int32Array(groups.length);
    this.groupTable = new Int32Array(groups.length);
    this.unitFeature = new Int32Array(featureCount);
    this.unitTree = new Int32Array(units.length);
    this.unitInner = new Uint8Array(units.length);
    this.unitPath = new Int32Array(units.length);
    this.unitLeafStart = new Int32Array(units.length);
    this.treeOutput = new Float64Array(vector ? trees.length : 0);
    this.unitIndex = new Int32Array(units.length);
    let leafSlots = 0;
    units.forEach((unit, u) => {
      const walk = walks[unit.tree];
      let ancestors = 0;
      let path = 0;
      for (let c = unit.q; walk.parent[c] >= 0; c = walk.parent[c]) path |= walk.isLeft[c] << ancestors++;
      this.unitTree[u] = unit.tree;
      this.unitInner[u] = unit.tests.length - ancestors;
      this.unitPath[u] = path;
      this.unitLeafStart[u] = leafSlots;
      leafSlots += 1 << (unit.tests.length - ancestors);
    });
    this.unitLeaf = new Float64Array(leafSlots);
    units.forEach((unit, u) => {
      // the leaf reached for each way at the inner tests (inner test k is bit I − 1 − k, as in the row index)
      const walk = walks[unit.tree];
      const inner = unit.tests.slice(unit.tests.length - this.unitInner[u]);
      const I = inner.length;
      for (let ways = 0; ways < 1 << I; ways++) {
        let p = unit.q;
        while (!isLeafAt(trees[unit.tree], walk, p)) {
          const goLeft = (ways >> (I - 1 - inner.indexOf(p))) & 1;
          p = goLeft ? p + 1 : p + 1 + walk.size[p + 1];
        }
        this.unitLeaf[this.unitLeafStart[u] + ways] = trees[unit.tree].value[walk.order[p]];
      }
    });
    this.testFeature = new Int32Array(testCount);
    this.testThreshold = new Float64Array(testCount);
    this.testDefaultLeft = new Uint8Array(testCount);
    this.testPosition = new Int32Array(testCount);
    this.code = new Int32Array(numFeatures);
    const cutSets: Set<number>[] = Array.from({ length: numFeatures }, () => new Set<number>());
    for (const unit of units) for (const p of unit.tests) cutSets[trees[unit.tree].feature[walks[unit.tree].order[p]]].add(trees[unit.tree].threshold[walks[unit.tree].order[p]]);
    this.cuts = cutSets.map((set) => Float64Array.from(set).sort());

    // weights and direct layouts
    const passCount = vector ? 0 : walks.reduce((n, walk) => n + walk.order.length, 0);
    const perLeaf = vector ? 0 : leafCount;
    this.passFeature = new Int32Array(passCount);
    this.passThreshold = new Float64Array(passCount);
    this.passDefaultLeft = new Uint8Array(passCount);
    this.passParent = new Int32Array(passCount);
    this.passIsLeft = new Uint8Array(passCount);
    this.passBit = new Int32Array(passCount);
    this.goLeft = new Uint8Array(passCount + 1);
    this.disagree = new Int32Array(passCount + 1);
    this.leafPass = new Int32Array(perLeaf);
    this.leafDepth = new Uint8Array(perLeaf);
    this.leafValue = new Float64Array(perLeaf);
    this.leafSlotStart = new Int32Array(perLeaf + 1);
    this.leafTable = new Int32Array(perLeaf);
    this.slotFeature = new Int32Array(vector ? 0 : slotCount);
    this.slotZero = new Float64Array(vector ? 0 : slotCount);
    this.slotRatio = new Float64Array(vector ? 0 : slotCount);

    this.table = new Float64Array(vector ? plan!.entries : this.layout === 'weights' ? weightEntries : 0);
    this.tableEntries = this.table.length;

    if (vector) {
      let ti = 0;
      let si = 0;
      let fi = 0;
      groups.forEach((group, g) => {
        this.groupTest[g] = si;
        this.groupFeature[g] = fi;
        this.groupTable[g] = ti;
        for (let u = group.start; u < group.start + group.count; u++) {
          const unit = units[u];
          const tree = trees[unit.tree];
          const walk = walks[unit.tree];
          for (const p of unit.tests) {
            const node = walk.order[p];
            this.testFeature[si] = tree.feature[node];
            this.testThreshold[si] = tree.threshold[node];
            this.testDefaultLeft[si] = tree.defaultLeft[node];
            this.testPosition[si] = this.cuts[tree.feature[node]].indexOf(tree.threshold[node]);
            si++;
          }
          for (const f of unit.features) this.unitFeature[fi++] = f;
          this.fillUnit(tree, walk, unit.q, unit.tests, unit.features, ti);
          ti += unit.features.length << unit.tests.length;
        }
      });
      this.vectorKernel = compileVectorKernel(this.groupUnits, this.groupTests, this.groupWidth, this.groupTest, this.groupFeature, this.groupTable);
      this.vectorBlockKernel = compileVectorBlockKernel(this.groupUnits, this.groupTests, this.groupWidth, this.groupTest, this.groupFeature, this.groupTable);
      return;
    }

    let pi = 0;
    let li = 0;
    let lsi = 0;
    let ti = 0;
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t];
      const walk = walks[t];
      const first = pi;
      for (let q = 0; q < walk.order.length; q++, pi++) {
        const node = walk.order[q];
        const split = tree.feature[node] >= 0;
        this.passFeature[pi] = split ? tree.feature[node] : 0;
        this.passThreshold[pi] = split ? tree.threshold[node] : NaN;
        this.passDefaultLeft[pi] = split ? tree.defaultLeft[node] : 0;
        const parent = walk.parent[q];
        this.passParent[pi] = parent < 0 ? passCount : first + parent;
        this.passIsLeft[pi] = walk.isLeft[q];
        this.passBit[pi] = parent < 0 ? 0 : 1 << walk.slot[q];
      }
      for (let q = 0; q < walk.order.length; q++) {
        if (!isLeafAt(tree, walk, q)) continue;
        const zero = walk.zero[q];
        const d = zero.length;
        const value = tree.value[walk.order[q]];
        this.leafPass[li] = first + q;
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
    this.leafSlotStart[li] = lsi;
  }

  /**
   * Tabulates a unit (the subtree at q): for each way a row can go at its T tests, the sum over its leaves of
   * their contributions, one entry per unit feature. Test j is bit T − 1 − j of the row index, as addUnits
   * shifts the bits in.
   */
  private fillUnit(tree: Tree, walk: TreeWalk, q: number, tests: number[], features: number[], offset: number): void {
    const T = tests.length;
    const testBit = new Map(tests.map((p, j) => [p, T - 1 - j]));
    const leaves: { vector: Float64Array; d: number; map: number[]; steps: { bit: number; isLeft: number; slot: number }[] }[] = [];
    for (let p = q; p < q + walk.size[q]; p++) {
      if (!isLeafAt(tree, walk, p)) continue;
      const steps: { bit: number; isLeft: number; slot: number }[] = [];
      for (let c = p; walk.parent[c] >= 0; c = walk.parent[c]) steps.push({ bit: testBit.get(walk.parent[c])!, isLeft: walk.isLeft[c], slot: walk.slot[c] });
      leaves.push({ vector: leafVector(tree.value[walk.order[p]], walk.zero[p], this.coef), d: walk.features[p].length, map: walk.features[p].map((f) => features.indexOf(f)), steps });
    }
    for (let ways = 0; ways < 1 << T; ways++) {
      const entry = offset + ways * features.length;
      for (const leaf of leaves) {
        let mask = (1 << leaf.d) - 1;
        for (const step of leaf.steps) if (((ways >> step.bit) & 1) !== step.isLeft) mask &= ~(1 << step.slot);
        for (let i = 0; i < leaf.d; i++) this.table[entry + leaf.map[i]] += leaf.vector[mask * leaf.d + i];
      }
    }
  }

  /** Checks the row and the output, zeroes the output, copies the row into this.x; returns whether a value is missing. */
  private loadRow(row: ArrayLike<number>, phi: Float64Array): boolean {
    const m = this.numFeatures;
    const players = this.numPlayers;
    if (row.length < m) throw new RangeError(`row has ${row.length} values, the model needs ${m}`);
    if (phi.length !== players + 1) throw new RangeError(`output must have length ${players + 1}, found ${phi.length}`);
    phi.fill(0);
    const x = this.x;
    let missing = false;
    for (let f = 0; f < m; f++) {
      const v = +row[f];
      x[f] = v;
      if (v !== v) missing = true;
    }
    return missing;
  }

  shapValues(row: ArrayLike<number>, out?: Float64Array): Float64Array {
    const phi = out ?? new Float64Array(this.numPlayers + 1);
    const missing = this.loadRow(row, phi);
    if (this.layout === 'vector') {
      this.addUnits(this.x, phi, missing);
    } else {
      this.markDisagreements(this.x);
      this.addLeaves(phi);
    }
    phi[this.numPlayers] = this.expectedValue;
    return phi;
  }

  shapValuesAndPrediction(row: ArrayLike<number>, out: Float64Array): number {
    if (this.layout === 'vector') {
      // shapValues' work, then the units with the reached leaves recorded
      this.addUnits(this.x, out, this.loadRow(row, out));
      out[this.numPlayers] = this.expectedValue;
      // a separate loop over the row indices addUnits recorded keeps its hot loop as it is
      const { unitTree, unitInner, unitPath, unitLeafStart, unitLeaf, unitIndex, treeOutput } = this;
      for (let u = 0; u < unitIndex.length; u++) {
        const index = unitIndex[u];
        const inner = unitInner[u];
        if (index >>> inner === unitPath[u]) treeOutput[unitTree[u]] = unitLeaf[unitLeafStart[u] + (index & ((1 << inner) - 1))];
      }
      let sum = this.baseScore;
      for (let t = 0; t < treeOutput.length; t++) sum += treeOutput[t];
      return sum;
    }
    this.shapValues(row, out);
    // the mask pass marked, per node, the path features the row disagrees with: the reached leaf has none
    const { leafPass, leafValue, disagree } = this;
    let sum = this.baseScore;
    // (every split below a root sets a bit where the row leaves the path), one per tree, leaves in tree order
    for (let l = 0; l < leafPass.length; l++) if (disagree[leafPass[l]] === 0) sum += leafValue[l];
    return sum;
  }

  shapValuesBatch(rows: ArrayLike<ArrayLike<number>>): Float64Array[] {
    const players = this.numPlayers + 1;
    const out: Float64Array[] = new Array(rows.length);
    const kernel = this.vectorBlockKernel;
    if (!kernel) {
      for (let r = 0; r < rows.length; r++) out[r] = this.shapValues(rows[r]);
      return out;
    }
    const m = this.numFeatures;
    const codes = new Int32Array(BLOCK_ROWS * m);
    const phi = new Float64Array(BLOCK_ROWS * players);
    const block: number[] = [];
    const flush = (): void => {
      phi.fill(0);
      kernel(block.length, codes, m, this.testFeature, this.testPosition, this.unitFeature, this.table, phi, players);
      block.forEach((r, b) => {
        const values = phi.slice(b * players, (b + 1) * players);
        values[this.numPlayers] = this.expectedValue;
        out[r] = values;
      });
      block.length = 0;
    };
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (row.length < m) throw new RangeError(`row has ${row.length} values, the model needs ${m}`);
      let complete = true;
      for (let f = 0; f < m; f++) if (+row[f] !== +row[f]) complete = false;
      if (!complete) {
        out[r] = this.shapValues(row);
        continue;
      }
      const at = block.length * m;
      for (let f = 0; f < m; f++) codes[at + f] = countNotAbove(this.cuts[f], +row[f]);
      block.push(r);
      if (block.length === BLOCK_ROWS) flush();
    }
    if (block.length > 0) flush();
    return out;
  }

  /** Vector layout: per unit, T comparisons make the row index, then one table row of W numbers is added. */
  private addUnits(x: Float64Array, phi: Float64Array, missing: boolean): void {
    const { groupUnits, groupTests, groupWidth, groupTest, groupFeature, groupTable, unitFeature, testFeature, testThreshold, testDefaultLeft, testPosition, table, code } = this;
    const unitIndex = this.unitIndex;
    let unit = 0;
    if (!missing) {
      for (let f = 0; f < code.length; f++) code[f] = countNotAbove(this.cuts[f], x[f]);
      if (this.vectorKernel) {
        this.vectorKernel(code, testFeature, testPosition, unitFeature, table, phi, unitIndex);
        return;
      }
    }
    for (let g = 0; g < groupUnits.length; g++) {
      const units = groupUnits[g];
      const tests = groupTests[g];
      const width = groupWidth[g];
      const stride = width << tests;
      let s = groupTest[g];
      let f = groupFeature[g];
      let base = groupTable[g];
      for (let u = 0; u < units; u++, base += stride) {
        let index = 0;
        if (missing) {
          for (let j = 0; j < tests; j++, s++) {
            const v = x[testFeature[s]];
            index = (index << 1) | (v !== v ? testDefaultLeft[s] : v < testThreshold[s] ? 1 : 0);
          }
        } else {
          // left (bit 1) when code ≤ position, i.e. code − position − 1 < 0
          for (let j = 0; j < tests; j++, s++) index = (index << 1) | ((code[testFeature[s]] - testPosition[s] - 1) >>> 31);
        }
        const row = base + index * width;
        for (let i = 0; i < width; i++, f++) phi[unitFeature[f]] += table[row + i];
        unitIndex[unit++] = index;
      }
    }
  }

  /** Weights and direct layouts: one pass, parents first: which way the row goes, and which path features it disagrees with. */
  private markDisagreements(x: Float64Array): void {
    const { passFeature, passThreshold, passDefaultLeft, passParent, passIsLeft, passBit, goLeft, disagree } = this;
    const n = passFeature.length;
    for (let k = 0; k < n; k++) {
      const p = passParent[k];
      disagree[k] = disagree[p] | ((goLeft[p] ^ passIsLeft[k]) * passBit[k]);
      const v = x[passFeature[k]];
      const t = passThreshold[k];
      goLeft[k] = v < t ? 1 : v >= t ? 0 : passDefaultLeft[k];
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

/** The player of each feature: `groups` checked, or the identity. */
function playersOf(numFeatures: number, groups: ArrayLike<number> | undefined): Int32Array {
  if (groups === undefined) return Int32Array.from({ length: numFeatures }, (_, f) => f);
  if (groups.length !== numFeatures) throw new RangeError(`groups must give a player for each of the ${numFeatures} features, found ${groups.length}`);
  const out = new Int32Array(numFeatures);
  for (let f = 0; f < numFeatures; f++) {
    const g = groups[f];
    if (!Number.isInteger(g) || g < 0 || g >= numFeatures) throw new RangeError(`groups[${f}] must be an integer player index in 0..${numFeatures - 1}, found ${g}`);
    out[f] = g;
  }
  return out;
}

/** Builds the per-model explainer once (validating the trees); reuse it for every row. */
export function createExplainer(ensemble: Ensemble, options?: ExplainerOptions): TreeExplainer {
  return new FastTreeExplainer(ensemble, options);
}

const cache = new WeakMap<Ensemble, { trees: Tree[]; count: number; baseScore: number; explainer: TreeExplainer }>();

/** The explainer of an ensemble, built on first use; rebuilt if its tree list or base score was replaced or grown. */
function cachedExplainer(ensemble: Ensemble): TreeExplainer {
  const hit = cache.get(ensemble);
  if (hit && hit.trees === ensemble.trees && hit.count === ensemble.trees.length && hit.baseScore === ensemble.baseScore) return hit.explainer;
  const explainer = createExplainer(ensemble);
  cache.set(ensemble, { trees: ensemble.trees, count: ensemble.trees.length, baseScore: ensemble.baseScore, explainer });
  return explainer;
}

/**
 * SHAP values of one row: numFeatures contributions followed by the expected value; they add up to the
 * prediction. The explainer is built on first use and cached per ensemble object (trees changed in place are
 * not noticed: build a new Ensemble instead, or use createExplainer).
 */
export function shapValues(ensemble: Ensemble, row: ArrayLike<number>): Float64Array {
  return cachedExplainer(ensemble).shapValues(row);
}

export function shapValuesBatch(ensemble: Ensemble, rows: ArrayLike<ArrayLike<number>>): Float64Array[] {
  return cachedExplainer(ensemble).shapValuesBatch(rows);
}
