/**
 * Grows one regression tree on binned data into the flat layout of tree.ts.
 *
 * Rows are never copied: one index array is partitioned in place (left rows first, order kept), so every node
 * owns a contiguous range of it (on threads, a range in each thread's block of it: engine/level-job.ts). A node's
 * histogram is built only when the node may still be split, and only for the smaller child of a split; the larger
 * child's is the parent's minus it.
 *
 * Two growth policies:
 *   depth-wise (default, XGBoost's): every splittable node of a level is split before the next level, up to maxDepth;
 *   leaf-wise (when maxLeaves > 0, LightGBM's): the leaf with the largest gain is split next, until maxLeaves.
 * Monotone constraints: after a split on a constrained feature, the children's weights bound their subtrees at the
 * mid-point between the two weights (left below, right above for +1), so every leaf of the left subtree is <= every
 * leaf of the right one and the tree — hence the ensemble — is monotone in that feature.
 */

import { MAX_BINS, type BinnedMatrix } from './binning.js';
import { buildHistogram, newHistogram, subtractHistogram } from './histogram.js';
import { binnedLeafValue, fillSides, finishTree, treeSegments } from './nodes.js';
import { childBounds, nodeArrays, nodeCapacity, nodeRanges, nodeRows, placeChildren } from './nodes.js';
import { levelScratch, type LevelScratch, type NodeArrays } from './nodes.js';
import { addSegmentsOf, blockStart, newSegments, partitionRows, sumOfRows, type Segments } from './row-jobs.js';
import { MIN_ROWS_PER_HANDOFF, type FitThreads } from './threads.js';
import { defaultSide, findBestSplit, type Split, type SplitParams } from './split.js';
import type { Tree } from './tree.js';

export interface GrowerParams extends SplitParams {
  /** Deepest level a leaf may sit at (root = 0); 0 means unlimited (allowed only with maxLeaves). */
  maxDepth: number;
  /** 0: depth-wise growth; > 0: leaf-wise growth up to this many leaves. */
  maxLeaves: number;
  learningRate: number;
}

export class TreeGrower {
  private readonly binned: BinnedMatrix;
  private readonly params: GrowerParams;
  private readonly monotone: Int8Array | undefined;
  private readonly index: Uint32Array;
  private readonly scratch: Uint32Array;
  private readonly pool: Float64Array[] = [];
  /** Blocks of the row index (level-job.ts): the threads', or 1; a node's ranges are start/end[id·blocks + b]. */
  private readonly blocks: number;
  private readonly ranges: Int32Array;

  // Per-node working state of the tree being grown (engine/nodes.ts), as fields and together.
  private nodes = 0;
  private readonly arrays: NodeArrays;
  declare private readonly feature: Int32Array;
  declare private readonly splitBin: Int32Array;
  declare private readonly threshold: Float64Array;
  declare private readonly left: Int32Array;
  declare private readonly right: Int32Array;
  declare private readonly defaultLeft: Uint8Array;
  declare private readonly g: Float64Array;
  declare private readonly h: Float64Array;
  declare private readonly count: Float64Array;
  declare private readonly lower: Float64Array;
  declare private readonly upper: Float64Array;
  declare private readonly start: Int32Array;
  declare private readonly end: Int32Array;
  declare private readonly depth: Int32Array;
  declare private readonly value: Float64Array;
  /** 1 where a node was split without partitioning its rows (both children are final leaves). */
  declare private readonly unpartitioned: Uint8Array;
  /** 1 for the bin codes that go left under the split being applied (see nodes.ts fillSides). */
  private readonly sides: Uint8Array;
  /** Where the last tree's rows go, for addToPredictions. */
  private readonly segments: Segments;
  private treeRows = 0;
  /** The root beginRound prepared for the next grow(). */
  private begun: { gSum: number; hist: Float64Array } | undefined;
  private splits: (Split | null)[] = [];
  private hists: (Float64Array | null)[] = [];
  /** growDepthWise's scratch for a level (nodes.ts LevelScratch). */
  private readonly levelScratch: LevelScratch;

  // Inputs of the current grow() call.
  private grad: Float64Array = new Float64Array(0);
  private hess: Float64Array = new Float64Array(0);
  private constantHessian: number | undefined;
  private features: Int32Array = new Int32Array(0);

  /**
   * With `threads` (made for this matrix, nodeCapacity(params, rows) and the same pred as addToPredictions gets),
   * large nodes' histograms, their partitions and the prediction update run on worker threads, over the pool's
   * shared row index, side table and segments.
   */
  constructor(
    binned: BinnedMatrix,
    params: GrowerParams,
    monotone?: Int8Array,
    private readonly threads?: FitThreads,
  ) {
    this.binned = binned;
    this.params = params;
    this.monotone = monotone?.some((c) => c !== 0) ? monotone : undefined;
    const n = binned.rows;
    const arena = threads ? undefined : binned.arena; // the WebAssembly kernels' memory (engine/wasm-kernels.ts)
    this.index = threads ? threads.index : (arena?.uint32(n) ?? new Uint32Array(n));
    this.scratch = arena?.uint32(n) ?? new Uint32Array(n);
    const c = nodeCapacity(params, n);
    this.blocks = threads?.threads ?? 1;
    this.ranges = new Int32Array(2 * this.blocks);
    this.sides = arena?.uint8(MAX_BINS + 1) ?? new Uint8Array(MAX_BINS + 1);
    this.segments = threads ? threads.segments : newSegments(c, false, arena);
    this.arrays = nodeArrays(c, this.blocks);
    Object.assign(this, this.arrays);
    this.levelScratch = levelScratch(c, this.blocks);
  }

  /**
   * Grows a tree on the rows listed in `rows` (ascending) using the given features; after beginRound, from the root
   * it prepared. `constantHessian`: every hessian equals this number (squared error): the histogram fast path.
   * `gradSum`: the gradients' sum over `rows` in their order, when the caller has it.
   */
  grow(
    grad: Float64Array,
    hess: Float64Array,
    constantHessian: number | undefined,
    rows: Uint32Array,
    features: Int32Array,
    gradSum?: number,
  ): Tree {
    this.grad = grad;
    this.hess = hess;
    this.constantHessian = constantHessian;
    this.features = features;
    this.threads?.setFeatures(features);
    const begun = this.begun;
    this.begun = undefined;
    if (!begun) this.index.set(rows);
    this.treeRows = rows.length;
    this.nodes = 0;
    this.splits = [];
    this.hists = [];

    const gSum = begun?.gSum ?? gradSum ?? sumOfRows(grad, rows);
    const hSum = constantHessian === undefined ? sumOfRows(hess, rows) : constantHessian * rows.length;
    const root = this.addNode(0, gSum, hSum, rows.length, -Infinity, Infinity);
    // The root's rows in blocks: the same cut as the threads' element-wise passes.
    for (let b = 0; b < this.blocks; b++) {
      this.start[b] = blockStart(0, rows.length, b, this.blocks);
      this.end[b] = blockStart(0, rows.length, b + 1, this.blocks);
    }
    if (this.maySplit(root)) {
      const hist = begun?.hist ?? this.acquire();
      // All rows (rows is ascending): the root's index is 0..n−1, and its histogram can read rows in place.
      if (!begun) this.build(hist, root, rows.length === this.binned.rows);
      this.attachSplit(root, hist);
    } else if (begun) this.pool.push(begun.hist);

    if (this.params.maxLeaves > 0) this.growLeafWise();
    else this.growDepthWise();
    return this.finish();
  }

  /**
   * With threads, squared error and every row in every tree: the last tree's prediction update (queued by
   * addToPredictions), this round's gradients and the next grow()'s root index, sums and histogram, one job
   * (FitThreads.runRound). Returns the loss objective.gradients would: the mean squared error of pred updated.
   */
  beginRound(features: Int32Array): number {
    const threads = this.threads!;
    const n = this.binned.rows;
    threads.setFeatures(features);
    const hist = this.acquire();
    const [gSum, squares] = threads.runRound(n, hist);
    this.begun = { gSum, hist };
    return squares / n;
  }

  /** Whether beginRound applies: threads, squared error (its gradients are FitThreads.runRound's) and all rows. */
  roundsOnThreads(squaredError: boolean, allRows: boolean): boolean {
    return this.threads !== undefined && squaredError && allRows && this.binned.rows >= MIN_ROWS_PER_HANDOFF;
  }

  /**
   * Adds the tree's leaf values to pred[row] for every row the last grow() used; with `queue` (see beginRound) the
   * update is only queued on the threads for the next round's job, or for their flushPredictions.
   */
  addToPredictions(pred: Float64Array, queue = false): void {
    const count = treeSegments(this.arrays, this.nodes, this.binned, this.segments, this.blocks);
    if (queue) this.threads!.queuedSegments = count;
    else if (this.threads && this.treeRows >= MIN_ROWS_PER_HANDOFF) this.threads.addSegments(count, this.treeRows);
    else addSegmentsOf(this.binned, pred, this.index, this.segments, count, this.treeRows);
  }

  /** Runs a prediction update addToPredictions queued, if any. */
  flushPredictions = (): void => this.threads?.flushSegments(this.treeRows);

  /** Leaf value of the last grown tree for a training row given by its bins (rows left out by subsampling). */
  binnedValue(row: number): number {
    return binnedLeafValue(this.arrays, this.binned, row);
  }

  /**
   * Depth-wise growth, a level at a time (nodes are numbered in creation order, which here is level order): the
   * level's partitions, then the next level's histograms. On threads a level of enough rows is one job
   * (FitThreads.runLevel: the partitions by node and block, each node's child's histogram by feature group and,
   * with level splits, the children's splits); a job per node would wait some 60 times a tree.
   */
  private growDepthWise(): void {
    const { ids, smalls, hists, parted, partAt, mids } = this.levelScratch;
    const blocks = this.blocks;
    for (let from = 0; from < this.nodes; ) {
      const to = this.nodes;
      let count = 0;
      let parts = 0;
      let rows = 0;
      for (let id = from; id < to; id++) {
        if (!this.splits[id]) continue;
        if (this.terminal(id)) this.unpartitioned[id] = 1;
        else {
          rows += nodeRows(this.arrays, blocks, id);
          partAt[parts] = count;
          parted[parts++] = id;
        }
        ids[count++] = id;
      }
      const level = rows >= MIN_ROWS_PER_HANDOFF ? this.threads : undefined;
      for (let p = 0; p < parts; p++) this.partition(parted[p], level, p * blocks);
      for (let i = 0; i < count; i++) smalls[i] = this.addChildren(ids[i]);
      for (let i = 0; i < count; i++) hists[i] = smalls[i] >= 0 ? this.acquire() : null;
      if (level) {
        for (let p = 0; p < parts; p++) {
          const [id, small] = [parted[p], smalls[partAt[p]]];
          if (small >= 0) level.addChildHistogram(p, hists[partAt[p]]!, small === this.left[id] ? 0 : 1);
          this.askSplits(level, p, id, small);
        }
        const done = level.runLevel(parts, this.constantHessian);
        for (let p = 0; p < parts; p++) this.place(parted[p], done, p * blocks);
      } else for (let p = 0; p < parts; p++) this.place(parted[p], mids, p * blocks);
      for (let i = 0; i < count; i++) if (this.unpartitioned[ids[i]]) this.place(ids[i]);
      if (!level) {
        rows = 0;
        for (let i = 0; i < count; i++) if (smalls[i] >= 0) rows += nodeRows(this.arrays, blocks, smalls[i]);
        const onThreads = rows >= MIN_ROWS_PER_HANDOFF ? this.threads : undefined;
        for (let i = 0; i < count; i++) if (smalls[i] >= 0) this.build(hists[i]!, smalls[i], false, onThreads);
        onThreads?.runHistograms(this.constantHessian);
      }
      const found = level?.splits !== undefined;
      for (let i = 0; i < count; i++) if (smalls[i] >= 0) this.attachChildren(ids[i], smalls[i], hists[i]!, found);
      hists.fill(null, 0, count);
      from = to;
    }
  }

  /** Level job item p (node id, its smaller child small): its children's splits found on the threads. */
  private askSplits(threads: FitThreads, p: number, id: number, small: number): void {
    const splits = threads.splits;
    if (!splits || small < 0) {
      splits?.nodes.fill(-1, 3 * p, 3 * p + 3);
      return;
    }
    const large = small === this.left[id] ? this.right[id] : this.left[id];
    for (const c of [small, large])
      splits.setStats(c, this.g[c], this.h[c], this.count[c], this.lower[c], this.upper[c], this.maySplit(c));
    splits.nodes.set([small, large, threads.histId(this.hists[id]!)], 3 * p);
  }

  private growLeafWise(): void {
    let leaves = 1;
    while (leaves < this.params.maxLeaves) {
      let bestId = -1;
      for (let id = 0; id < this.nodes; id++) {
        const s = this.splits[id];
        if (s && this.feature[id] < 0 && (bestId < 0 || s.gain > this.splits[bestId]!.gain)) bestId = id;
      }
      if (bestId < 0) break;
      this.split(bestId);
      leaves++;
    }
    for (let id = 0; id < this.nodes; id++) this.release(id);
  }

  private addNode(depth: number, g: number, h: number, count: number, lower: number, upper: number): number {
    const id = this.nodes++;
    this.feature[id] = -1;
    this.splitBin[id] = -1;
    this.threshold[id] = 0;
    this.left[id] = -1;
    this.right[id] = -1;
    this.defaultLeft[id] = 0;
    this.depth[id] = depth;
    this.g[id] = g;
    this.h[id] = h;
    this.count[id] = count;
    this.lower[id] = lower;
    this.upper[id] = upper;
    this.value[id] = 0;
    this.unpartitioned[id] = 0;
    this.splits.push(null);
    this.hists.push(null);
    return id;
  }

  private maySplit(id: number): boolean {
    return this.maySplitStats(this.depth[id], this.count[id], this.h[id]);
  }

  private maySplitStats(depth: number, count: number, h: number): boolean {
    const { maxDepth, minChildWeight } = this.params;
    return (maxDepth === 0 || depth < maxDepth) && count >= 2 && h >= 2 * minChildWeight;
  }

  /** The node's histogram: built now, or with `queue` queued for the caller's runHistograms. */
  private build(hist: Float64Array, id: number, contiguous = false, queue?: FitThreads): void {
    const threads =
      queue ?? (nodeRows(this.arrays, this.blocks, id) >= MIN_ROWS_PER_HANDOFF ? this.threads : undefined);
    if (threads) {
      threads.addHistogram(hist, nodeRanges(this.arrays, this.blocks, id, this.ranges));
      if (!queue) threads.runHistograms(this.constantHessian);
      return;
    }
    for (let b = id * this.blocks; b < (id + 1) * this.blocks; b++)
      buildHistogram(
        hist,
        this.binned,
        this.features,
        this.index,
        this.start[b],
        this.end[b],
        this.grad,
        this.hess,
        this.constantHessian,
        contiguous,
        b > id * this.blocks, // the later blocks' rows are added to the earlier ones' sums, in row order
      );
  }

  /** Finds the node's best split from its histogram; keeps the histogram only while a split is pending. */
  private attachSplit(id: number, hist: Float64Array, found = false): void {
    const node = { g: this.g[id], h: this.h[id], count: this.count[id], lower: this.lower[id], upper: this.upper[id] };
    const split = found
      ? this.threads!.splits!.read(id)
      : findBestSplit(hist, this.binned, this.features, node, this.monotone, this.params, this.constantHessian);
    this.splits[id] = split;
    if (split) this.hists[id] = hist;
    else this.pool.push(hist);
  }

  /** Splits one node (leaf-wise growth). */
  private split(id: number): void {
    let mids: Int32Array | undefined;
    if (this.terminal(id)) this.unpartitioned[id] = 1;
    else if (nodeRows(this.arrays, this.blocks, id) < MIN_ROWS_PER_HANDOFF || !this.threads) {
      this.partition(id, undefined, 0);
      mids = this.levelScratch.mids;
    } else {
      this.partition(id, this.threads, 0);
      mids = this.threads.runLevel(1, this.constantHessian);
    }
    const small = this.addChildren(id);
    this.place(id, mids);
    if (small < 0) return;
    const hist = this.acquire();
    this.build(hist, small);
    this.attachChildren(id, small, hist);
  }

  /**
   * Whether both children of the node's split will be final leaves: then their rows are never needed apart, the
   * partition is skipped, and addToPredictions routes the node's rows in the pass that adds the leaf values.
   */
  private terminal(id: number): boolean {
    const s = this.splits[id]!;
    const depth = this.depth[id] + 1;
    return !this.maySplitStats(depth, s.countLeft, s.hLeft) && !this.maySplitStats(depth, s.countRight, s.hRight);
  }

  /**
   * Applies the node's pending split: adds the two children (their rows placed by placeChildren). Returns the child
   * whose histogram is to be built (the smaller), or −1 when neither child may split.
   */
  private addChildren(id: number): number {
    const s = this.splits[id]!;
    const f = s.feature;
    const depth = this.depth[id] + 1;
    const [lowerL, upperL, lowerR, upperR] = childBounds(this.lower[id], this.upper[id], this.monotone?.[f] ?? 0, s);
    const l = this.addNode(depth, s.gLeft, s.hLeft, s.countLeft, lowerL, upperL);
    const r = this.addNode(depth, s.gRight, s.hRight, s.countRight, lowerR, upperR);
    this.feature[id] = f;
    this.splitBin[id] = s.bin;
    this.threshold[id] = this.binned.thresholds[f][s.bin];
    this.left[id] = l;
    this.right[id] = r;
    this.defaultLeft[id] = defaultSide(s) ? 1 : 0;
    if (!this.maySplit(l) && !this.maySplit(r)) {
      this.release(id);
      return -1;
    }
    return s.countLeft <= s.countRight ? l : r;
  }

  /** Node id's children's rows (nodes.ts placeChildren); each block's mid at mids[at + block]. */
  private place(id: number, mids?: Int32Array, at = 0): void {
    placeChildren(this.arrays, this.blocks, id, this.splits[id]!.countLeft, mids, at);
  }

  /**
   * The children of node id get histograms: `small`'s built in smallHist, its sibling's the parent's minus it; with
   * `found`, the threads made that histogram and found both children's splits already (level-splits.ts).
   */
  private attachChildren(id: number, small: number, smallHist: Float64Array, found = false): void {
    const parentHist = this.hists[id]!;
    this.hists[id] = null;
    const large = small === this.left[id] ? this.right[id] : this.left[id];
    if (!found) subtractHistogram(parentHist, smallHist);
    if (this.maySplit(small)) this.attachSplit(small, smallHist, found);
    else this.pool.push(smallHist);
    if (this.maySplit(large)) this.attachSplit(large, parentHist, found);
    else this.pool.push(parentHist);
  }

  /**
   * Stable in-place partition of the node's rows by its pending split, block by block; each block's right rows
   * begin at levelScratch.mids[at + block]. With `threads` it is only queued for the caller's runLevel.
   */
  private partition(id: number, threads: FitThreads | undefined, at: number): void {
    const s = this.splits[id]!;
    const sides = threads
      ? threads.addPartition(s.feature, nodeRanges(this.arrays, this.blocks, id, this.ranges))
      : this.sides;
    fillSides(sides, 0, this.binned.valueBins[s.feature], s.bin, defaultSide(s));
    if (threads) return;
    const mids = this.levelScratch.mids;
    for (let b = 0; b < this.blocks; b++) {
      const [start, end] = [this.start[id * this.blocks + b], this.end[id * this.blocks + b]];
      mids[at + b] = partitionRows(this.binned, s.feature, sides, this.index, this.scratch, start, end);
    }
  }

  private acquire(): Float64Array {
    return this.pool.pop() ?? (this.threads ? this.threads.newHistogram() : newHistogram(this.binned));
  }

  private release(id: number): void {
    const hist = this.hists[id];
    if (hist) {
      this.pool.push(hist);
      this.hists[id] = null;
    }
  }

  private finish(): Tree {
    for (let id = 0; id < this.nodes; id++) this.release(id);
    return finishTree(this.arrays, this.nodes, this.params.lambda, this.params.learningRate);
  }
}
