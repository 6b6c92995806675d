/**
 * A fit's heavy passes on worker threads over shared memory. The bin codes, gradients, hessians, predictions, the
 * row index and every histogram live in SharedArrayBuffers. Three kinds of job:
 *   the histograms of a level's nodes: chunks (node, feature group — as many groups as threads), each summing ALL
 *     the node's rows for its group's features, so every slot sums the same rows in the same order as on one
 *     thread; a thread with a core claims the next chunk (thread-sync.ts), so this thread never waits for a worker
 *     that has not started, only for chunks in progress;
 *   a node's partition: each thread takes a fixed block of the node's rows and sorts it into its left and right
 *     rows (order kept); after a barrier each thread places its own block's rows, left rows after the earlier
 *     blocks' left rows, right rows after all left rows and the earlier blocks' right rows — exactly the
 *     single-thread stable partition;
 *   the prediction update: each thread adds the tree's leaf values to the rows of a fixed block of the row index
 *     (every row once, by the same value as on one thread).
 * The last two are run by all threads at once, each its own block; the caller waits for every worker's end.
 * Block boundaries depend only on the range and the thread count, and no sum is split across threads, so models
 * are bit-identical for any thread count.
 *
 * Synchronous: fit() stays a plain function. Jobs go through a shared Int32Array with Atomics (the caller waits
 * with Atomics.wait, allowed on Node's main thread); new histogram buffers reach the workers on a MessagePort they
 * read with receiveMessageOnPort when a job names a histogram they have not seen. The workers run plain
 * JavaScript made from sumFeatureRange's source, so they need no TypeScript loader.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { BinnedMatrix } from './binning.js';
import { KERNEL_PARAMETERS, kernelSource, sumFeatureRange } from './histogram.js';
import {
  addLeafValue,
  addRoutedValues,
  addSegments,
  blockStart,
  copyRows,
  newSegments,
  placeBlock,
  SIDES,
  splitBlock,
  type Segments,
} from './row-jobs.js';
import { barrier, claim } from './thread-sync.js';

/** Nodes with fewer rows are summed on this thread alone: a hand-off costs tens of microseconds. */
export const MIN_ROWS_PER_HANDOFF = 8192;

// Control words (Int32Array over a SharedArrayBuffer).
const SEQ = 0; // job number × 4 + the job's kind (HISTOGRAM_JOB, …); −1 asks the workers to exit
const DONE = 1; // workers finished with the current job
const COUNT = 2; // items in the job's list
const END = 4; // prediction update: positions 0..END of the index
const NSEL = 5;
const WITH_HESSIAN = 6;
const FAILED = 7; // a worker hit an error (it still counts itself done, so nobody waits forever)
const ALL_FEATURES = 8; // 1: the tree uses every feature in order, so each thread's written-out kernel applies
// Histogram jobs are chunks (item, feature group) that any thread claims: chunk NEXT − BASE while NEXT < LIMIT.
const NEXT = 9;
const BASE = 10;
const LIMIT = 3;
const COMPLETED = 13; // histogram chunks summed in the current job
const SEGMENTS = 11; // prediction update: segments in use
const ARRIVED = 12; // partition: threads done splitting their blocks (a barrier before placing them)
const CONTROL_WORDS = 14;
/** Looks at a control word before sleeping on it (a few microseconds): bounded, so a busy machine loses little. */
const SPIN = 4096;
const HISTOGRAM_JOB = 0;
const PARTITION_JOB = 1;
const PREDICT_JOB = 2;

const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const sumFeatureRange = ${sumFeatureRange.toString()};
${splitBlock.toString()}
${blockStart.toString()}
${copyRows.toString()}
${placeBlock.toString()}
${addLeafValue.toString()}
${addRoutedValues.toString()}
${addSegments.toString()}
// By the names the functions have here (a bundler may have renamed them; their calls to each other use those names).
const jobs = { splitBlock: ${splitBlock.name}, placeBlock: ${placeBlock.name}, addSegments: ${addSegments.name}, blockStart: ${blockStart.name} };
${barrier.toString()}
${claim.toString()}
const { control, codes, columns, grad, hess, pred, index, left, right, items, itemSides, counts, segments, histOffset, valueBins, features, port, me, threads, stride, nf, kernels } = workerData;
const written = kernels.map((body) => new Function(${KERNEL_PARAMETERS.map((p) => `'${p}'`).join(', ')}, body));
function histogramChunk(chunk) {
  const i = Math.floor(chunk / threads);
  const g = chunk - i * threads;
  const id = items[3 * i];
  // The buffer was posted before the job; should it not be readable yet, wait for it (1 ms steps, 10 s at most).
  for (let tries = 0; hists[id] === undefined && tries < 10000; tries++) {
    const m = receiveMessageOnPort(port);
    if (m === undefined) Atomics.wait(nap, 0, 0, 1);
    else hists[m.message.id] = new Float64Array(m.message.buffer);
  }
  const start = items[3 * i + 1];
  const end = items[3 * i + 2];
  const nSel = ctrl[${NSEL}];
  if (ctrl[${ALL_FEATURES}] === 1) written[2 * g + ctrl[${WITH_HESSIAN}]](hists[id], codes, index, start, end, grad, hess);
  else sumFeatureRange(hists[id], codes, histOffset, stride, nf, features, Math.floor((nSel * g) / threads), Math.floor((nSel * (g + 1)) / threads), index, start, end, grad, hess, ctrl[${WITH_HESSIAN}]);
}
const ctrl = new Int32Array(control);
const hists = [];
const nap = new Int32Array(new SharedArrayBuffer(4));
let seen = 0;
for (;;) {
  // The next job usually follows within microseconds (the main thread only finds a split between jobs): look for
  // it a little while before sleeping, as a sleeping thread takes tens of microseconds to wake.
  for (let spin = 0; spin < ${SPIN} && Atomics.load(ctrl, ${SEQ}) === seen; spin++);
  Atomics.wait(ctrl, ${SEQ}, seen);
  const seq = Atomics.load(ctrl, ${SEQ});
  if (seq < 0) break;
  seen = seq;
  const kind = seq & 3;
  if (kind === ${HISTOGRAM_JOB}) {
    // Claimed chunks only (nothing of the job is read before a claim succeeds), and no acknowledgement: a thread
    // late for the job finds every chunk taken and goes back to waiting.
    for (let chunk = ${claim.name}(ctrl, ${NEXT}, ${LIMIT}, ${BASE}); chunk >= 0; chunk = ${claim.name}(ctrl, ${NEXT}, ${LIMIT}, ${BASE})) {
      try {
        histogramChunk(chunk);
      } catch {
        Atomics.store(ctrl, ${FAILED}, 1);
      }
      Atomics.add(ctrl, ${COMPLETED}, 1);
      Atomics.notify(ctrl, ${COMPLETED});
    }
    continue;
  }
  const count = ctrl[${COUNT}];
  let arrived = false;
  try {
    if (kind === ${PREDICT_JOB}) {
      const from = jobs.blockStart(0, ctrl[${END}], me, threads);
      jobs.addSegments(pred, index, columns, segments, ctrl[${SEGMENTS}], from, jobs.blockStart(0, ctrl[${END}], me + 1, threads));
    } else if (kind === ${PARTITION_JOB}) {
      for (let i = 0; i < count; i++) {
        const start = items[3 * i + 1];
        const end = items[3 * i + 2];
        const side = itemSides.subarray(i * ${SIDES}, (i + 1) * ${SIDES});
        const from = jobs.blockStart(start, end, me, threads);
        counts[i * threads + me] = jobs.splitBlock(columns[items[3 * i]], side, index, left, right, from, jobs.blockStart(start, end, me + 1, threads));
      }
      arrived = true;
      ${barrier.name}(ctrl, ${ARRIVED}, threads, ${SPIN});
      for (let i = 0; i < count; i++) jobs.placeBlock(index, left, right, counts, i * threads, items[3 * i + 1], items[3 * i + 2], me, threads);
    }
  } catch {
    Atomics.store(ctrl, ${FAILED}, 1);
    // The other threads may be waiting at the partition's barrier for this one.
    if (kind === ${PARTITION_JOB} && !arrived) ${barrier.name}(ctrl, ${ARRIVED}, threads, 0);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

/** A typed array of `length` elements over a SharedArrayBuffer. */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * 8));
}

export function sharedUint32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}

/** The shared arrays a fit's threads work on; every one over a SharedArrayBuffer (binned: its codes and columns). */
export interface SharedFitArrays {
  binned: BinnedMatrix;
  grad: Float64Array;
  hess: Float64Array;
  pred: Float64Array;
}

export class FitThreads {
  /** The grower's row index and its segments (engine/row-jobs.ts). */
  readonly index: Uint32Array;
  readonly segments: Segments;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
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
  private nItems = 0;
  private readonly binned: BinnedMatrix;
  private readonly grad: Float64Array;
  private readonly hess: Float64Array;
  private readonly pred: Float64Array;
  private readonly histIds = new WeakMap<Float64Array, number>();
  private nextHistId = 0;
  private seq = 0;
  private nSelected = 0;
  /** Each feature group's sums written out (index 2·group + withHessian), for all-feature trees. */
  private readonly written: ((...args: unknown[]) => void)[];

  /** `threads` counts this one; `capacity`: most nodes of a tree (the segments' size). */
  constructor(
    private readonly threads: number,
    arrays: SharedFitArrays,
    capacity: number,
  ) {
    const { binned, grad, hess, pred } = arrays;
    this.binned = binned;
    this.grad = grad;
    this.hess = hess;
    this.pred = pred;
    const n = binned.rows;
    const shared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;
    if (![binned.codes, ...binned.columns, grad, hess, pred].every(shared))
      throw new Error('internal: fit threads need shared arrays');
    this.index = sharedUint32(n);
    this.left = sharedUint32(n);
    this.right = sharedUint32(n);
    this.counts = new Int32Array(new SharedArrayBuffer(capacity * threads * 4));
    this.items = new Int32Array(new SharedArrayBuffer(capacity * 3 * 4));
    this.itemSides = new Uint8Array(new SharedArrayBuffer(capacity * SIDES));
    this.mids = new Int32Array(capacity);
    this.segments = newSegments(capacity, true);
    this.features = new Int32Array(new SharedArrayBuffer(binned.features * 4));
    // Every feature group (g: features ⌊nf·g/threads⌋ onwards) written out, [constant hessian, summed hessian] each.
    const nf = binned.features;
    const kernels = Array.from({ length: threads }, (_, g) =>
      [false, true].map((withHessian) =>
        kernelSource(
          binned.histOffset,
          binned.slotStride,
          withHessian,
          false,
          Math.floor((nf * g) / threads),
          Math.floor((nf * (g + 1)) / threads),
        ),
      ),
    ).flat();
    this.written = kernels.map((body) => new Function(...KERNEL_PARAMETERS, body) as (...args: unknown[]) => void);
    for (let me = 1; me < threads; me++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          control: this.control.buffer,
          codes: binned.codes,
          columns: binned.columns,
          grad,
          hess,
          pred,
          index: this.index,
          left: this.left,
          right: this.right,
          items: this.items,
          itemSides: this.itemSides,
          counts: this.counts,
          segments: this.segments,
          histOffset: binned.histOffset,
          valueBins: binned.valueBins,
          features: this.features,
          port: port2,
          me,
          threads,
          stride: binned.slotStride,
          nf: binned.features,
          kernels,
        },
        transferList: [port2],
      });
      worker.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  /** A zeroed histogram the workers can write into. */
  newHistogram(): Float64Array {
    const hist = sharedFloat64(this.binned.totalSlots * this.binned.slotStride);
    const id = this.nextHistId++;
    this.histIds.set(hist, id);
    for (const port of this.ports) port.postMessage({ id, buffer: hist.buffer });
    return hist;
  }

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
    const withHessian = constantHessian === undefined ? 1 : 0;
    if (withHessian === 1 && this.binned.slotStride !== 3)
      throw new RangeError('histogram layout has no hessian slots but hessians vary');
    const c = this.control;
    c[NSEL] = this.nSelected;
    c[WITH_HESSIAN] = withHessian;
    const total = this.post(HISTOGRAM_JOB) * this.threads;
    for (let chunk = claim(c, NEXT, LIMIT, BASE); chunk >= 0; chunk = claim(c, NEXT, LIMIT, BASE)) {
      this.histogramChunk(chunk, withHessian);
      Atomics.add(c, COMPLETED, 1);
    }
    for (let spin = 0; spin < SPIN && Atomics.load(c, COMPLETED) < total; spin++);
    for (let done = Atomics.load(c, COMPLETED); done < total; done = Atomics.load(c, COMPLETED))
      Atomics.wait(c, COMPLETED, done);
    if (Atomics.load(c, FAILED) !== 0) throw new Error('internal: a worker thread of the fit failed');
  }

  /** Chunk (item i, feature group g) of a histogram job, as the workers run it. */
  private histogramChunk(chunk: number, withHessian: number): void {
    const i = Math.floor(chunk / this.threads);
    const g = chunk - i * this.threads;
    const [hist, start, end] = [this.queued[i], this.items[3 * i + 1], this.items[3 * i + 2]];
    const { codes, histOffset, slotStride, features: nf } = this.binned;
    if (this.control[ALL_FEATURES] === 1)
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
      counts[i * threads] = splitBlock(
        this.binned.columns[items[3 * i]],
        side,
        this.index,
        this.left,
        this.right,
        start,
        to,
      );
    }
    barrier(this.control, ARRIVED, threads, SPIN);
    for (let i = 0; i < count; i++)
      this.mids[i] = placeBlock(
        this.index,
        this.left,
        this.right,
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
    const to = blockStart(0, rows, 1, this.threads);
    addSegments(this.pred, this.index, this.binned.columns, this.segments, count, 0, to);
    this.wait();
  }

  private queue(a: number, start: number, end: number): void {
    const i = this.nItems++;
    this.items[3 * i] = a;
    this.items[3 * i + 1] = start;
    this.items[3 * i + 2] = end;
  }

  /** Starts a job over the queued items on the workers (its other parameters already set); returns the items. */
  private post(kind: number): number {
    const c = this.control;
    const count = this.nItems;
    this.nItems = 0;
    c[COUNT] = count;
    if (kind === HISTOGRAM_JOB) {
      // Chunks become claimable only once the job is written (LIMIT last), by this thread as by the workers.
      c[COMPLETED] = 0;
      c[BASE] = Atomics.load(c, NEXT);
      Atomics.store(c, LIMIT, c[BASE] + count * this.threads);
    } else {
      c[ARRIVED] = 0;
      Atomics.store(c, DONE, 0);
    }
    Atomics.store(c, SEQ, ++this.seq * 4 + kind);
    Atomics.notify(c, SEQ);
    return count;
  }

  /** Waits for every worker to finish the current job. */
  private wait(): void {
    const c = this.control;
    const workers = this.workers.length;
    for (let spin = 0; spin < SPIN && Atomics.load(c, DONE) < workers; spin++);
    for (let done = Atomics.load(c, DONE); done < workers; done = Atomics.load(c, DONE)) Atomics.wait(c, DONE, done);
    if (Atomics.load(c, FAILED) !== 0) throw new Error('internal: a worker thread of the fit failed');
  }

  /** Ends the workers (they exit at their next wake-up). */
  close(): void {
    Atomics.store(this.control, SEQ, -1);
    Atomics.notify(this.control, SEQ);
    for (const port of this.ports) port.close();
    for (const worker of this.workers) void worker.terminate();
  }
}
