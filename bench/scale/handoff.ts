/**
 * The round trip of one hand-off to the fit's worker threads on its own (engine/threads.ts, thread-worker.ts): an
 * empty job (a prediction update of no rows, which every worker acknowledges) posted with Atomics.notify and
 * waited for with a short spin, then Atomics.wait. Between jobs this thread is busy for `gap` µs (as it is while it
 * finds a level's splits); the workers look for the next job for `spin` µs (setIdleSpin) before sleeping. Prints
 * the median and 90th percentile round trip and the worker's run time per hand-off (/proc/self/task/<tid>/schedstat).
 *
 *   taskset -c 0,1 npx tsx bench/scale/handoff.ts [threads=2] [hand-offs per cell=400]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { binMatrix } from '../../src/engine/binning.js';
import { setIdleSpin } from '../../src/engine/thread-worker.js';
import { FitThreads, sharedFloat64 } from '../../src/engine/threads.js';

const threads = Number(process.argv[2] ?? 2);
const reps = Number(process.argv[3] ?? 400);
const rows = 1000;
const columns = Array.from({ length: 3 }, (_, f) => Float64Array.from({ length: rows }, (_, i) => (i * (f + 7)) % 97));

/** Run nanoseconds of every thread but this one. */
function workersRun(): number {
  let sum = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    if (Number(tid) === process.pid) continue;
    try {
      sum += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return sum;
}

function busy(micros: number): void {
  const until = performance.now() + micros / 1000;
  while (performance.now() < until);
}

const table: string[] = [
  '| worker spin | gap between jobs | median round trip | p90 | worker run per hand-off |',
  '| --- | --- | --- | --- | --- |',
];
for (const spin of [0, 20, 100, 300]) {
  setIdleSpin(spin);
  const binned = binMatrix(columns, rows, 256, 2, true);
  const arrays = { binned, grad: sharedFloat64(rows), hess: sharedFloat64(rows), pred: sharedFloat64(rows) };
  const pool = new FitThreads(threads, arrays, 127);
  pool.addSegments(0, 0); // the workers' set-up for this fit
  for (const gap of [0, 20, 100, 300]) {
    const each: number[] = [];
    const run0 = workersRun();
    for (let i = 0; i < reps; i++) {
      busy(gap);
      const t = performance.now();
      pool.addSegments(0, 0);
      each.push((performance.now() - t) * 1000);
    }
    const run = (workersRun() - run0) / 1000 / reps / (threads - 1);
    each.sort((a, b) => a - b);
    const [median, p90] = [each[reps >> 1], each[Math.floor(reps * 0.9)]];
    table.push(`| ${spin} µs | ${gap} µs | ${median.toFixed(1)} µs | ${p90.toFixed(1)} µs | ${run.toFixed(1)} µs |`);
  }
  pool.close();
}
console.log(table.join('\n'));
