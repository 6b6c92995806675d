/**
 * Whether two cores slow each other down on the memory passes a fit is made of: each pass runs alone, then on two
 * threads at once (each its own arrays), and the table gives the times and the slowdown. A pass that slows down
 * when both cores run it caps what a second thread can give a fit (bench/scale.ts `BENCH_THREADS=2`), whatever the
 * engine does; on a shared host the answer also changes with the neighbours' load, so run it beside the fits it is
 * to explain.
 *
 *   npx tsx bench/scale/core-contention.ts [rows, default 1000000] [repeats, default 3]
 *
 * The passes, each over `rows` rows:
 *   stream: grad[i] = pred[i] − y[i], index[i] = i (a round's gradients, 28 bytes a row);
 *   scatter: pred[index[k]] += v over a node's rows (a random half, ascending, as the row index keeps them after
 *     stable partitions): the prediction update;
 *   histogram: the same rows' 9 one-byte codes (row-major) and gradients summed into 9 × 256 bins: a node's histogram.
 * Each time is the fastest of `repeats`, each the mean of 10 passes.
 */
import { Worker } from 'node:worker_threads';

const rows = Number(process.argv[2] ?? 1_000_000);
const repeats = Number(process.argv[3] ?? 3);

/** The passes' source: run in worker threads, so each is self-contained. Returns ms per pass, fastest of `repeats`. */
const PASSES = `
const { parentPort, workerData } = require('node:worker_threads');
const { rows, repeats, pass, ready, copies } = workerData;
const y = new Float64Array(rows).fill(1);
const pred = new Float64Array(rows).fill(2);
const grad = new Float64Array(rows);
const index = new Uint32Array(rows);
const codes = new Uint8Array(rows * 9);
const hist = new Float64Array(9 * 256 * 2);
// The rows of a node after stable partitions: a random half of the rows, ascending (as the engine's row index).
let s = 12345;
let kept = 0;
for (let i = 0; i < rows; i++) {
  s = (Math.imul(s, 1103515245) + 12345) >>> 0;
  if (s >>> 31) index[kept++] = i;
}
const nodeRows = kept;
for (let i = 0; i < codes.length; i++) codes[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
function stream() {
  // (rewrites the index: run alone in its worker)
  for (let i = 0; i < rows; i++) {
    grad[i] = pred[i] - y[i];
    index[i] = i;
  }
}
function scatter() {
  for (let k = 0; k < nodeRows; k++) pred[index[k]] += 0.5;
}
function histogram() {
  for (let k = 0; k < nodeRows; k++) {
    const r = index[k];
    const g = grad[r];
    for (let f = 0; f < 9; f++) {
      const b = (f * 256 + codes[r * 9 + f]) * 2;
      hist[b] += g;
      hist[b + 1] += 1;
    }
  }
}
const run = { stream, scatter, histogram }[pass];
run(); // warm-up
// Start timing together: every copy waits here until all are set up.
Atomics.add(ready, 0, 1);
while (Atomics.load(ready, 0) < copies);
let best = Infinity;
for (let r = 0; r < repeats; r++) {
  const t = performance.now();
  for (let k = 0; k < 10; k++) run();
  best = Math.min(best, (performance.now() - t) / 10);
}
parentPort.postMessage(best);
`;

function timePass(pass: string, copies: number): Promise<number[]> {
  const ready = new Int32Array(new SharedArrayBuffer(4));
  return Promise.all(
    Array.from(
      { length: copies },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(PASSES, { eval: true, workerData: { rows, repeats, pass, ready, copies } });
          worker.once('message', (ms: number) => {
            resolve(ms);
            void worker.terminate();
          });
          worker.once('error', reject);
        }),
    ),
  );
}

console.log(
  `core contention — ${rows.toLocaleString('en')} rows, fastest of ${repeats}; load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('');
console.log('| pass | one thread alone | two threads at once, each | slowdown |');
console.log('| --- | --- | --- | --- |');
for (const pass of ['stream', 'scatter', 'histogram']) {
  const [alone] = await timePass(pass, 1);
  const both = await timePass(pass, 2);
  const worst = Math.max(...both);
  console.log(
    `| ${pass} | ${alone.toFixed(2)} ms | ${both.map((t) => t.toFixed(2)).join(' / ')} ms | ×${(worst / alone).toFixed(2)} |`,
  );
}
