/**
 * Where a threaded fit's time goes, per thread: the fixed costs of engine/threads.ts (worker start-up, the first
 * hand-off, one hand-off when the worker is spinning and when it sleeps) and, for whole fits one after another in
 * this process, each thread's run time and time queued for a core (/proc/self/task/<tid>/schedstat), the wall and
 * process CPU time, the time inside jobs and outside them (this thread alone: binning, bookkeeping), and the
 * hand-offs per tree. Run it under `taskset -c 0` (one core) and `taskset -c 0,1` (two):
 * run times do not count waiting for a core, so they show what an idle machine would give even under load.
 *
 *   BENCH_DATA_DIR=dir npm run bench:scale ...   (writes dir/<rows>/x-columns.f64 and y.f64), then
 *   taskset -c 0,1 npx tsx bench/scale/thread-costs.ts dir/200000 <rows, at most the file's> <threads> [fits] [trees]
 *
 * BENCH_IDLE_SPIN=µs makes the workers look that long for their next job before sleeping (setIdleSpin), as in
 * bench:scale.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { binMatrix } from '../../src/engine/binning.js';
import { fit } from '../../src/engine/index.js';
import { setIdleSpin, WorkerPool } from '../../src/engine/thread-worker.js';
import { FitThreads, sharedFloat64 } from '../../src/engine/threads.js';
import { readScaleData } from './data-files.js';

const [dir, rowsArg, threadsArg, fitsArg = '3', treesArg = '200'] = process.argv.slice(2);
const rows = Number(rowsArg);
const threads = Number(threadsArg);
const { X, y } = readScaleData(dir, rows);
if (process.env.BENCH_IDLE_SPIN !== undefined) setIdleSpin(Number(process.env.BENCH_IDLE_SPIN));

/** Run and queued nanoseconds of every thread of this process, by thread id. */
function schedstat(): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(Number(tid), [run, wait]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** Per thread, run and queued seconds since `before`; the main thread first, then the others with > 1 ms run. */
function since(before: Map<number, [number, number]>): string {
  const after = schedstat();
  const rowsOut: string[] = [];
  for (const [tid, [run, wait]] of after) {
    const [run0, wait0] = before.get(tid) ?? [0, 0];
    const dr = (run - run0) / 1e9;
    if (tid !== process.pid && dr < 0.001) continue;
    const name = tid === process.pid ? 'main' : `t${tid}`;
    rowsOut.push(`${name} run ${dr.toFixed(3)} s queued ${((wait - wait0) / 1e9).toFixed(3)} s`);
  }
  return rowsOut.sort((a, b) => (a.startsWith('main') ? -1 : b.startsWith('main') ? 1 : a.localeCompare(b))).join('; ');
}

const ms = (t0: number) => (performance.now() - t0).toFixed(2);

// Hand-offs per fit: FitThreads.post counted (a private method, wrapped here for the count only).
const proto = FitThreads.prototype as unknown as { post(...args: number[]): number };
const post = proto.post;
let posts = 0;
proto.post = function (this: unknown, ...args: number[]) {
  posts++;
  return post.apply(this, args);
};

// Time inside jobs (from posting one to its end, on this thread), the rest being this thread's own work while the
// workers wait: binning, split searches outside level jobs, the grower's bookkeeping.
const jobProto = FitThreads.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
let inJobs = 0;
for (const name of ['runRound', 'runLevel', 'addSegments']) {
  const job = jobProto[name];
  jobProto[name] = function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    try {
      return job.apply(this, args);
    } finally {
      inJobs += performance.now() - t;
    }
  };
}

const trees = Number(treesArg);
for (let i = 0; i < Number(fitsArg); i++) {
  posts = 0;
  inJobs = 0;
  const before = schedstat();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  fit(X, y, {
    nEstimators: trees,
    maxDepth: 6,
    maxBins: 256,
    learningRate: 0.1,
    seed: 0,
    threads,
    minRowsForThreads: 0,
  });
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  console.log(
    `fit ${i + 1}: wall ${wall.toFixed(2)} ms (jobs ${inJobs.toFixed(0)} ms, outside them ${(wall - inJobs).toFixed(0)} ms), ` +
      `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(3)} s, ` +
      `hand-offs ${(posts / trees).toFixed(1)}/tree; ${since(before)}`,
  );
}

// Fixed costs, after the fits: a new pool's start-up (until every worker runs its code, 'online'), then on the
// fits' pool (reused) one fit's set-up and empty prediction-update jobs (every worker takes part, nothing to add)
// back to back and 2 ms apart.
if (threads > 1) {
  let t0 = performance.now();
  const fresh = new WorkerPool(threads);
  const made = ms(t0);
  // The pool's workers are unref'd (they never hold the process open): ref them while waiting for 'online'.
  await Promise.all(
    fresh.workers.map(
      (w) =>
        new Promise((resolve) => {
          w.ref();
          w.once('online', resolve);
        }),
    ),
  );
  console.log(`new pool of ${threads} threads: constructed ${made} ms, workers online after ${ms(t0)} ms`);
  fresh.close();
  const binned = binMatrix(X.columns, rows, 256, 2, true);
  const arrays = { binned, grad: sharedFloat64(rows), hess: sharedFloat64(rows), pred: sharedFloat64(rows) };
  t0 = performance.now();
  const pool = new FitThreads(threads, arrays, 127);
  const setUp = ms(t0);
  t0 = performance.now();
  pool.addSegments(0, 0);
  const first = ms(t0);
  const times = (gap: number, n: number): string => {
    const each: number[] = [];
    for (let i = 0; i < n; i++) {
      if (gap > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, gap);
      const t = performance.now();
      pool.addSegments(0, 0);
      each.push((performance.now() - t) * 1000);
    }
    each.sort((a, b) => a - b);
    return `median ${each[n >> 1].toFixed(1)} µs, p90 ${each[Math.floor(n * 0.9)].toFixed(1)} µs`;
  };
  console.log(`reused pool: fit set-up ${setUp} ms, first hand-off ${first} ms`);
  console.log(`hand-off, worker spinning: ${times(0, 2000)}; worker asleep (2 ms apart): ${times(2, 200)}`);
  pool.close();
}
