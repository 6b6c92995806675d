/**
 * One Loupe fit for bench/scale.ts, in a process of its own so its peak RSS is its own: loads raw float64
 * (column-major X, then y), fits with the options given as JSON in argv[2], prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { fit, predict, type FeatureMatrix } from '../../src/engine/index.js';
import { setIdleSpin } from '../../src/engine/thread-worker.js';

const spec = JSON.parse(process.argv[2]) as {
  rows: number;
  features: number;
  xColumnMajor: string;
  y: string;
  trees: number;
  maxDepth: number;
  maxBins: number;
  learningRate: number;
  threads: number;
  /** Microseconds a worker thread looks for its next job before sleeping (engine/thread-worker.ts setIdleSpin). */
  idleSpin?: number;
};
const raw = readFileSync(spec.xColumnMajor);
const all = new Float64Array(raw.buffer, raw.byteOffset, spec.rows * spec.features);
const X: FeatureMatrix = {
  rows: spec.rows,
  columns: Array.from({ length: spec.features }, (_, f) => all.subarray(f * spec.rows, (f + 1) * spec.rows)),
};
const yRaw = readFileSync(spec.y);
const y = new Float64Array(yRaw.buffer, yRaw.byteOffset, spec.rows);

if (spec.idleSpin !== undefined) setIdleSpin(spec.idleSpin);
const wall0 = performance.now();
const cpu0 = process.cpuUsage();
const { model } = fit(X, y, {
  nEstimators: spec.trees,
  maxDepth: spec.maxDepth,
  maxBins: spec.maxBins,
  learningRate: spec.learningRate,
  seed: 0,
  threads: spec.threads,
  // the benchmark measures the threads wherever they can run, not only above the default start (a million rows)
  minRowsForThreads: 0,
});
const fitSeconds = (performance.now() - wall0) / 1000;
const cpu = process.cpuUsage(cpu0);
const peakRssMB = process.resourceUsage().maxRSS / 1024; // before predict, whose output is not part of fitting
const pred = predict(model, X);
let se = 0;
for (let i = 0; i < spec.rows; i++) se += (pred[i] - y[i]) ** 2;
process.stdout.write(
  `${JSON.stringify({ engine: 'loupe', fitSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMB, trainRmse: Math.sqrt(se / spec.rows) })}\n`,
);
