/**
 * Split finding on a fit's threads (engine/threads.ts level jobs): the thread that partitions a node and sums its
 * smaller child's histogram goes on with the larger child's (the parent's minus it, in place) and both children's
 * best splits — split.ts findBestSplit, the same call on the same numbers as on one thread — written to shared
 * arrays the grower reads (TreeGrower.attachSplit). nodeSplits is self-contained: the workers run its source.
 */
import type { BinnedMatrix } from './binning.js';
import type { subtractHistogram } from './histogram.js';
import type { findBestSplit, Split, SplitParams } from './split.js';

/** Per node: g, h, count, lower, upper, 1 when it may split. */
export const STATS = 6;
/** Per node: 1 when a split was found, then the Split's fields (see writeSplit). */
export const FOUND = 14;

/** The shared arrays of a fit's level splits; `capacity`: most nodes of a tree, `features`: the matrix's. */
export class LevelSplits {
  readonly stats: Float64Array;
  readonly found: Float64Array;
  /** Per partition item of a level job: [smaller child, larger child, parent's histogram id]; −1: none asked. */
  readonly nodes: Int32Array;
  /** lambda, minChildWeight, minSplitGain, the constant hessian (0: none), 1 when monotone applies. */
  readonly params: Float64Array;
  readonly monotone: Int8Array;

  constructor(capacity: number, features: number, params: SplitParams, constantHessian = 0, monotone?: Int8Array) {
    const shared = (bytes: number) => new SharedArrayBuffer(bytes);
    this.stats = new Float64Array(shared(capacity * STATS * 8));
    this.found = new Float64Array(shared(capacity * FOUND * 8));
    this.nodes = new Int32Array(shared(capacity * 3 * 4)).fill(-1);
    const { lambda, minChildWeight, minSplitGain } = params;
    const on = monotone ? 1 : 0;
    this.params = new Float64Array(shared(5 * 8)).fill(0);
    this.params.set([lambda, minChildWeight, minSplitGain, constantHessian, on]);
    this.monotone = new Int8Array(shared(Math.max(1, features)));
    if (monotone) this.monotone.set(monotone);
  }

  /** Node id's stats, for the thread that finds its split. */
  setStats(id: number, g: number, h: number, count: number, lower: number, upper: number, maySplit: boolean): void {
    this.stats.set([g, h, count, lower, upper, maySplit ? 1 : 0], id * STATS);
  }

  /** The split a thread found for node id, or null. */
  read(id: number): Split | null {
    const a = this.found.subarray(id * FOUND, (id + 1) * FOUND);
    if (a[0] === 0) return null;
    return {
      gain: a[1],
      feature: a[2],
      bin: a[3],
      defaultLeft: a[4] === 1,
      gLeft: a[5],
      hLeft: a[6],
      countLeft: a[7],
      gRight: a[8],
      hRight: a[9],
      countRight: a[10],
      countMissing: a[11],
      weightLeft: a[12],
      weightRight: a[13],
    };
  }
}

/**
 * Partition item p's children (splits.nodes): the larger child's histogram made in `parent` (minus `small`), then the
 * best split of each child that may split, written to splits.found. `find` and `subtract` are split.ts
 * findBestSplit and histogram.ts subtractHistogram, passed in so that the source runs alone on the workers.
 */
export function nodeSplits(
  splits: { stats: Float64Array; found: Float64Array; nodes: Int32Array; params: Float64Array; monotone: Int8Array },
  p: number,
  parent: Float64Array,
  small: Float64Array,
  binned: Pick<BinnedMatrix, 'valueBins' | 'slotStride' | 'histOffset'>,
  features: Int32Array,
  find: typeof findBestSplit,
  subtract: typeof subtractHistogram,
): void {
  const { stats, found, nodes, params } = splits;
  if (nodes[3 * p] < 0) return;
  subtract(parent, small);
  const rules = { lambda: params[0], minChildWeight: params[1], minSplitGain: params[2] };
  const monotone = params[4] === 1 ? splits.monotone : undefined;
  for (let k = 0; k < 2; k++) {
    const id = nodes[3 * p + k];
    const at = id * 6;
    if (stats[at + 5] === 0) continue;
    const node = { g: stats[at], h: stats[at + 1], count: stats[at + 2], lower: stats[at + 3], upper: stats[at + 4] };
    const hScale = params[3] > 0 ? params[3] : undefined;
    const s = find(k === 0 ? small : parent, binned, features, node, monotone, rules, hScale);
    const out = id * 14;
    found[out] = s ? 1 : 0;
    if (s)
      found.set(
        [
          s.gain,
          s.feature,
          s.bin,
          s.defaultLeft ? 1 : 0,
          s.gLeft,
          s.hLeft,
          s.countLeft,
          s.gRight,
          s.hRight,
          s.countRight,
          s.countMissing,
          s.weightLeft,
          s.weightRight,
        ],
        out + 1,
      );
  }
}
