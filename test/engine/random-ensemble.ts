/**
 * Random trees with realistic covers, for TreeSHAP tests and the benchmark: each tree is grown on a sample of
 * rows by splitting on a random feature at the value of a random row in the node, so every node's cover is the
 * number of rows that reach it, exactly as a trainer with squared error would record it.
 */
import { createRng } from '../../src/engine/random.js';
import { treeFromArrays, type Ensemble, type Tree } from '../../src/engine/tree.js';

/** Uniform numbers in [0, 1) from the engine's seeded generator. */
export function rng(seed: number): () => number {
  const r = createRng(seed);
  return () => r.nextFloat();
}

export interface RandomTreeOptions {
  maxDepth: number;
  numFeatures: number;
  /** Chance that a row's value is missing (NaN), so default directions matter. */
  missing?: number;
  /** Leaf values are uniform in ±scale. */
  scale?: number;
}

export function randomRows(random: () => number, n: number, numFeatures: number, missing = 0): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(numFeatures);
    for (let f = 0; f < numFeatures; f++) row[f] = random() < missing ? NaN : Math.round(random() * 100) / 10;
    rows.push(row);
  }
  return rows;
}

export function randomTree(random: () => number, rows: Float64Array[], options: RandomTreeOptions): Tree {
  const nodes = {
    feature: [] as number[],
    threshold: [] as number[],
    left: [] as number[],
    right: [] as number[],
    defaultLeft: [] as number[],
    value: [] as number[],
    cover: [] as number[],
  };
  const scale = options.scale ?? 1;
  const grow = (members: Float64Array[], depth: number): number => {
    const id = nodes.feature.length;
    nodes.feature.push(-1);
    nodes.threshold.push(0);
    nodes.left.push(-1);
    nodes.right.push(-1);
    nodes.defaultLeft.push(random() < 0.5 ? 1 : 0);
    nodes.value.push(0);
    nodes.cover.push(members.length);
    if (depth < options.maxDepth && members.length >= 2) {
      for (let attempt = 0; attempt < 8; attempt++) {
        const f = Math.floor(random() * options.numFeatures);
        const threshold = members[Math.floor(random() * members.length)][f];
        if (Number.isNaN(threshold)) continue;
        const goLeft = (row: Float64Array) => (Number.isNaN(row[f]) ? nodes.defaultLeft[id] === 1 : row[f] < threshold);
        const left = members.filter(goLeft);
        const right = members.filter((row) => !goLeft(row));
        if (left.length === 0 || right.length === 0) continue;
        nodes.feature[id] = f;
        nodes.threshold[id] = threshold;
        nodes.left[id] = grow(left, depth + 1);
        nodes.right[id] = grow(right, depth + 1);
        return id;
      }
    }
    nodes.value[id] = (random() * 2 - 1) * scale;
    return id;
  };
  grow(rows, 0);
  return treeFromArrays(nodes);
}

/** An ensemble of `trees` random trees, each grown on a random half of `rows`. */
export function randomEnsemble(
  seed: number,
  trees: number,
  rows: Float64Array[],
  options: RandomTreeOptions,
): Ensemble {
  const random = rng(seed);
  const out: Tree[] = [];
  for (let t = 0; t < trees; t++) {
    const sample = rows.filter(() => random() < 0.5);
    out.push(randomTree(random, sample.length >= 2 ? sample : rows, options));
  }
  return { baseScore: 8 + random(), trees: out, numFeatures: options.numFeatures };
}
