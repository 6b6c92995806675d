/**
 * A fit's heavy passes on worker threads over shared memory (the bin codes, gradients, predictions, targets, row
 * index and histograms; with WebAssembly one shared WebAssembly.Memory, where every thread runs the kernels of
 * engine/wasm-kernels.ts threadModule). The row index is cut into one block per thread for the whole tree, and
 * every node keeps a range of rows in each block (engine/level-job.ts). Three kinds of job:
 *   a round's start (runRound): per block the last tree's prediction update, the gradients and the root's index,
 *     then the root's histogram by feature group and its sums (one thread), all claimed chunks (level-job.ts);
 *   a level (runLevel): the level's partitions as chunks (node, block), then its histograms as chunks (node,
 *     feature group) and the children's splits (level-job.ts); or histogram chunks alone. A thread with a core
 *     claims the next chunk (thread-sync.ts), so none waits for a worker that has not started;
 *   the prediction update, by the blocks.
 * Blocks depend only on the tree's rows and the thread count, element-wise passes give the same values whatever
 * the blocks, and every sum runs whole on one thread in the one-thread order: models are bit-identical for any
 * thread count. Synchronous (fit() stays a plain function): jobs go through a shared Int32Array with Atomics; new
 * histograms reach the workers on a MessagePort (engine/thread-worker.ts, which starts them once per process).
 */
import type { BinnedMatrix } from './binning.js';
import { subtractHistogram, sumFeatureRange } from './histogram.js';
import { findBestSplit } from './split.js';
import { type LevelSplits, nodeSplits } from './level-splits.js';
import { levelChunk, roundChunk, type LevelContext } from './level-job.js';
import { addSegments, blockStart, newSegments, partitionNode, rootSums, SIDES } from './row-jobs.js';
import { startRows, type Segments } from './row-jobs.js';
import { claim, waitFor } from './thread-sync.js';
import { threadModule, type WasmArena } from './wasm-kernels.js';
import { acquirePool, addSegmentsWasm, compiled, groupKernels, releasePool, sharedUint32 } from './thread-worker.js';
import type { SharedFitArrays, ThreadWasm, WorkerPool } from './thread-worker.js';
import { ALL_FEATURES, BASE, CLAIMED_KIND, COMPLETED, END, FAILED } from './thread-worker.js';
import { LEVEL_JOB, LIMIT, NEXT, NSEL, PARTS, PREDICT_JOB } from './thread-worker.js';
import { ROUND_JOB, SEGMENTS, SPIN, WITH_HESSIAN } from './thread-worker.js';

export { sharedFloat64, type SharedFitArrays } from './thread-worker.js';
import { sharedFloat64 } from './thread-worker.js';

/** Nodes with fewer rows are summed on this thread alone: a hand-off costs tens of microseconds. */
export const MIN_ROWS_PER_HANDOFF = 8192;

export class FitThreads {
  /** The grower's row index and its segments (engine/row-jobs.ts). */
  readonly index: Uint32Array;
  readonly segments: Segments;
  /** The workers (started once per process and thread count, engine/thread-worker.ts) and their control words. */
  private readonly pool: WorkerPool;
  private readonly control: Int32Array;
  private readonly features: Int32Array;
  /** A partition's scratch: the right rows of a node's range, at the range's own positions. */
  private readonly right: Uint32Array;
  /**
   * A job's list: per item [histogram id or feature, then start and end per block] (level-job.ts); a partition's
   * side table; per partition item and block its mid; per partition item its child's histogram and the counts.
   */
  private readonly items: Int32Array;
  private readonly itemSides: Uint8Array;
  private readonly mids: Int32Array;
  private readonly smallSide: Int32Array;
  private readonly histOf: Int32Array;
  private readonly partsDone: Int32Array;
  private readonly groupsDone: Int32Array;
  private readonly order: Int32Array;
  private readonly level: LevelContext;
  private readonly roundDone = new Int32Array(new SharedArrayBuffer(4));
  private nItems = 0;
  private readonly binned: BinnedMatrix;
  private readonly grad: Float64Array;
  private readonly hess: Float64Array;
  private readonly pred: Float64Array;
  private readonly y: Float64Array | undefined;
  readonly splits: LevelSplits | undefined;
  private readonly histList: Float64Array[] = [];
  /** A round job's root sums: [gradient sum, sum of squared gradients]. */
  private readonly sums = new Float64Array(new SharedArrayBuffer(16));
  /** A prediction update of this many segments, queued for the next runRound or flushSegments (−1: none). */
  queuedSegments = -1;
  private readonly histIds = new WeakMap<Float64Array, number>();
  /** The fit's WebAssembly memory (shared), its kernels, and which of them apply (see the constructor). */
  private readonly arena: WasmArena | undefined;
  private module: WebAssembly.Module | undefined;
  private wasm: ThreadWasm | undefined;
  private wasmHistograms = false;
  private wasmSegments = false;
  private wasmPartition = false;
  private readonly inArena = new WeakMap<Float64Array, boolean>();
  private nextHistId = 0;
  private nSelected = 0;
  /** Each feature group's sums written out (index 2·group + withHessian), for all-feature trees. */
  private readonly written: ((...args: unknown[]) => void)[];

  /**
   * `threads` counts this one; `capacity`: most nodes of a tree (the segments' size); `pool`: the workers, when the
   * fit took them already (to bin its features, engine/bin-threads.ts).
   */
  constructor(
    readonly threads: number,
    arrays: SharedFitArrays,
    capacity: number,
    pool = acquirePool(threads),
  ) {
    const { binned, grad, hess, pred, y, splits } = arrays;
    this.splits = splits;
    this.binned = binned;
    this.grad = grad;
    this.hess = hess;
    this.pred = pred;
    this.y = y;
    const n = binned.rows;
    const shared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;
    if (![binned.codes, ...binned.columns, grad, hess, pred, ...(y ? [y] : [])].every(shared))
      throw new Error('internal: fit threads need shared arrays');
    // With a shared WebAssembly arena (booster.ts), the row index, histograms and side tables go in it too.
    const arena = binned.arena;
    this.arena = arena;
    this.index = arena?.uint32(n) ?? sharedUint32(n);
    this.right = arena?.uint32(n) ?? sharedUint32(n);
    const ints = (length: number) => new Int32Array(new SharedArrayBuffer(length * 4));
    this.items = ints(capacity * (1 + 2 * threads));
    this.itemSides = binned.arena?.uint8(capacity * SIDES) ?? new Uint8Array(new SharedArrayBuffer(capacity * SIDES));
    this.mids = ints(capacity * threads);
    [this.smallSide, this.histOf, this.partsDone, this.groupsDone, this.order] = [0, 0, 0, 0, 0].map(() =>
      ints(capacity),
    );
    // A segment per leaf and block (nodes.ts treeSegments).
    this.segments = newSegments(capacity * threads, true);
    this.segments.sides = arena?.uint8(capacity * threads * SIDES) ?? this.segments.sides;
    this.features = new Int32Array(new SharedArrayBuffer(binned.features * 4));
    const kernels = groupKernels(binned, threads);
    this.written = kernels.map(compiled);
    this.pool = pool;
    this.control = this.pool.control;
    // The fit's arrays, for each worker to read before its first job of this fit (see thread-worker.ts).
    const inArena = (...a: ArrayBufferView[]) => arena !== undefined && a.every((v) => v.buffer === arena.buffer);
    if (arena && inArena(binned.codes, this.index, grad, hess)) {
      const module = threadModule(arena, binned.histOffset, binned.slotStride, threads);
      this.module = module;
      this.wasm = new WebAssembly.Instance(module, { env: { memory: arena.memory } }).exports as ThreadWasm;
      this.wasmHistograms = true;
      this.wasmSegments = inArena(pred, this.segments.sides, ...binned.columns);
      this.wasmPartition = inArena(this.right, this.itemSides, ...binned.columns);
    }
    this.level = {
      threads,
      items: this.items,
      order: this.order,
      mids: this.mids,
      smallSide: this.smallSide,
      histOf: this.histOf,
      partsDone: this.partsDone,
      groupsDone: this.groupsDone,
      partition: (p, start, end) => this.partitionRange(p, start, end),
      sum: (id, g, start, end) => this.sumRange(this.histList[id], g, start, end, false),
      splits: (p) => this.levelSplits(p),
      waitFor,
      roundDone: this.roundDone,
      roundBlock: (b) => this.roundBlock(b),
      roundRest: (k) => this.roundRest(k),
    };
    const data = {
      module: this.module,
      memory: arena?.memory,
      wasmHistograms: this.wasmHistograms,
      wasmSegments: this.wasmSegments,
      wasmPartition: this.wasmPartition,
      codes: binned.codes,
      columns: binned.columns,
      grad,
      hess,
      pred,
      y,
      splits,
      valueBins: binned.valueBins,
      sums: this.sums,
      index: this.index,
      right: this.right,
      items: this.items,
      itemSides: this.itemSides,
      mids: this.mids,
      smallSide: this.smallSide,
      histOf: this.histOf,
      partsDone: this.partsDone,
      groupsDone: this.groupsDone,
      roundDone: this.roundDone,
      order: this.order,
      segments: this.segments,
      histOffset: binned.histOffset,
      features: this.features,
      stride: binned.slotStride,
      nf: binned.features,
      kernels,
    };
    // New to the workers, whatever they did before (a binning job on the same pool, another fit).
    this.pool.send(data);
  }

  /** A zeroed histogram the workers can write into. */
  newHistogram(): Float64Array {
    const length = this.binned.totalSlots * this.binned.slotStride;
    const hist = this.arena?.float64(length) ?? sharedFloat64(length);
    const id = this.nextHistId++;
    this.histIds.set(hist, id);
    this.histList[id] = hist;
    const inArena = this.wasmHistograms && hist.buffer === this.arena?.buffer;
    this.inArena.set(hist, inArena);
    for (const port of this.pool.ports) port.postMessage({ id, hist, inArena });
    return hist;
  }

  /** A histogram's number, for level-splits.ts. */
  histId = (hist: Float64Array): number => this.histIds.get(hist) ?? -1;

  private selected = (): Int32Array => this.features.subarray(0, this.nSelected);

  /** The features of the tree about to be grown. */
  setFeatures(features: Int32Array): void {
    this.features.set(features);
    this.nSelected = features.length;
    const all = features.length === this.binned.features && features.every((f, i) => f === i);
    this.control[ALL_FEATURES] = all ? 1 : 0;
  }

  /** Queues a histogram (from newHistogram) of the rows in `ranges` (start and end per block) for runHistograms. */
  addHistogram(hist: Float64Array, ranges: ArrayLike<number>): void {
    this.queue(this.zeroed(hist), ranges);
  }

  /** The histogram's id, the histogram zeroed (the threads add to it). */
  private zeroed(hist: Float64Array): number {
    const id = this.histIds.get(hist);
    if (id === undefined) throw new Error('internal: histogram not from FitThreads.newHistogram');
    hist.fill(0);
    return id;
  }

  /** Fills the queued histograms with the sums over their rows for the features given to setFeatures. */
  runHistograms(constantHessian: number | undefined): void {
    this.runLevel(0, constantHessian);
  }

  /**
   * Queues a stable partition of the rows in `ranges` (start and end per block) by feature f for runLevel; returns
   * the side table to fill (1 for the codes that go left).
   */
  addPartition(f: number, ranges: ArrayLike<number>): Uint8Array {
    const i = this.nItems;
    this.queue(f, ranges);
    this.smallSide[i] = -1;
    return this.itemSides.subarray(i * SIDES, (i + 1) * SIDES);
  }

  /** Partition item p's child on `side` (0 left, 1 right) gets its histogram summed in the same job, into `hist`. */
  addChildHistogram(p: number, hist: Float64Array, side: number): void {
    this.histOf[p] = this.zeroed(hist);
    this.smallSide[p] = side;
  }

  /**
   * Runs a level as one job (level-job.ts): with `parts` > 0, the queued partitions (all the queued items), each
   * followed by its child's histogram (addChildHistogram) and, with level splits asked, its children's splits;
   * with none, the queued histograms. Returns each partition's mid per block (index p·threads + block). Every
   * node is partitioned and every slot summed as on one thread.
   */
  runLevel(parts: number, constantHessian: number | undefined): Int32Array {
    const withHessian = constantHessian === undefined ? 1 : 0;
    if (withHessian === 1 && this.binned.slotStride !== 3)
      throw new RangeError('histogram layout has no hessian slots but hessians vary');
    const { control: c, items, threads } = this;
    if (parts > 0 && parts !== this.nItems) throw new Error('internal: a level job mixes partitions and histograms');
    c[NSEL] = this.nSelected;
    c[WITH_HESSIAN] = withHessian;
    c[PARTS] = parts;
    const stride = 1 + 2 * threads;
    const rows = (p: number) => items[stride * p + 2 * threads] - items[stride * p + 1];
    const order = this.order.subarray(0, parts);
    for (let p = 0; p < parts; p++) order[p] = p;
    order.sort((a, b) => rows(b) - rows(a) || a - b);
    this.partsDone.fill(0, 0, parts);
    this.groupsDone.fill(0, 0, parts);
    this.runClaimed(LEVEL_JOB, (parts > 0 ? 2 * parts : this.nItems) * threads, (chunk) =>
      levelChunk(chunk, parts, this.level, SPIN),
    );
    return this.mids;
  }

  /** Posts a job of `chunks` chunks, claims its chunks with the workers, waits for the last one to be done. */
  private runClaimed(kind: number, chunks: number, run: (chunk: number) => void): void {
    const c = this.control;
    const total = this.post(kind, chunks);
    let failure: unknown;
    for (let chunk = claim(c, NEXT, LIMIT, BASE); chunk >= 0; chunk = claim(c, NEXT, LIMIT, BASE)) {
      try {
        run(chunk);
      } catch (error) {
        // The job goes on to its end (the workers are in it), then fails.
        failure ??= error;
        Atomics.store(c, FAILED, 1);
      }
      Atomics.add(c, COMPLETED, 1);
    }
    waitFor(c, COMPLETED, total, SPIN);
    if (failure !== undefined) throw failure;
    if (Atomics.load(c, FAILED) !== 0) throw new Error('internal: a worker thread of the fit failed');
  }

  /** A partition chunk's range (level-job.ts), as the workers run it: its scratch at the range's own positions. */
  private partitionRange(p: number, start: number, end: number): number {
    const col = this.binned.columns[this.items[(1 + 2 * this.threads) * p]];
    const side = this.itemSides.subarray(p * SIDES, (p + 1) * SIDES);
    const { index, right } = this;
    if (!this.wasm || !this.wasmPartition) return partitionNode(col, side, index, right, start, end);
    const scratch = right.byteOffset + 4 * start;
    return this.wasm.split(col.byteOffset, side.byteOffset, index.byteOffset, scratch, start, end);
  }

  /** Partition item p's children's splits (level-splits.ts), when the job asks for them. */
  private levelSplits(p: number): void {
    const splits = this.splits;
    if (!splits) return;
    const [parent, small] = [this.histList[splits.nodes[3 * p + 2]], this.histList[this.histOf[p]]];
    nodeSplits(splits, p, parent, small, this.binned, this.selected(), findBestSplit, subtractHistogram);
  }

  /** Feature group g's sums of the rows index[start..end) added to hist, as the workers run it. */
  private sumRange(hist: Float64Array, g: number, start: number, end: number, contiguous: boolean): void {
    const withHessian = this.control[WITH_HESSIAN];
    const { codes, histOffset, slotStride, features: nf } = this.binned;
    if (this.control[ALL_FEATURES] === 1 && this.wasm && this.inArena.get(hist)) {
      const [h, c, i, gr, he] = [hist, codes, this.index, this.grad, this.hess].map((a) => a.byteOffset);
      this.wasm[`${contiguous ? 'c' : 'g'}${2 * g + withHessian}`](h, c, i, start, end, gr, he);
    } else if (this.control[ALL_FEATURES] === 1)
      this.written[2 * g + withHessian](hist, codes, this.index, start, end, this.grad, this.hess);
    else {
      const [from, to] = [g, g + 1].map((t) => Math.floor((this.nSelected * t) / this.threads));
      const [index, grad, hess, features] = [this.index, this.grad, this.hess, this.features];
      sumFeatureRange(
        hist,
        codes,
        histOffset,
        slotStride,
        nf,
        features,
        from,
        to,
        index,
        start,
        end,
        grad,
        hess,
        withHessian,
      );
    }
  }

  /** Adds the first `count` segments' values to pred, for the index positions 0..rows. */
  addSegments(count: number, rows: number): void {
    this.control[SEGMENTS] = count;
    this.control[END] = rows;
    this.post(PREDICT_JOB);
    this.predictBlock(count, 0, blockStart(0, rows, 1, this.threads));
    this.wait();
  }

  /** Runs a queued prediction update, if any, on the index positions 0..rows. */
  flushSegments(rows: number): void {
    if (this.queuedSegments >= 0) this.addSegments(this.queuedSegments, rows);
    this.queuedSegments = -1;
  }

  /**
   * A round's start as one job (level-job.ts roundChunk), for squared error on every row (`rows`, all of them): per
   * block the queued prediction update (queuedSegments) and the gradients and root index, then the root's histogram
   * in `hist` by feature group (reading the rows in place, as the index is 0..rows−1: the one-thread root's kernel)
   * and the root's sums (one thread, in row order). Returns [gradient sum, sum of squared gradients], the one-thread
   * fit's sums.
   */
  runRound(rows: number, hist: Float64Array): Float64Array {
    const { control: c, threads } = this;
    if (!this.y) throw new Error('internal: a round job needs the targets in shared memory');
    // The root's histogram, item 0: every row, in place.
    this.items[0] = this.zeroed(hist);
    c[NSEL] = this.nSelected;
    c[WITH_HESSIAN] = 0;
    c[SEGMENTS] = Math.max(0, this.queuedSegments);
    this.queuedSegments = -1;
    c[END] = rows;
    this.roundDone[0] = 0;
    this.runClaimed(ROUND_JOB, 2 * threads + 1, (chunk) => roundChunk(chunk, this.level, SPIN));
    return this.sums;
  }

  /** Block b of a round's start: the prediction update on its positions, the gradients and index on its rows. */
  private roundBlock(b: number): void {
    const [rows, count] = [this.control[END], this.control[SEGMENTS]];
    const [from, to] = [blockStart(0, rows, b, this.threads), blockStart(0, rows, b + 1, this.threads)];
    if (count > 0) this.predictBlock(count, from, to);
    startRows(this.y!, this.pred, this.grad, this.index, from, to);
  }

  /** Chunk T + k of a round's start: the root histogram's group k, or (k = T) the root's sums. */
  private roundRest(k: number): void {
    const rows = this.control[END];
    if (k < this.threads) this.sumRange(this.histList[this.items[0]], k, 0, rows, true);
    else rootSums(this.grad, rows, this.sums);
  }

  /** This thread's positions from..to of a prediction update. */
  private predictBlock(count: number, from: number, to: number): void {
    if (this.wasm && this.wasmSegments)
      addSegmentsWasm(this.wasm, this.pred, this.index, this.binned.columns, this.segments, count, from, to);
    else addSegments(this.pred, this.index, this.binned.columns, this.segments, count, from, to);
  }

  private queue(a: number, ranges: ArrayLike<number>): void {
    const at = (1 + 2 * this.threads) * this.nItems++;
    this.items[at] = a;
    for (let k = 0; k < 2 * this.threads; k++) this.items[at + 1 + k] = ranges[k];
  }

  /**
   * Starts a job over the queued items on the workers (its other parameters already set); claimed jobs (level,
   * round) are `chunks` chunks. Returns the chunks.
   */
  private post(kind: number, chunks = 0): number {
    const c = this.control;
    this.nItems = 0;
    if (kind === LEVEL_JOB || kind === ROUND_JOB) {
      // Chunks become claimable only once the job is written (LIMIT last), by this thread as by the workers.
      c[CLAIMED_KIND] = kind;
      c[COMPLETED] = 0;
      c[BASE] = Atomics.load(c, NEXT);
      Atomics.store(c, LIMIT, c[BASE] + chunks);
      this.pool.start(kind);
    } else this.pool.startEach(kind);
    return chunks;
  }

  /** Waits for every worker to finish the current job. */
  private wait(): void {
    if (!this.pool.waitEach()) throw new Error('internal: a worker thread of the fit failed');
  }

  /** Gives the workers back to the process's pool (they drop this fit's arrays). */
  close(): void {
    releasePool(this.pool);
  }
}
