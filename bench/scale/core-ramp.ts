/**
 * How fast this machine's second core runs in the first seconds of two-thread work, window by window — a time
 * series, where bench/scale/core-contention.ts gives the fastest of several runs. A two-thread fit at 200,000 rows
 * is over in about a second; if the cores run a memory pass slower in that second than later, a fit that short
 * cannot show what two threads give a long one.
 *
 *   npx tsx bench/scale/core-ramp.ts [doubles per half, default 50000] [seconds of two threads, default 3]
 *
 * The pass streams over an array of doubles (read, scale, write, sum: the shape of a gradient pass), cut in two
 * halves, each small enough to stay in a core's L2 cache alone and together, so the table shows the cores and not
 * cache sizes. One thread runs jobs (both halves in turn) for 2 s; then this thread and a worker run jobs for the
 * given seconds, each its own half, handing off by spinning on a shared word (neither ever sleeps, so no wake-up
 * latency is in it); then one thread again for 1 s. Each line is a window of 250 ms: the microseconds a half took on
 * this thread and on the other (the worker, or this thread's second half), jobs a second, and the speed-up over
 * the first one-thread phase's median. No Loupe code runs: this measures the machine.
 */
import { Worker } from 'node:worker_threads';

const half = Number(process.argv[2] ?? 50_000);
const twoSeconds = Number(process.argv[3] ?? 3);
const WINDOW_MS = 250;

/** The pass, one source for this thread and the worker (the worker evaluates it from this text). */
const PASS = `function pass(a, from, to) {
  let s = 0;
  for (let i = from; i < to; i++) {
    a[i] = a[i] * 0.5 + 1;
    s += a[i];
  }
  return s;
}`;

const WORKER = `
const { workerData } = require('node:worker_threads');
${PASS}
const { data, half, control, times } = workerData;
for (let k = 0; k < 200; k++) pass(data, half, 2 * half); // optimized before the timed phases, as this thread's
Atomics.store(control, 2, 1);
let seen = 0;
for (;;) {
  let job;
  while ((job = Atomics.load(control, 0)) === seen);
  if (job < 0) break;
  seen = job;
  const t = performance.now();
  pass(data, half, 2 * half);
  times[0] += performance.now() - t;
  Atomics.store(control, 1, job);
}
`;

const pass = new Function(`${PASS}; return pass;`)() as (a: Float64Array, from: number, to: number) => number;
const data = new Float64Array(new SharedArrayBuffer(2 * half * 8));
for (let k = 0; k < 200; k++) pass(data, 0, 2 * half);

interface Window {
  phase: string;
  atMs: number;
  jobsPerSecond: number;
  thisMicros: number;
  otherMicros: number;
}

/** Runs jobs for `ms`, a window at a time; `job` returns the milliseconds of [this thread's half, the other]. */
function phase(name: string, ms: number, job: () => [number, number], t0: number): Window[] {
  const out: Window[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const start = performance.now();
    let [jobs, mine, other] = [0, 0, 0];
    while (performance.now() - start < WINDOW_MS) {
      const [a, b] = job();
      mine += a;
      other += b;
      jobs++;
    }
    const took = performance.now() - start;
    out.push({
      phase: name,
      atMs: start - t0,
      jobsPerSecond: (jobs / took) * 1000,
      thisMicros: (mine / jobs) * 1000,
      otherMicros: (other / jobs) * 1000,
    });
  }
  return out;
}

function timed(from: number, to: number): number {
  const t = performance.now();
  pass(data, from, to);
  return performance.now() - t;
}

const control = new Int32Array(new SharedArrayBuffer(12));
const times = new Float64Array(new SharedArrayBuffer(8));
const worker = new Worker(WORKER, { eval: true, workerData: { data, half, control, times } });
while (Atomics.load(control, 2) === 0) await new Promise((resolve) => setTimeout(resolve, 5));

const oneThread = (): [number, number] => [timed(0, half), timed(half, 2 * half)];
const t0 = performance.now();
const windows = phase('one thread', 2000, oneThread, t0);
let job = 0;
const twoThreads = (): [number, number] => {
  const before = times[0];
  Atomics.store(control, 0, ++job);
  const mine = timed(0, half);
  while (Atomics.load(control, 1) !== job);
  return [mine, times[0] - before];
};
windows.push(...phase('two threads', twoSeconds * 1000, twoThreads, t0));
Atomics.store(control, 0, -1);
await worker.terminate();
windows.push(...phase('one thread', 1000, oneThread, t0));

const first = windows
  .filter((w) => w.phase === 'one thread' && w.atMs < 2000)
  .map((w) => w.jobsPerSecond)
  .sort((a, b) => a - b);
const median = first[Math.floor(first.length / 2)];
const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2));
console.log(`core ramp — two halves of ${half.toLocaleString('en')} doubles; load average ${load.join(' ')}`);
console.log('');
console.log('| from | phase | µs a half: this thread / other | jobs/s | speed-up |');
console.log('| --- | --- | --- | --- | --- |');
for (const w of windows)
  console.log(
    `| ${(w.atMs / 1000).toFixed(2)} s | ${w.phase} | ${w.thisMicros.toFixed(0)} / ${w.otherMicros.toFixed(0)} | ${w.jobsPerSecond.toFixed(0)} | ×${(w.jobsPerSecond / median).toFixed(2)} |`,
  );
