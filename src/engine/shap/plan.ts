/**
 * Planning an explainer: each tree walked once, parents first, with the distinct players on every path and their
 * merged zero fractions; the expected value; and the layout — the fastest that fits the memory budget (see
 * index.ts). For the vector layout, the units: subtrees of at most 3 (else 1, else 0) splits and the tests that
 * decide their tables.
 */
import type { Ensemble, Tree } from '../tree.js';

export type ExplainerLayout = 'vector' | 'weights' | 'direct';

export interface ExplainerOptions {
  /**
   * Players of the game explained (see "Groups of features" in index.ts): groups[f] is the player feature f
   * belongs to, 0 ≤ groups[f] < numPlayers. Omitted: every feature is its own player (per-feature SHAP).
   */
  groups?: ArrayLike<number>;
  /** Most precomputed numbers (8 bytes each) the explainer may hold; decides the layout (see index.ts). */
  maxTableEntries?: number;
  /** Force a layout (tests); by default the fastest one within the budget. */
  layout?: ExplainerLayout;
  /** Vector layout: most internal nodes per tabulated subtree (tests, benchmarks); by default the most that fits. */
  subtreeSplits?: number;
  /**
   * Vector layout: run complete rows through the unit loop compiled for the model (kernel.ts; default true) or
   * through the plain loop, which gives the same numbers bit for bit (tests check it; the plain one is slower).
   */
  compile?: boolean;
}

/** Default memory budget: 4M numbers, 32 MB. A 1,000-tree depth-4 model takes 0.4M in the vector layout. */
export const DEFAULT_MAX_TABLE_ENTRIES = 1 << 22;
/** Paths with more distinct players than this never get a table (2^d grows too fast). */
export const MAX_TABLE_DEPTH = 16;
/** Splits per unit tried in this order for the vector layout; the first whose tables fit the budget is used. */
const SUBTREE_SPLITS = [3, 1, 0];

/** The tree in a parent-before-child (pre-)order with, per node, what the explainer needs. */
export interface TreeWalk {
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
  const walk: TreeWalk = {
    order: [],
    parent: [],
    isLeft: [],
    slot: [],
    internal: [],
    size: [],
    features: [],
    zero: [],
  };
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
    if (f >= numFeatures)
      throw new RangeError(
        `tree ${treeIndex} node ${node}: feature ${f} is outside the model's ${numFeatures} features`,
      );
    if (Number.isNaN(tree.threshold[node])) throw new RangeError(`tree ${treeIndex} node ${node}: threshold is NaN`);
    const cover = tree.cover[node];
    if (!(cover > 0))
      throw new RangeError(`tree ${treeIndex} node ${node}: cover must be > 0 for TreeSHAP, found ${cover}`);
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
      if (!(Number.isInteger(child) && child >= 0 && child < size))
        throw new RangeError(`tree ${treeIndex} node ${node}: child index ${child} is out of range`);
      const childCover = tree.cover[child];
      if (!(childCover >= 0))
        throw new RangeError(`tree ${treeIndex} node ${child}: cover must be ≥ 0, found ${childCover}`);
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

export const isLeafAt = (tree: Tree, walk: TreeWalk, position: number) => tree.feature[walk.order[position]] < 0;

/** The player of each feature: `groups` checked, or the identity. */
function playersOf(numFeatures: number, groups: ArrayLike<number> | undefined): Int32Array {
  if (groups === undefined) return Int32Array.from({ length: numFeatures }, (_, f) => f);
  if (groups.length !== numFeatures)
    throw new RangeError(`groups must give a player for each of the ${numFeatures} features, found ${groups.length}`);
  const out = new Int32Array(numFeatures);
  for (let f = 0; f < numFeatures; f++) {
    const g = groups[f];
    if (!Number.isInteger(g) || g < 0 || g >= numFeatures)
      throw new RangeError(`groups[${f}] must be an integer player index in 0..${numFeatures - 1}, found ${g}`);
    out[f] = g;
  }
  return out;
}

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

export interface VectorUnit {
  tree: number;
  /** Position (in its tree's walk) of the unit's root. */
  q: number;
  tests: number[];
  features: number[];
}

export interface VectorPlan {
  splits: number;
  entries: number;
  /** Sorted by (number of tests, number of features), so that runs of alike units form groups. */
  units: VectorUnit[];
}

function planVector(
  trees: Tree[],
  walks: TreeWalk[],
  splits: number,
  budget: number,
  groups: Int32Array,
): VectorPlan | null {
  const units: VectorUnit[] = [];
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

/** Everything the layouts are built from. */
export interface ExplainerPlan {
  numFeatures: number;
  numPlayers: number;
  trees: Tree[];
  walks: TreeWalk[];
  baseScore: number;
  /** The path-dependent expected value of the model's output. */
  expectedValue: number;
  layout: ExplainerLayout;
  /** The vector layout's units (when it is the layout). */
  vector: VectorPlan | null;
  /** Most distinct players on one path. */
  maxDepth: number;
  /** Leaves, and their path players summed over the leaves (the leaf layouts' slots). */
  leafCount: number;
  slotCount: number;
  /** Numbers the weights layout's tables take. */
  weightEntries: number;
}

/** Walks and checks every tree, computes the expected value and chooses the layout. */
export function planExplainer(ensemble: Ensemble, options: ExplainerOptions): ExplainerPlan {
  const numFeatures = ensemble.numFeatures;
  if (!Number.isInteger(numFeatures) || numFeatures < 0)
    throw new RangeError(`numFeatures must be a non-negative integer, found ${numFeatures}`);
  const players = playersOf(numFeatures, options.groups);
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

  let vector: VectorPlan | null = null;
  if (options.layout === undefined || options.layout === 'vector') {
    for (const splits of options.subtreeSplits !== undefined ? [options.subtreeSplits] : SUBTREE_SPLITS) {
      vector = planVector(trees, walks, splits, options.layout === 'vector' ? Infinity : budget, players);
      if (vector) break;
    }
    if (!vector && options.layout === 'vector') throw new RangeError('the vector layout cannot hold paths this deep');
  }
  const layout = options.layout ?? (vector ? 'vector' : weightEntries <= budget ? 'weights' : 'direct');
  return {
    numFeatures,
    numPlayers: players.length === 0 ? 0 : Math.max(...players) + 1,
    trees,
    walks,
    baseScore: ensemble.baseScore,
    expectedValue: expected,
    layout,
    vector: layout === 'vector' ? vector : null,
    maxDepth,
    leafCount,
    slotCount,
    weightEntries,
  };
}
