/**
 * The data layout of a regression tree and of an ensemble of them, shared by the grower (which writes trees),
 * the predictor, TreeSHAP and the XGBoost reader. Flat typed arrays (one entry per node, node 0 the root)
 * keep a 1,000-tree model compact, fast to walk and trivially serialisable.
 *
 * Split rule, the same as XGBoost's so that its models load unchanged:
 *   go left when value < threshold; a missing value (NaN) goes to the default side.
 */

export interface Tree {
  /** Feature index tested at the node; -1 marks a leaf. */
  feature: Int32Array;
  /** Split threshold on the raw feature value (left when value < threshold). */
  threshold: Float64Array;
  /** Child indices; -1 at leaves. */
  left: Int32Array;
  right: Int32Array;
  /** Missing values take the left child when 1, the right when 0. */
  defaultLeft: Uint8Array;
  /** Leaf output, learning rate already applied; 0 at internal nodes. */
  value: Float64Array;
  /** Sum of hessians of the training rows that reached the node (the row count for squared error). TreeSHAP weighs paths by it. */
  cover: Float64Array;
}

/** A boosted ensemble: prediction = baseScore + Σ tree outputs. */
export interface Ensemble {
  baseScore: number;
  trees: Tree[];
  /** Number of input features a row must have. */
  numFeatures: number;
}

export function leafIndex(tree: Tree, row: ArrayLike<number>): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    const v = row[tree.feature[node]];
    node =
      v < tree.threshold[node]
        ? tree.left[node]
        : Number.isNaN(v)
          ? tree.defaultLeft[node]
            ? tree.left[node]
            : tree.right[node]
          : tree.right[node];
  }
  return node;
}

export function predictRow(ensemble: Ensemble, row: ArrayLike<number>): number {
  let sum = ensemble.baseScore;
  for (const tree of ensemble.trees) sum += tree.value[leafIndex(tree, row)];
  return sum;
}

/** Depth of the deepest leaf (a single leaf has depth 0). */
export function treeDepth(tree: Tree, node = 0): number {
  if (tree.feature[node] < 0) return 0;
  return 1 + Math.max(treeDepth(tree, tree.left[node]), treeDepth(tree, tree.right[node]));
}

/**
 * Bounds on a model read from a file, so that a hostile or damaged one is refused before it costs anything:
 * depth bounds every walk (the explainer's is recursive, and a path thousands of splits deep would overflow the
 * call stack), the node count bounds the memory compiling and explaining take. Loupe's own trees are at most 64
 * deep (options.ts) and its largest tuned model has about 130,000 nodes; XGBoost's default depth is 6.
 */
export const MAX_TREE_DEPTH = 1_000;
export const MAX_ENSEMBLE_NODES = 1 << 22;

/**
 * What is wrong with a tree's links, or undefined when they make a tree every walk can take: each child of a node
 * reached from the root is a node of the tree, no node is reached twice (a cycle would make a walk loop forever, a
 * subtree shared by two parents would be counted twice), no path is more than MAX_TREE_DEPTH splits deep, and the
 * covers are what TreeSHAP divides by (> 0 at a split, ≥ 0 at a child). The walk keeps its own stack, so no tree
 * can overflow the call stack here. Nodes the root does not reach (XGBoost keeps pruned ones) are not looked at.
 */
export function treeLinkProblem(tree: Tree): string | undefined {
  const n = tree.feature.length;
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const depths = new Int32Array(n);
  let top = 1;
  seen[0] = 1;
  while (top > 0) {
    top--;
    const node = stack[top];
    const depth = depths[top];
    if (tree.feature[node] < 0) continue;
    if (depth >= MAX_TREE_DEPTH) return `a path is more than ${MAX_TREE_DEPTH} splits deep (the most a model may have)`;
    if (!(tree.cover[node] > 0)) return `node ${node}: cover ${tree.cover[node]} must be > 0 at a split`;
    for (const child of [tree.left[node], tree.right[node]]) {
      if (!(child >= 0 && child < n)) return `node ${node}: child ${child} is not a node of the tree (0..${n - 1})`;
      if (seen[child]) return `node ${child} is reached twice from the root (a cycle, or a child of two parents)`;
      if (!(tree.cover[child] >= 0)) return `node ${child}: cover ${tree.cover[child]} must be ≥ 0`;
      seen[child] = 1;
      stack[top] = child;
      depths[top] = depth + 1;
      top++;
    }
  }
  return undefined;
}

/**
 * The least and the greatest output the ensemble can give whatever the row: the base score plus each tree's
 * smallest (greatest) leaf value. A reader refuses a model whose bounds are not finite (its sums overflow).
 */
export function outputBounds(ensemble: Ensemble): [number, number] {
  let low = ensemble.baseScore;
  let high = ensemble.baseScore;
  for (const tree of ensemble.trees) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < tree.feature.length; i++) {
      if (tree.feature[i] >= 0) continue;
      if (tree.value[i] < min) min = tree.value[i];
      if (tree.value[i] > max) max = tree.value[i];
    }
    low += min;
    high += max;
  }
  return [low, high];
}

/** Builds a Tree from plain node arrays (tests, fixtures, the XGBoost reader). */
export function treeFromArrays(nodes: {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  defaultLeft?: number[];
  value: number[];
  cover: number[];
}): Tree {
  const n = nodes.feature.length;
  for (const key of ['threshold', 'left', 'right', 'value', 'cover'] as const) {
    if (nodes[key].length !== n)
      throw new RangeError(`tree arrays differ in length: feature has ${n}, ${key} has ${nodes[key].length}`);
  }
  return {
    feature: Int32Array.from(nodes.feature),
    threshold: Float64Array.from(nodes.threshold),
    left: Int32Array.from(nodes.left),
    right: Int32Array.from(nodes.right),
    defaultLeft: Uint8Array.from(nodes.defaultLeft ?? new Array<number>(n).fill(1)),
    value: Float64Array.from(nodes.value),
    cover: Float64Array.from(nodes.cover),
  };
}
