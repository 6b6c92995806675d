/**
 * A fit's heavy passes on worker threads over shared memory (the bin codes, gradients, predictions, targets, row
 * index and histograms; with WebAssembly one shared WebAssembly.Memory, where every thread runs the kernels of
 * engine/wasm-kernels.ts threadModule). Four kinds of job:
 *   a round's start (runRound): the last tree's prediction update and then the gradients by fixed blocks, each
 *     followed by a barrier, then the root's histogram by feature group and its sums (one thread), claimed;
 *   a level (runLevel): a chunk per node, whichever thread claims it partitioning the node whole and then summing
 *     its smaller child's histogram; without partitions, histogram chunks (node, feature group). A thread with a
 *     core claims the next chunk (thread-sync.ts), so none waits for a worker that has not started;
 *   a single node's partition: each thread splits a fixed block of the node's rows into left and right (order
 *     kept), then after a barrier places them after the earlier blocks' — exactly the one-thread stable partition;
 *   the prediction update, by fixed blocks of the row index.
 * Blocks depend only on the range and the thread count, element-wise passes give the same values whatever the
 * blocks, and every sum runs whole on one thread in the one-thread order: models are bit-identical for any thread
 * count. Synchronous (fit() stays a plain function): jobs go through a shared Int32Array with Atomics; new
 * histograms reach the workers on a MessagePort (engine/thread-worker.ts, which starts them once per process).
 */
import type { BinnedMatrix } from './binning.js';
import { subtractHistogram, sumFeatureRange } from './histogram.js';
import { findBestSplit } from './split.js';
import { type LevelSplits, nodeSplits } from './level-splits.js';
import { addSegments, blockStart, newSegments, partitionNode, placeBlock, rootSums, SIDES } from './row-jobs.js';
import { startRows, type Segments } from './row-jobs.js';
import { barrier, claim, waitFor } from './thread-sync.js';
import { threadModule, type WasmArena } from './wasm-kernels.js';
import { acquirePool, addSegmentsWasm, compiled, groupKernels, releasePool, sharedUint32 } from './thread-worker.js';
import { splitBlockOn, type SharedFitArrays, type ThreadWasm, type WorkerPool } from './thread-worker.js';
import { ALL_FEATURES, ARRIVED, BASE, COMPLETED, COUNT, DONE, END, FAILED, FIT } from './thread-worker.js';
import { LEVEL_JOB, LIMIT, NEXT, NSEL, PARTITION_JOB, PARTS, PREDICT_JOB, ROUND_ARRIVED } from './thread-worker.js';
import { ROUND_JOB, ROUND_NEXT, SEGMENTS, SPIN, WITH_HESSIAN } from './thread-worker.js';

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
  /** Partition: each block's left rows and right rows, at the block's own positions; left counts per item and thread. */
  private readonly left: Uint32Array;
  private readonly right: Uint32Array;
  private readonly counts: Int32Array;
  /** A job's list: per item [histogram id or feature, start, end]; a partition's side tables; the histograms. */
  private readonly items: Int32Array;
  private readonly itemSides: Uint8Array;
  private readonly queued: Float64Array[] = [];
  private readonly mids: Int32Array;
  /** Level jobs: the histogram item that follows each partition item (−1: none). */
  private readonly histOf: Int32Array;
  /** Level jobs: the partition items in the order they are claimed, largest node first (a shorter wait at the end). */
  private readonly order: Int32Array;
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

  /** `threads` counts this one; `capacity`: most nodes of a tree (the segments' size). */
  constructor(
    private readonly threads: number,
    arrays: SharedFitArrays,
    capacity: number,
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
    this.left = arena?.uint32(n) ?? sharedUint32(n);
    this.right = arena?.uint32(n) ?? sharedUint32(n);
    this.counts = new Int32Array(new SharedArrayBuffer(capacity * threads * 4));
    this.items = new Int32Array(new SharedArrayBuffer(capacity * 3 * 4));
    this.itemSides = binned.arena?.uint8(capacity * SIDES) ?? new Uint8Array(new SharedArrayBuffer(capacity * SIDES));
    this.mids = new Int32Array(new SharedArrayBuffer(capacity * 4));
    this.histOf = new Int32Array(new SharedArrayBuffer(capacity * 4));
    this.order = new Int32Array(new SharedArrayBuffer(capacity * 4));
    this.segments = newSegments(capacity, true);
    this.segments.sides = arena?.uint8(capacity * SIDES) ?? this.segments.sides;
    this.features = new Int32Array(new SharedArrayBuffer(binned.features * 4));
    const kernels = groupKernels(binned, threads);
    this.written = kernels.map(compiled);
    this.pool = acquirePool(threads);
    this.control = this.pool.control;
    this.control[FAILED] = 0;
    // The fit's arrays, for each worker to read before its first job of this fit (see thread-worker.ts).
    const inArena = (...a: ArrayBufferView[]) => arena !== undefined && a.every((v) => v.buffer === arena.buffer);
    if (arena && inArena(binned.codes, this.index, grad, hess)) {
      const module = threadModule(arena, binned.histOffset, binned.slotStride, threads);
      this.module = module;
      this.wasm = new WebAssembly.Instance(module, { env: { memory: arena.memory } }).exports as ThreadWasm;
      this.wasmHistograms = true;
      this.wasmSegments = inArena(pred, this.segments.sides, ...binned.columns);
      this.wasmPartition = inArena(this.left, this.right, this.itemSides, ...binned.columns);
    }
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
      left: this.left,
      right: this.right,
      items: this.items,
      itemSides: this.itemSides,
      counts: this.counts,
      mids: this.mids,
      histOf: this.histOf,
      order: this.order,
      segments: this.segments,
      histOffset: binned.histOffset,
      features: this.features,
      stride: binned.slotStride,
      nf: binned.features,
      kernels,
    };
    for (const port of this.pool.ports) port.postMessage({ fit: this.control[FIT], data });
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

  /** Queues a histogram (from newHistogram) of the rows index[start..end) for runHistograms. */
  addHistogram(hist: Float64Array, start: number, end: number): void {
    const id = this.histIds.get(hist);
    if (id === undefined) throw new Error('internal: histogram not from FitThreads.newHistogram');
    hist.fill(0);
    this.queued[this.nItems] = hist;
    this.queue(id, start, end);
  }

  /** Fills the queued histograms with the sums over their rows for the features given to setFeatures. */
  runHistograms(constantHessian: number | undefined): void {
    this.runLevel(0, constantHessian);
  }

  /**
   * Runs a level as one job: with `parts` > 0, the queued partitions (queued first, `parts` of them, each a whole
   * node, in place; its scratch at the node's own positions of `right`, so nodes never share one), each one chunk
   * that goes on with the histogram queued for a range inside the node (its smaller child), every feature group,
   * so nothing waits inside the job; with none, the queued histograms as chunks (node, feature group). Returns
   * where each partition's right rows begin. Every node is partitioned and every slot summed as on one thread.
   */
  runLevel(parts: number, constantHessian: number | undefined): Int32Array {
    const withHessian = constantHessian === undefined ? 1 : 0;
    if (withHessian === 1 && this.binned.slotStride !== 3)
      throw new RangeError('histogram layout has no hessian slots but hessians vary');
    const { control: c, items, histOf, threads } = this;
    c[NSEL] = this.nSelected;
    c[WITH_HESSIAN] = withHessian;
    c[PARTS] = parts;
    // Both lists are in row order: each partition's histogram, if any, is the next one ending inside the node.
    let h = parts;
    for (let p = 0; p < parts; p++) histOf[p] = h < this.nItems && items[3 * h + 2] <= items[3 * p + 2] ? h++ : -1;
    if (parts > 0 && h !== this.nItems) throw new Error('internal: a histogram of the level is outside its nodes');
    const rows = (p: number) => items[3 * p + 2] - items[3 * p + 1];
    const order = this.order.subarray(0, parts);
    for (let p = 0; p < parts; p++) order[p] = p;
    order.sort((a, b) => rows(b) - rows(a) || a - b);
    const total = this.post(LEVEL_JOB, parts > 0 ? parts : this.nItems * threads);
    for (let chunk = claim(c, NEXT, LIMIT, BASE); chunk >= 0; chunk = claim(c, NEXT, LIMIT, BASE)) {
      if (parts === 0) this.histogramChunk(chunk, withHessian, 0);
      else {
        const p = order[chunk];
        this.mids[p] = this.partitionItem(p);
        const of = histOf[p] - parts;
        if (of >= 0) for (let g = 0; g < threads; g++) this.histogramChunk(of * threads + g, withHessian, parts);
        const [parent, small] = [this.histList[this.splits?.nodes[3 * p + 2] ?? -1], this.queued[parts + of]];
        if (of >= 0 && this.splits)
          nodeSplits(this.splits, p, parent, small, this.binned, this.selected(), findBestSplit, subtractHistogram);
      }
      Atomics.add(c, COMPLETED, 1);
    }
    waitFor(c, COMPLETED, total, SPIN);
    if (Atomics.load(c, FAILED) !== 0) throw new Error('internal: a worker thread of the fit failed');
    return this.mids;
  }

  /** Partition item i of a level job (see runLevel), as the workers run it. */
  private partitionItem(i: number): number {
    const [col, start, end] = [this.binned.columns[this.items[3 * i]], this.items[3 * i + 1], this.items[3 * i + 2]];
    const side = this.itemSides.subarray(i * SIDES, (i + 1) * SIDES);
    const { index, right } = this;
    if (!this.wasm || !this.wasmPartition) return partitionNode(col, side, index, right, start, end);
    const scratch = right.byteOffset + 4 * start;
    return this.wasm.split(col.byteOffset, side.byteOffset, index.byteOffset, scratch, start, end);
  }

  /** Chunk (item first + i, feature group g) of a histogram job, as the workers run it. */
  private histogramChunk(chunk: number, withHessian: number, first: number, contiguous = false): void {
    const q = Math.floor(chunk / this.threads);
    const g = chunk - q * this.threads;
    const i = first + q;
    const [hist, start, end] = [this.queued[i], this.items[3 * i + 1], this.items[3 * i + 2]];
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

  /**
   * Queues a stable partition of index[start..end) by feature f for runPartitions; returns the side table to fill
   * (1 for the codes that go left).
   */
  addPartition(f: number, start: number, end: number): Uint8Array {
    const i = this.nItems;
    this.queue(f, start, end);
    return this.itemSides.subarray(i * SIDES, (i + 1) * SIDES);
  }

  /** Runs the queued partitions (as splitRows does on one thread); mids[i]: where item i's right rows begin. */
  runPartitions(): Int32Array {
    const count = this.post(PARTITION_JOB);
    const { items, counts, threads } = this;
    for (let i = 0; i < count; i++) {
      const [start, end] = [items[3 * i + 1], items[3 * i + 2]];
      const side = this.itemSides.subarray(i * SIDES, (i + 1) * SIDES);
      const to = blockStart(start, end, 1, threads);
      const col = this.binned.columns[items[3 * i]];
      const wasm = this.wasmPartition ? this.wasm : undefined;
      counts[i * threads] = splitBlockOn(wasm, col, side, this.index, this.left, this.right, start, to);
    }
    barrier(this.control, ARRIVED, threads, SPIN);
    const { index, left, right } = this;
    for (let i = 0; i < count; i++)
      this.mids[i] = placeBlock(
        index,
        left,
        right,
        counts,
        i * threads,
        items[3 * i + 1],
        items[3 * i + 2],
        0,
        threads,
      );
    this.wait();
    return this.mids;
  }

  /** Adds the first `count` segments' values to pred, for the index positions 0..rows. */
  addSegments(count: number, rows: number): void {
    this.control[SEGMENTS] = count;
    this.control[END] = rows;
    this.post(PREDICT_JOB);
    this.predictBlock(count, blockStart(0, rows, 1, this.threads));
    this.wait();
  }

  /** Runs a queued prediction update, if any, on the index positions 0..rows. */
  flushSegments(rows: number): void {
    if (this.queuedSegments >= 0) this.addSegments(this.queuedSegments, rows);
    this.queuedSegments = -1;
  }

  /**
   * A round's start as one job, for squared error on every row (`rows`, all of them): the queued prediction update
   * (queuedSegments; by fixed blocks of the index), a barrier, the gradients and the root's row index by fixed row
   * blocks, a barrier, then chunks any thread claims: the root's histogram in `hist` by feature group (reading the
   * rows in place, as the index is 0..rows−1: the one-thread root's kernel), and the root's
   * sums (one thread, in row order). Returns [gradient sum, sum of squared gradients], the one-thread fit's sums.
   */
  runRound(rows: number, hist: Float64Array): Float64Array {
    const { control: c, threads, y } = this;
    if (!y) throw new Error('internal: a round job needs the targets in shared memory');
    const count = Math.max(0, this.queuedSegments);
    this.queuedSegments = -1;
    this.addHistogram(hist, 0, rows);
    c[NSEL] = this.nSelected;
    c[WITH_HESSIAN] = 0;
    c[SEGMENTS] = count;
    c[END] = rows;
    c[ROUND_ARRIVED] = 0;
    c[ROUND_NEXT] = 0;
    this.post(ROUND_JOB);
    const to = blockStart(0, rows, 1, threads);
    if (count > 0) this.predictBlock(count, to);
    barrier(c, ARRIVED, threads, SPIN);
    startRows(y, this.pred, this.grad, this.index, 0, to);
    barrier(c, ROUND_ARRIVED, threads, SPIN);
    for (let chunk = Atomics.add(c, ROUND_NEXT, 1); chunk <= threads; chunk = Atomics.add(c, ROUND_NEXT, 1))
      if (chunk < threads) this.histogramChunk(chunk, 0, 0, true);
      else rootSums(this.grad, rows, this.sums);
    this.wait();
    return this.sums;
  }

  /** This thread's block 0..to of a prediction update. */
  private predictBlock(count: number, to: number): void {
    if (this.wasm && this.wasmSegments)
      addSegmentsWasm(this.wasm, this.pred, this.index, this.binned.columns, this.segments, count, 0, to);
    else addSegments(this.pred, this.index, this.binned.columns, this.segments, count, 0, to);
  }

  private queue(a: number, start: number, end: number): void {
    const i = this.nItems++;
    this.items[3 * i] = a;
    this.items[3 * i + 1] = start;
    this.items[3 * i + 2] = end;
  }

  /** Starts a job over the queued items on the workers (its other parameters already set); returns the items. */
  private post(kind: number, chunks = 0): number {
    const c = this.control;
    const count = this.nItems;
    this.nItems = 0;
    c[COUNT] = count;
    if (kind === LEVEL_JOB) {
      // Chunks become claimable only once the job is written (LIMIT last), by this thread as by the workers.
      c[COMPLETED] = 0;
      c[BASE] = Atomics.load(c, NEXT);
      Atomics.store(c, LIMIT, c[BASE] + chunks);
    } else {
      c[ARRIVED] = 0;
      Atomics.store(c, DONE, 0);
    }
    this.pool.start(kind);
    return kind === LEVEL_JOB ? chunks : count;
  }

  /** Waits for every worker to finish the current job. */
  private wait(): void {
    const c = this.control;
    const workers = this.pool.workers.length;
    for (let spin = 0; spin < SPIN && Atomics.load(c, DONE) < workers; spin++);
    for (let done = Atomics.load(c, DONE); done < workers; done = Atomics.load(c, DONE)) Atomics.wait(c, DONE, done);
    if (Atomics.load(c, FAILED) !== 0) throw new Error('internal: a worker thread of the fit failed');
  }

  /** Gives the workers back to the process's pool (they drop this fit's arrays). */
  close(): void {
    releasePool(this.pool);
  }
}
