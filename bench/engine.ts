/**
 * Benchmark of the boosting engine on the reference split of the diamonds data:
 *   (1) fit time of 1000 depth-4 trees (256 bins, learning rate 0.05, no early stopping) on the 3,991 training rows;
 *   (2) batch prediction time per row on the 998 test rows.
 * Features: carat, cut/color/clarity as ranks (worst = 0), depth, table, x, y, z; target: log price.
 * Prints the median and range of several runs (wall clock, and CPU time of this process, which other work on a
 * shared machine inflates less), and the test RMSE as a sanity check.
 *
 *   npm run bench:engine            (BENCH_RUNS=N to change the number of fit runs, default 7)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fit, predict } from '../src/engine/index.js';
import { FEATURES, loadReference } from './reference-data.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const { train, test } = loadReference();
const runs = Number(process.env.BENCH_RUNS ?? 7);
const options = { nEstimators: 1000, maxDepth: 4, maxBins: 256, learningRate: 0.05, seed: 0 };

fit(train.X, train.y, { ...options, nEstimators: 50 }); // warm up the JIT
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};
const fitTimes: number[] = [];
const fitCpu: number[] = [];
let model = fit(train.X, train.y, { ...options, nEstimators: 1 }).model;
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  model = fit(train.X, train.y, options).model;
  fitCpu.push(cpuSeconds(c0));
  fitTimes.push((performance.now() - t0) / 1000);
}

predict(model, test.X); // warm up (and compile the ensemble)
const predictTimes: number[] = [];
const predictCpu: number[] = [];
let p: Float64Array = new Float64Array(0);
for (let r = 0; r < 25; r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  p = predict(model, test.X);
  predictCpu.push((cpuSeconds(c0) * 1e6) / test.X.rows);
  predictTimes.push(((performance.now() - t0) * 1000) / test.X.rows);
}
let se = 0;
for (let i = 0; i < p.length; i++) se += (p[i] - test.y[i]) ** 2;
const rmse = Math.sqrt(se / p.length);

const fmt = (x: number, d: number) => x.toFixed(d);
console.log(
  `engine benchmark — ${train.X.rows} training rows, ${test.X.rows} test rows, ${FEATURES.length} features, Node ${process.version}`,
);
console.log('');
console.log('| measure | Loupe wall, median | wall min–max | Loupe CPU, median | runs | XGBoost 1.7 hist, 1 thread |');
console.log('| --- | --- | --- | --- | --- | --- |');
console.log(
  `| fit: 1000 trees, depth 4, 256 bins, η 0.05 | ${fmt(median(fitTimes), 3)} s | ${fmt(Math.min(...fitTimes), 3)}–${fmt(Math.max(...fitTimes), 3)} s | ${fmt(median(fitCpu), 3)} s | ${runs} | 0.35 s |`,
);
console.log(
  `| batch predict, ${test.X.rows} rows | ${fmt(median(predictTimes), 2)} µs/row | ${fmt(Math.min(...predictTimes), 2)}–${fmt(Math.max(...predictTimes), 2)} µs/row | ${fmt(median(predictCpu), 2)} µs/row | ${predictTimes.length} | 9.6 µs/row |`,
);
console.log('');
console.log(`test RMSE of log price: ${fmt(rmse, 4)}`);

// For scripts/capacity.ts: one fit's time on one core.
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/training.json',
  `${JSON.stringify({ date: new Date().toISOString(), rows: train.X.rows, trees: 1000, fitSeconds: median(fitTimes), fitCpuSeconds: median(fitCpu) }, null, 2)}\n`,
);
