import { describe, expect, it } from 'vitest';
import { fit, serialize, type FeatureMatrix } from '../../src/engine/index.js';
import { createRng } from '../../src/engine/random.js';
import { poolsStarted } from '../../src/engine/thread-worker.js';
import { useWasmKernels } from '../../src/engine/wasm-kernels.js';
import { MIN_ROWS_PER_HANDOFF } from '../../src/engine/threads.js';
import { binMatrix, type BinnedMatrix } from '../../src/engine/binning.js';
import { ThreadBinner } from '../../src/engine/bin-threads.js';
import { acquirePool, releasePool } from '../../src/engine/thread-worker.js';

/** Enough rows that the root and the first levels' nodes go to worker threads. */
function data(rows: number, withMissing: boolean): { X: FeatureMatrix; y: Float64Array } {
  const rng = createRng(11);
  const nf = 7;
  const columns = Array.from({ length: nf }, (_, f) =>
    Float64Array.from({ length: rows }, () => (f === 2 ? rng.nextInt(5) : rng.nextFloat() * 10)),
  );
  if (withMissing) for (let i = 0; i < rows; i += 13) columns[4][i] = NaN;
  const y = Float64Array.from(
    { length: rows },
    (_, i) =>
      Math.sin(columns[0][i]) +
      0.3 * columns[1][i] * columns[2][i] +
      (Number.isNaN(columns[4][i]) ? 1 : columns[4][i] * 0.1) +
      0.05 * rng.nextFloat(),
  );
  return { X: { columns, rows }, y };
}

describe('threads', () => {
  const rows = 4 * MIN_ROWS_PER_HANDOFF;

  it('bins a matrix on the workers as on one thread, every feature once (bin-threads.ts)', () => {
    const { X } = data(rows, true);
    // Integer, continuous and missing-valued columns, and one of a single value; shared codes, as a threaded fit's.
    const columns = [...X.columns, new Float64Array(rows).fill(3)];
    const one = binMatrix(columns, rows, 256, 2, true);
    const plain = (b: BinnedMatrix) => ({ ...b, codes: [...b.codes], columns: b.columns.map((c) => [...c]) });
    for (const threads of [2, 3, 8]) {
      const pool = acquirePool(threads);
      try {
        const binner = new ThreadBinner(pool);
        let taken = 0;
        const next = binner.next.bind(binner);
        // Before this thread's first feature, a worker takes one (else a quick main thread could take them all).
        const claims = (binner as unknown as { claims: Int32Array }).claims;
        const until = Date.now() + 20_000;
        binner.next = () => {
          while (taken === 0 && Atomics.load(claims, 0) >>> 16 === 8 && Date.now() < until);
          const f = next();
          if (f >= 0) taken++;
          return f;
        };
        const many = binMatrix(columns, rows, 256, 2, true, undefined, undefined, binner);
        expect(plain(many), `${threads} threads`).toEqual(plain(one));
        // The workers took one of the last ⌊8·(T − 1)/T⌋ features at least, and no more than those.
        expect(taken, `${threads} threads`).toBeGreaterThanOrEqual(8 - Math.floor((8 * (threads - 1)) / threads));
        expect(taken, `${threads} threads`).toBeLessThan(8);
      } finally {
        releasePool(pool);
      }
    }
  }, 60_000);
  // These data are far below the default minRowsForThreads; the tests lower it so the worker threads do the work.

  it('gives the same model bit for bit on 1, 2 and 3 threads', () => {
    const { X, y } = data(rows, true);
    const options = { nEstimators: 12, maxDepth: 5, colsampleByTree: 0.8, subsample: 0.9, seed: 3 };
    const one = serialize(fit(X, y, { ...options, threads: 1 }).model);
    expect(serialize(fit(X, y, { ...options, threads: 2, minRowsForThreads: 0 }).model)).toBe(one);
    expect(serialize(fit(X, y, { ...options, threads: 3, minRowsForThreads: 0 }).model)).toBe(one);
  }, 60_000);

  it('gives the same model and loss curves when every tree takes every row (round jobs, splits found on the threads) on 1, 2 and 3 threads', () => {
    const { X, y } = data(rows, true);
    // Depth-wise with a monotone constraint: the level jobs' split finding meets bounds and missing values.
    const options = { nEstimators: 10, maxDepth: 6, colsampleByTree: 0.7, seed: 8, monotone: [0, 1, 0, 0, 0, 0, 0] };
    const one = fit(X, y, { ...options, threads: 1 });
    for (const threads of [2, 3]) {
      const many = fit(X, y, { ...options, threads, minRowsForThreads: 0 });
      expect(serialize(many.model)).toBe(serialize(one.model));
      expect(many.trainLoss).toEqual(one.trainLoss);
    }
    // Every feature on every row: each feature group's sums run the all-features kernels (written out, and
    // WebAssembly in the arena); the loss curve holds the root's sums.
    const every = { nEstimators: 8, maxDepth: 6, seed: 2 };
    const oneEvery = fit(X, y, { ...every, threads: 1 });
    for (const threads of [2, 3]) {
      const many = fit(X, y, { ...every, threads, minRowsForThreads: 0 });
      expect(serialize(many.model)).toBe(serialize(oneEvery.model));
      expect(many.trainLoss).toEqual(oneEvery.trainLoss);
    }
    // Early stopping ends the loop with a prediction update still queued: the last loss must include it.
    const stopping = {
      ...options,
      nEstimators: 40,
      validationFraction: 0.2,
      earlyStoppingRounds: 2,
      learningRate: 0.5,
    };
    const oneStopping = fit(X, y, { ...stopping, threads: 1 });
    const twoStopping = fit(X, y, { ...stopping, threads: 2, minRowsForThreads: 0 });
    expect(serialize(twoStopping.model)).toBe(serialize(oneStopping.model));
    expect(twoStopping.trainLoss).toEqual(oneStopping.trainLoss);
    expect(twoStopping.validLoss).toEqual(oneStopping.validLoss);
  }, 60_000);

  it('gives the one-thread model in fit after fit on one pool, round and level jobs back to back', () => {
    // A worker can still be in one claimed job's loop when the next is posted (the main thread took the last
    // chunks): it must run the chunks it then claims as the new job's kind, and a new fit's with the new fit's
    // arrays. Before it did, this failed one run in a few (a wrong model or an internal error) or hung.
    const { X, y } = data(rows, false);
    for (let k = 0; k < 12; k++) {
      const options = { nEstimators: 6, maxDepth: 6, seed: k, colsampleByTree: k % 3 === 0 ? 0.7 : 1 };
      const one = serialize(fit(X, y, { ...options, threads: 1 }).model);
      const threads = 2 + (k % 2);
      expect(serialize(fit(X, y, { ...options, threads, minRowsForThreads: 0 }).model), `fit ${k}`).toBe(one);
    }
  }, 60_000);

  it('gives the same model with leaf-wise growth and monotone constraints', () => {
    const { X, y } = data(rows, false);
    const options = { nEstimators: 8, maxDepth: 0, maxLeaves: 24, monotone: [0, 1, 0, 0, 0, 0, 0], seed: 5 };
    expect(serialize(fit(X, y, { ...options, threads: 2, minRowsForThreads: 0 }).model)).toBe(
      serialize(fit(X, y, { ...options, threads: 1 }).model),
    );
  }, 60_000);

  it('starts the workers once for fits one after another, each fit on its own data', () => {
    const a = data(rows, true);
    const b = data(rows + 777, false);
    const options = { nEstimators: 4, maxDepth: 4, seed: 9 };
    const one = [a, b].map(({ X, y }) => serialize(fit(X, y, { ...options, threads: 1 }).model));
    const before = poolsStarted();
    const two = [a, b, a, b].map(({ X, y }) =>
      serialize(fit(X, y, { ...options, threads: 2, minRowsForThreads: 0 }).model),
    );
    expect(two).toEqual([...one, ...one]);
    // Earlier tests may have left an idle pool of two threads: at most one more is started, then reused.
    expect(poolsStarted() - before).toBeLessThanOrEqual(1);
    fit(a.X, a.y, { ...options, threads: 2, minRowsForThreads: 0 });
    expect(poolsStarted() - before).toBeLessThanOrEqual(1);
  }, 60_000);

  it('gives the same model with WebAssembly off (the threads then run the JS loops)', () => {
    const { X, y } = data(rows, true);
    const options = { nEstimators: 6, maxDepth: 5, seed: 4 };
    const one = serialize(fit(X, y, { ...options, threads: 1 }).model);
    useWasmKernels(false);
    try {
      expect(serialize(fit(X, y, { ...options, threads: 2, minRowsForThreads: 0 }).model)).toBe(one);
    } finally {
      useWasmKernels(true);
    }
  }, 60_000);

  it('uses one thread below minRowsForThreads (by default a million rows) whatever threads asks for', () => {
    const { X, y } = data(rows, false);
    const options = { nEstimators: 2, maxDepth: 3, seed: 1 };
    // A pool of 5 threads is started by nothing else here: asking for 5 threads on these rows starts none.
    const before = poolsStarted();
    fit(X, y, { ...options, threads: 5 });
    fit(X, y, { ...options, threads: 5, minRowsForThreads: rows + 1 });
    expect(poolsStarted()).toBe(before);
    fit(X, y, { ...options, threads: 5, minRowsForThreads: rows });
    expect(poolsStarted()).toBe(before + 1);
  }, 60_000);

  it('does not store the thread count with the model', () => {
    const { X, y } = data(100, false);
    const { model } = fit(X, y, { nEstimators: 2, threads: 2, minRowsForThreads: 0 });
    expect('threads' in model.options).toBe(false);
  });

  it('refuses a thread count that is not a whole number from 1', () => {
    const { X, y } = data(50, false);
    expect(() => fit(X, y, { threads: 0 })).toThrow(/option threads must be an integer from 1/);
    expect(() => fit(X, y, { threads: 1.5 })).toThrow(/option threads/);
    expect(() => fit(X, y, { minRowsForThreads: -1 })).toThrow(
      /option minRowsForThreads must be an integer of at least 0/,
    );
  });
});
