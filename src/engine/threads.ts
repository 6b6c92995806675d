/**
 * Histogram building on worker threads over shared memory. The bin codes, gradients, hessians, the row index and
 * every histogram live in SharedArrayBuffers; a histogram of a node is built by all threads at once, each over
 * ALL the node's rows but only its share of the features (this thread takes the first share). Every slot thus
 * sums the same rows in the same order as on one thread, so models are bit-identical for any thread count.
 *
 * Synchronous: fit() stays a plain function. Jobs go through a shared Int32Array with Atomics (the caller waits
 * with Atomics.wait, allowed on Node's main thread); new histogram buffers reach the workers on a MessagePort they
 * read with receiveMessageOnPort when a job names a histogram they have not seen. The workers run plain
 * JavaScript made from sumFeatureRange's source, so they need no TypeScript loader.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { BinnedMatrix } from './binning.js';
import { KERNEL_PARAMETERS, kernelSource, sumFeatureRange } from './histogram.js';

/** Nodes with fewer rows are summed on this thread alone: a hand-off costs tens of microseconds. */
export const MIN_ROWS_PER_HANDOFF = 8192;

// Control words (Int32Array over a SharedArrayBuffer).
const SEQ = 0; // job number; −1 asks the workers to exit
const DONE = 1; // workers finished with the current job
const HIST = 2;
const START = 3;
const END = 4;
const NSEL = 5;
const WITH_HESSIAN = 6;
const FAILED = 7; // a worker hit an error (it still counts itself done, so nobody waits forever)
const ALL_FEATURES = 8; // 1: the tree uses every feature in order, so each thread's written-out kernel applies
const CONTROL_WORDS = 9;

const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const sumFeatureRange = ${sumFeatureRange.toString()};
const { control, codes, grad, hess, index, histOffset, valueBins, features, port, me, threads, stride, nf, kernels } = workerData;
const written = kernels.map((body) => new Function(${KERNEL_PARAMETERS.map((p) => `'${p}'`).join(', ')}, body));
const ctrl = new Int32Array(control);
const hists = [];
const nap = new Int32Array(new SharedArrayBuffer(4));
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${SEQ}, seen);
  const seq = Atomics.load(ctrl, ${SEQ});
  if (seq < 0) break;
  seen = seq;
  const id = ctrl[${HIST}];
  // The buffer was posted before the job; should it not be readable yet, wait for it (1 ms steps, 10 s at most).
  for (let tries = 0; hists[id] === undefined && tries < 10000; tries++) {
    const m = receiveMessageOnPort(port);
    if (m === undefined) Atomics.wait(nap, 0, 0, 1);
    else hists[m.message.id] = new Float64Array(m.message.buffer);
  }
  if (hists[id] === undefined) Atomics.store(ctrl, ${FAILED}, 1);
  if (hists[id] !== undefined) try {
    const nSel = ctrl[${NSEL}];
    const from = Math.floor((nSel * me) / threads);
    const to = Math.floor((nSel * (me + 1)) / threads);
    if (ctrl[${ALL_FEATURES}] === 1) written[ctrl[${WITH_HESSIAN}]](hists[id], codes, index, ctrl[${START}], ctrl[${END}], grad, hess);
    else sumFeatureRange(hists[id], codes, histOffset, stride, nf, features, from, to, index, ctrl[${START}], ctrl[${END}], grad, hess, ctrl[${WITH_HESSIAN}]);
  } catch {
    Atomics.store(ctrl, ${FAILED}, 1);
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

export class HistogramThreads {
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly features: Int32Array;
  private readonly histIds = new WeakMap<Float64Array, number>();
  private nextHistId = 0;
  private seq = 0;
  private nSelected = 0;
  /** This thread's share of the features written out ([constant hessian, summed hessian]), for all-feature trees. */
  private readonly written: ((...args: unknown[]) => void)[];

  /** `threads` counts this one; binned.codes, grad, hess and index must be over SharedArrayBuffers. */
  constructor(
    private readonly threads: number,
    private readonly binned: BinnedMatrix,
    private readonly grad: Float64Array,
    private readonly hess: Float64Array,
    private readonly index: Uint32Array,
  ) {
    this.features = new Int32Array(new SharedArrayBuffer(binned.features * 4));
    const shared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;
    if (!shared(binned.codes) || !shared(grad) || !shared(hess) || !shared(index))
      throw new Error('internal: threaded histograms need shared arrays');
    // Each thread's share of all features, as the workers split them (from = ⌊nf·me/threads⌋), written out.
    const nf = binned.features;
    const kernels = (me: number) =>
      [false, true].map((withHessian) =>
        kernelSource(
          binned.histOffset,
          binned.slotStride,
          withHessian,
          false,
          Math.floor((nf * me) / threads),
          Math.floor((nf * (me + 1)) / threads),
        ),
      );
    this.written = kernels(0).map((body) => new Function(...KERNEL_PARAMETERS, body) as (...args: unknown[]) => void);
    for (let me = 1; me < threads; me++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          control: this.control.buffer,
          codes: binned.codes,
          grad,
          hess,
          index,
          histOffset: binned.histOffset,
          valueBins: binned.valueBins,
          features: this.features,
          port: port2,
          me,
          threads,
          stride: binned.slotStride,
          nf: binned.features,
          kernels: kernels(me),
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

  /** Fills `hist` (from newHistogram) with the sums over index[start..end) for the features given to setFeatures. */
  build(hist: Float64Array, start: number, end: number, constantHessian: number | undefined): void {
    const id = this.histIds.get(hist);
    if (id === undefined) throw new Error('internal: histogram not from HistogramThreads.newHistogram');
    const withHessian = constantHessian === undefined ? 1 : 0;
    if (withHessian === 1 && this.binned.slotStride !== 3)
      throw new RangeError('histogram layout has no hessian slots but hessians vary');
    hist.fill(0);
    const c = this.control;
    c[HIST] = id;
    c[START] = start;
    c[END] = end;
    c[NSEL] = this.nSelected;
    c[WITH_HESSIAN] = withHessian;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, SEQ, ++this.seq);
    Atomics.notify(c, SEQ);
    const { codes, histOffset, slotStride, features: nf } = this.binned;
    if (c[ALL_FEATURES] === 1) this.written[withHessian](hist, codes, this.index, start, end, this.grad, this.hess);
    else
      sumFeatureRange(
        hist,
        codes,
        histOffset,
        slotStride,
        nf,
        this.features,
        0,
        Math.floor(this.nSelected / this.threads),
        this.index,
        start,
        end,
        this.grad,
        this.hess,
        withHessian,
      );
    const workers = this.workers.length;
    for (let done = Atomics.load(c, DONE); done < workers; done = Atomics.load(c, DONE)) Atomics.wait(c, DONE, done);
    if (Atomics.load(c, FAILED) !== 0) throw new Error('internal: a histogram worker thread failed');
  }

  /** Ends the workers (they exit at their next wake-up). */
  close(): void {
    Atomics.store(this.control, SEQ, -1);
    Atomics.notify(this.control, SEQ);
    for (const port of this.ports) port.close();
    for (const worker of this.workers) void worker.terminate();
  }
}
