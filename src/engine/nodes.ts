/** The tree grower's per-node arrays (engine/grower.ts), and how many nodes a tree can have. */

import type { GrowerParams } from './grower.js';

/** Most nodes a tree can have under these parameters on `rows` rows. */
export function nodeCapacity(params: Pick<GrowerParams, 'maxDepth' | 'maxLeaves'>, rows: number): number {
  const depthLeaves = params.maxDepth > 0 && params.maxDepth < 31 ? 2 ** params.maxDepth : Infinity;
  const leaves = Math.max(1, Math.min(params.maxLeaves > 0 ? params.maxLeaves : Infinity, depthLeaves, rows));
  return 2 * leaves - 1;
}

/** One array per node field, `capacity` long; the grower takes them as its own fields. */
export function nodeArrays(capacity: number) {
  const c = capacity;
  return {
    feature: new Int32Array(c),
    splitBin: new Int32Array(c),
    threshold: new Float64Array(c),
    left: new Int32Array(c),
    right: new Int32Array(c),
    defaultLeft: new Uint8Array(c),
    g: new Float64Array(c),
    h: new Float64Array(c),
    count: new Float64Array(c),
    lower: new Float64Array(c),
    upper: new Float64Array(c),
    start: new Int32Array(c),
    end: new Int32Array(c),
    depth: new Int32Array(c),
    value: new Float64Array(c),
    /** 1 where a node was split without partitioning its rows (both children are final leaves). */
    unpartitioned: new Uint8Array(c),
  };
}
