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
