/**
 * Binning on a fit's worker threads: binMatrix (engine/binning.ts) takes features from the front of the matrix
 * while the workers take them from the back (binning.ts binFeatures), so that at a million rows the sorts of two
 * cores run at once — binning was 15 % of a fit, all of it on one thread. The workers can read only shared
 * memory: the features they may take (the last ⌊nf·(T − 1)/T⌋) are copied there first, 8 bytes a row and feature,
 * dropped after binning. The codes of a worker's feature go to its column only; binMatrix writes them into the
 * row-major codes after (two threads writing bytes of the same rows would share cache lines). A feature is binned
 * by the same function whichever thread takes it: the bins do not depend on the thread count.
 */
import { MAX_BINS, type FeatureBinner, type FeatureBins } from './binning.js';
import { BIN_JOB, type WorkerPool } from './thread-worker.js';

/** binFeatures packs the claims in 16-bit halves. */
const MAX_FEATURES = 0x7fff;

export class ThreadBinner implements FeatureBinner {
  private readonly claims = new Int32Array(new SharedArrayBuffer(4));
  private info: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private thresholds: Float64Array<ArrayBufferLike> = new Float64Array(0);

  constructor(private readonly pool: WorkerPool) {}

  /** Whether a matrix of `features` columns can be binned this way. */
  static fits(features: number): boolean {
    return features <= MAX_FEATURES;
  }

  start(columns: Float64Array[], rows: number, maxBins: number, out: Uint8Array[]): void {
    const nf = columns.length;
    const { threads } = this.pool;
    const copied = Math.floor((nf * (threads - 1)) / threads);
    const first = nf - copied;
    const raw = new Float64Array(new SharedArrayBuffer(copied * rows * 8));
    const shared = columns.map((column, f) => {
      if (f < first) return undefined;
      const view = raw.subarray((f - first) * rows, (f - first + 1) * rows);
      view.set(column.subarray(0, rows));
      return view;
    });
    this.thresholds = new Float64Array(new SharedArrayBuffer(nf * MAX_BINS * 8));
    this.info = new Int32Array(new SharedArrayBuffer(nf * 8)).fill(-1);
    Atomics.store(this.claims, 0, nf << 16);
    const job = {
      claims: this.claims,
      first,
      columns: shared,
      out,
      rows,
      maxBins,
      limitWithMissing: Math.min(maxBins, MAX_BINS - 1),
      thresholds: this.thresholds,
      info: this.info,
    };
    // The job's data go to each worker as the data of a "fit" of its own (thread-worker.ts setUp).
    this.pool.send({ bin: job });
    this.pool.startEach(BIN_JOB);
  }

  next(): number {
    for (;;) {
      const claimed = Atomics.load(this.claims, 0);
      const [front, end] = [claimed & 0xffff, claimed >>> 16];
      if (front >= end) return -1;
      if (Atomics.compareExchange(this.claims, 0, claimed, (front + 1) | (end << 16)) === claimed) return front;
    }
  }

  /**
   * Waits for every worker to end the job, as the pool's DONE count needs (a worker that ended it later would count
   * into the next job's): a worker still starting would hold this up to its start-up, 160–370 ms (thread-worker.ts),
   * but the pool starts when fit() does (prestartPool) and binning outlasts it: the wait measured 0.3–0.4 ms at 200,000
   * rows and at a million (copying the workers' columns in start(): 5 and 19 ms).
   */
  finish(): (FeatureBins | undefined)[] {
    if (!this.pool.waitEach()) throw new Error('internal: a worker thread failed binning');
    return Array.from({ length: this.info.length / 2 }, (_, f) => {
      const count = this.info[2 * f];
      if (count < 0) return undefined;
      const thresholds = this.thresholds.slice(f * MAX_BINS, f * MAX_BINS + count);
      return { thresholds, hasMissing: this.info[2 * f + 1] === 1 };
    });
  }
}
