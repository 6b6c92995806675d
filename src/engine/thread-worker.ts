/**
 * The worker threads of engine/threads.ts: their source, their control words, and a pool of them started once per
 * process (per thread count) and reused by every fit, so only the first fit pays for starting them (spawning each
 * thread, loading its code, warming up its JIT: tens to hundreds of milliseconds, see docs/engine/threads.md).
 *
 * A fit's arrays reach the workers as a message on each worker's port, numbered by the fit; the control word FIT
 * holds the current fit's number, and a worker whose data are older reads its port up to that fit's message before
 * it does any of the fit's jobs (earlier messages — another fit's data or histograms — are dropped). At the end of
 * a fit a RELEASE job makes the workers drop the fit's arrays; nothing waits for it.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { BinnedMatrix } from './binning.js';
import type { LevelSplits } from './level-splits.js';
import { KERNEL_PARAMETERS, kernelSource, subtractHistogram, sumFeatureRange } from './histogram.js';
import { addLeafValue, addRoutedValues, addSegments, blockStart, copyRows, partitionNode } from './row-jobs.js';
import { rootSums, splitRows, SIDES, startRows } from './row-jobs.js';
import { levelChunk, roundChunk } from './level-job.js';
import { nodeSplits } from './level-splits.js';
import { findBestSplit, leafWeight, record, scanGeneral, scanPlain, scoreGivenWeight } from './split.js';
import { claim, waitFor } from './thread-sync.js';
import { binFeatures, columnThresholds, compactDistinct, copyFinite, countDigits, digitStarts } from './binning.js';
import { equalCountCuts, fromSortKeys, scatterByDigit, sortFloat64, toSortKeys, writeCodes } from './binning.js';
import { countAtMost } from './cuts.js';

/** The shared arrays a fit's threads work on; every one over a SharedArrayBuffer (binned: its codes and columns). */
export interface SharedFitArrays {
  binned: BinnedMatrix;
  grad: Float64Array;
  hess: Float64Array;
  pred: Float64Array;
  /** The training targets, for round jobs (runRound). */
  y?: Float64Array;
  /** Where level jobs find the children's splits (level-splits.ts); without it the caller finds them. */
  splits?: LevelSplits;
}

/** A typed array of `length` elements over a SharedArrayBuffer. */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * 8));
}

export function sharedUint32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}

/** Written-out kernels by source: a later fit on the same bins reuses the compiled (and warmed-up) function. */
const kernelCache = new Map<string, (...args: unknown[]) => void>();

export function compiled(body: string): (...args: unknown[]) => void {
  let f = kernelCache.get(body);
  if (f === undefined) {
    if (kernelCache.size > 64) kernelCache.clear();
    f = new Function(...KERNEL_PARAMETERS, body) as (...args: unknown[]) => void;
    kernelCache.set(body, f);
  }
  return f;
}

/** Every feature group's sums written out (g: features ⌊nf·g/threads⌋ onwards), [constant hessian, summed] each. */
export function groupKernels(binned: BinnedMatrix, threads: number): string[] {
  const nf = binned.features;
  const group = (g: number) => Math.floor((nf * g) / threads);
  return Array.from({ length: threads }, (_, g) =>
    [false, true].map((withHessian) =>
      kernelSource(binned.histOffset, binned.slotStride, withHessian, false, group(g), group(g + 1)),
    ),
  ).flat();
}

/** The WebAssembly kernels of a fit's threads (wasm-kernels.ts threadModule), by export name. */
export type ThreadWasm = Record<string, (...args: number[]) => number>;

/**
 * row-jobs.ts addSegments for the index positions from..to, by the WebAssembly kernels (the arrays are views of
 * their memory; the same additions in the same order). Self-contained: the workers run its source.
 */
export function addSegmentsWasm(
  k: ThreadWasm,
  pred: Float64Array,
  index: Uint32Array,
  columns: Uint8Array[],
  segments: { start: Int32Array; end: Int32Array; feature: Int32Array; values: Float64Array; sides: Uint8Array },
  count: number,
  from: number,
  to: number,
): void {
  for (let s = 0; s < count; s++) {
    const a = Math.max(segments.start[s], from);
    const b = Math.min(segments.end[s], to);
    if (a >= b) continue;
    const f = segments.feature[s];
    const [right, left] = [segments.values[2 * s], segments.values[2 * s + 1]];
    if (f < 0) k.addLeaf(pred.byteOffset, index.byteOffset, a, b, right);
    else {
      const sides = segments.sides.byteOffset + s * 257;
      k.addRouted(pred.byteOffset, index.byteOffset, columns[f].byteOffset, sides, a, b, right, left);
    }
  }
}

// Control words (Int32Array over a SharedArrayBuffer).
export const SEQ = 0; // job number × 8 + the job's kind (LEVEL_JOB, …); −1 asks the workers to exit
export const DONE = 1; // workers finished with the current job
export const CLAIMED_KIND = 2; // the kind of the claimed job (LEVEL_JOB, ROUND_JOB) whose chunks are being claimed
export const END = 4; // prediction update: positions 0..END of the index
export const NSEL = 5;
export const WITH_HESSIAN = 6;
export const FAILED = 7; // a worker hit an error (it still counts itself done, so nobody waits forever)
export const ALL_FEATURES = 8; // 1: the tree uses every feature in order, so each thread's written-out kernel applies
// Histogram jobs are chunks (item, feature group) that any thread claims: chunk NEXT − BASE while NEXT < LIMIT.
export const NEXT = 9;
export const BASE = 10;
export const LIMIT = 3;
export const COMPLETED = 13; // histogram chunks summed in the current job
export const SEGMENTS = 11; // prediction update: segments in use
export const FIT = 14; // the current fit's number (its data message on each worker's port)
export const PARTS = 15; // level job: its partitions (level-job.ts); 0: histogram chunks alone
export const IDLE_SPIN = 16; // microseconds a worker looks for the next job before sleeping (setIdleSpin)
const CONTROL_WORDS = 17;
/** Looks at a control word before sleeping on it (a few microseconds): bounded, so a busy machine loses little. */
export const SPIN = 4096;
export const PREDICT_JOB = 2;
export const RELEASE_JOB = 3;
export const ROUND_JOB = 4; // a round's start (threads.ts runRound)
export const BIN_JOB = 5; // features binned from the back (bin-threads.ts)
export const LEVEL_JOB = 0; // histograms, after the level's partitions when it has any (threads.ts runLevel)

const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const sumFeatureRange = ${sumFeatureRange.toString()};
${blockStart.toString()}
${copyRows.toString()}
${splitRows.toString()}
${partitionNode.toString()}
${addLeafValue.toString()}
${addRoutedValues.toString()}
${addSegments.toString()}
${addSegmentsWasm.toString()}
${startRows.toString()}
${rootSums.toString()}
${subtractHistogram.toString()}
${leafWeight.toString()}
${scoreGivenWeight.toString()}
${record.toString()}
${[countAtMost, copyFinite, compactDistinct, equalCountCuts, toSortKeys, fromSortKeys, countDigits, digitStarts, scatterByDigit, sortFloat64, columnThresholds, writeCodes, binFeatures].map(String).join('\n')}
${scanPlain.toString()}
${scanGeneral.toString()}
${findBestSplit.toString()}
${nodeSplits.toString()}
// By the names the functions have here (a bundler may have renamed them; their calls to each other use those names).
const jobs = { partitionNode: ${partitionNode.name}, levelChunk: ${levelChunk.name}, roundChunk: ${roundChunk.name}, addSegments: ${addSegments.name}, addSegmentsWasm: ${addSegmentsWasm.name}, blockStart: ${blockStart.name}, startRows: ${startRows.name}, rootSums: ${rootSums.name}, nodeSplits: ${nodeSplits.name}, findBestSplit: ${findBestSplit.name}, subtractHistogram: ${subtractHistogram.name}, binFeatures: ${binFeatures.name} };
${claim.toString()}
${waitFor.toString()}
${levelChunk.toString()}
${roundChunk.toString()}
const { control, port, me, threads } = workerData;
const ctrl = new Int32Array(control);
const nap = new Int32Array(new SharedArrayBuffer(4));
/** The next message on the port, waiting for it in 1 ms steps (10 s at most): it was posted before the job. */
function nextMessage() {
  for (let tries = 0; tries < 10000; tries++) {
    const m = receiveMessageOnPort(port);
    if (m !== undefined) return m.message;
    Atomics.wait(nap, 0, 0, 1);
  }
  throw new Error('a message of the fit did not arrive');
}
// The current fit's arrays (null between fits), its histograms by id, its written-out kernels.
let fit = null;
let fitNumber = -1;
let hists = [];
let written = [];
let wasm = null; // the fit's WebAssembly kernels on its shared memory, when it has them
const compiled = new Map();
function setUp(number) {
  fit = null;
  hists = [];
  written = [];
  wasm = null;
  level = null;
  for (let m = nextMessage(); ; m = nextMessage()) if (m.fit === number) { fit = m.data; break; }
  fitNumber = number;
  if (fit.bin) return; // a binning job's data (bin-threads.ts): nothing else to set up
  if (fit.module) wasm = new WebAssembly.Instance(fit.module, { env: { memory: fit.memory } }).exports;
  if (compiled.size > 64) compiled.clear();
  written = fit.kernels.map((body) => {
    let f = compiled.get(body);
    if (f === undefined) compiled.set(body, (f = new Function(${KERNEL_PARAMETERS.map((p) => `'${p}'`).join(', ')}, body)));
    return f;
  });
  level = levelContext();
}
/** A level job's chunks' context (level-job.ts) for the current fit. */
let level = null;
function levelContext() {
  const { index, items, itemSides, columns, right, splits, valueBins, stride, histOffset, features } = fit;
  const itemStride = 1 + 2 * threads;
  return {
    threads, items, order: fit.order, mids: fit.mids, smallSide: fit.smallSide, histOf: fit.histOf,
    partsDone: fit.partsDone, groupsDone: fit.groupsDone, waitFor: ${waitFor.name}, roundDone: fit.roundDone,
    partition(p, start, end) {
      const col = columns[items[itemStride * p]];
      const side = itemSides.subarray(p * ${SIDES}, (p + 1) * ${SIDES});
      return fit.wasmPartition ? wasm.split(col.byteOffset, side.byteOffset, index.byteOffset, right.byteOffset + 4 * start, start, end) : jobs.partitionNode(col, side, index, right, start, end);
    },
    sum: (id, g, start, end) => sumRange(histById(id), g, start, end, false),
    roundBlock(b) {
      // threads.ts runRound: block b's prediction update, then its gradients and index.
      const [from, to] = predictBlock(b);
      jobs.startRows(fit.y, fit.pred, fit.grad, index, from, to);
    },
    roundRest(k) {
      if (k < threads) sumRange(histById(items[0]), k, 0, ctrl[${END}], true);
      else jobs.rootSums(fit.grad, ctrl[${END}], fit.sums);
    },
    splits(p) {
      // Level splits of partition item p (level-splits.ts), once its child's histogram is complete.
      if (!splits || splits.nodes[3 * p] < 0) return;
      const binned = { valueBins, slotStride: stride, histOffset };
      const selected = features.subarray(0, ctrl[${NSEL}]);
      const [parent, small] = [histById(splits.nodes[3 * p + 2]).hist, histById(fit.histOf[p]).hist];
      jobs.nodeSplits(splits, p, parent, small, binned, selected, jobs.findBestSplit, jobs.subtractHistogram);
    },
  };
}
/** Block b of the index positions 0..END: the prediction update's ctrl[SEGMENTS] segments there; returns [from, to]. */
function predictBlock(b) {
  const { pred, index, columns, segments } = fit;
  const [from, to] = [jobs.blockStart(0, ctrl[${END}], b, threads), jobs.blockStart(0, ctrl[${END}], b + 1, threads)];
  const count = ctrl[${SEGMENTS}];
  if (count > 0 && fit.wasmSegments) jobs.addSegmentsWasm(wasm, pred, index, columns, segments, count, from, to);
  else if (count > 0) jobs.addSegments(pred, index, columns, segments, count, from, to);
  return [from, to];
}
/** Histogram id's message, read from the port when not yet seen. */
function histById(id) {
  while (hists[id] === undefined) {
    const m = nextMessage();
    if (m.fit === undefined) hists[m.id] = m;
  }
  return hists[id];
}
/** Feature group g's sums of rows index[start..end) added to the histogram (message from histById). */
function sumRange(message, g, start, end, contiguous) {
  const { codes, index, grad, hess, histOffset, stride, nf, features } = fit;
  const nSel = ctrl[${NSEL}];
  const { hist, inArena } = message;
  if (ctrl[${ALL_FEATURES}] === 1 && inArena && fit.wasmHistograms) wasm[(contiguous ? 'c' : 'g') + (2 * g + ctrl[${WITH_HESSIAN}])](hist.byteOffset, codes.byteOffset, index.byteOffset, start, end, grad.byteOffset, hess.byteOffset);
  else if (ctrl[${ALL_FEATURES}] === 1) written[2 * g + ctrl[${WITH_HESSIAN}]](hist, codes, index, start, end, grad, hess);
  else sumFeatureRange(hist, codes, histOffset, stride, nf, features, Math.floor((nSel * g) / threads), Math.floor((nSel * (g + 1)) / threads), index, start, end, grad, hess, ctrl[${WITH_HESSIAN}]);
}
let seen = 0;
for (;;) {
  // The next job usually follows within microseconds (the main thread only finds a split between jobs): look for
  // it a little while before sleeping, as a sleeping thread takes tens of microseconds to wake.
  const until = performance.now() + ctrl[${IDLE_SPIN}] / 1000;
  for (let spin = 0; Atomics.load(ctrl, ${SEQ}) === seen && (spin < ${SPIN} || performance.now() < until); spin++);
  Atomics.wait(ctrl, ${SEQ}, seen);
  const seq = Atomics.load(ctrl, ${SEQ});
  if (seq < 0) break;
  seen = seq;
  const kind = seq & 7;
  if (kind === ${RELEASE_JOB}) {
    fit = null;
    hists = [];
    written = [];
    wasm = null;
    level = null;
    fitNumber = -1;
    continue;
  }
  if (Atomics.load(ctrl, ${FIT}) !== fitNumber) {
    try {
      setUp(Atomics.load(ctrl, ${FIT}));
    } catch {
      Atomics.store(ctrl, ${FAILED}, 1);
    }
  }
  if (kind === ${LEVEL_JOB} || kind === ${ROUND_JOB}) {
    // A level or a round's start (threads.ts runLevel, runRound; level-job.ts). Nothing of the job is read before a
    // claim succeeds (the job cannot end, nor the next begin, while a chunk is out), not even its kind: a thread
    // late for a job finds every chunk taken, or takes the next claimed job's (its fit's) chunks.
    for (let chunk = ${claim.name}(ctrl, ${NEXT}, ${LIMIT}, ${BASE}); chunk >= 0; chunk = ${claim.name}(ctrl, ${NEXT}, ${LIMIT}, ${BASE})) {
      try {
        if (Atomics.load(ctrl, ${FIT}) !== fitNumber) setUp(Atomics.load(ctrl, ${FIT}));
        if (ctrl[${CLAIMED_KIND}] === ${LEVEL_JOB}) jobs.levelChunk(chunk, ctrl[${PARTS}], level, ${SPIN});
        else jobs.roundChunk(chunk, level, ${SPIN});
      } catch {
        Atomics.store(ctrl, ${FAILED}, 1);
      }
      Atomics.add(ctrl, ${COMPLETED}, 1);
      Atomics.notify(ctrl, ${COMPLETED});
    }
    continue;
  }
  try {
    // Binning (bin-threads.ts), or a prediction update (threads.ts addSegments) on this thread's block of the index.
    if (kind === ${BIN_JOB}) jobs.binFeatures(fit.bin, ${countAtMost.name});
    else predictBlock(me);
  } catch {
    Atomics.store(ctrl, ${FAILED}, 1);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

/** Workers for fits on `threads` threads (this one counted), their control words and their job numbers. */
export class WorkerPool {
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  readonly workers: Worker[] = [];
  readonly ports: MessagePort[] = [];
  /** The last job's number (SEQ = seq × 8 + kind) and the last fit's. */
  seq = 0;
  fits = 0;

  constructor(readonly threads: number) {
    this.control[IDLE_SPIN] = idleSpin;
    for (let me = 1; me < threads; me++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { control: this.control.buffer, port: port2, me, threads },
        transferList: [port2],
      });
      worker.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  /** Starts a job on the workers: SEQ set and every sleeping worker woken. */
  start(kind: number): void {
    Atomics.store(this.control, SEQ, ++this.seq * 8 + kind);
    Atomics.notify(this.control, SEQ);
  }

  /**
   * Sends the data of the next fit (or of a binning job, bin-threads.ts) to every worker under a new number: each
   * reads them before its next job (setUp). Clears FAILED.
   */
  send(data: unknown): void {
    this.control[FIT] = ++this.fits;
    this.control[FAILED] = 0;
    for (const port of this.ports) port.postMessage({ fit: this.control[FIT], data });
  }

  /** Starts a job each worker does once (not one of claimed chunks); waitEach waits for them all to end it. */
  startEach(kind: number): void {
    Atomics.store(this.control, DONE, 0);
    this.start(kind);
  }

  /** Waits until every worker ended the job startEach began; false when one of them failed. */
  waitEach(): boolean {
    waitFor(this.control, DONE, this.workers.length, SPIN);
    return Atomics.load(this.control, FAILED) === 0;
  }

  /** Ends the workers (they exit at their next wake-up). */
  close(): void {
    Atomics.store(this.control, SEQ, -1);
    Atomics.notify(this.control, SEQ);
    for (const port of this.ports) port.close();
    for (const worker of this.workers) void worker.terminate();
  }
}

/** Idle pools by thread count: one a process (or worker thread) keeps for its next fit. */
const idle = new Map<number, WorkerPool>();
let idleSpin = 0;

/**
 * How long (µs) a worker looks for its next job before it sleeps, for pools started later and the idle ones: a
 * sleeping worker takes tens of microseconds to wake (bench/scale/handoff.ts), a looking one burns its core.
 */
export function setIdleSpin(micros: number): void {
  idleSpin = micros;
  for (const pool of idle.values()) pool.control[IDLE_SPIN] = micros;
}
let started = 0;

/** Pools started so far in this process (for tests: consecutive fits reuse one). */
export function poolsStarted(): number {
  return started;
}

/** A pool of `threads` threads for one fit: the idle one when there is one (else a new one); give it back with release. */
export function acquirePool(threads: number): WorkerPool {
  let pool = idle.get(threads);
  idle.delete(threads);
  if (pool === undefined) {
    pool = new WorkerPool(threads);
    started++;
  }
  return pool;
}

/**
 * Starts a pool of `threads` threads ahead of a fit, unless one is idle: its workers then come up (spawn, load,
 * start: 160–370 ms measured under load) while the fit checks and bins its data, not while its first job waits.
 */
export function prestartPool(threads: number): void {
  if (idle.has(threads)) return;
  idle.set(threads, new WorkerPool(threads));
  started++;
}

/**
 * Ends a fit on the pool: its workers drop the fit's arrays, and the pool waits idle for the next fit — unless a
 * worker failed (its state is then unknown) or another pool of this size is already idle; then it is closed.
 */
export function releasePool(pool: WorkerPool): void {
  pool.start(RELEASE_JOB);
  if (Atomics.load(pool.control, FAILED) !== 0 || idle.has(pool.threads)) pool.close();
  else idle.set(pool.threads, pool);
}
