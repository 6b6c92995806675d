/**
 * Benchmark of what one valuation costs beyond the price: TreeSHAP contributions and the conformal range, on a
 * model the size Loupe serves (1000 trees of depth 4, η 0.05, 256 bins) trained on the reference split's training
 * rows (minus a fifth held out for calibration), timed per row on the 998 test rows.
 * Features: carat, cut/color/clarity as ranks (worst = 0), depth, table, x, y, z; target: log price.
 *
 * Slow layouts (weights, direct) run 3 passes only.
 * Rows: prediction alone (the compiled single-row predictor), SHAP alone for each explainer layout (the default
 * is the one the explainer picks), interval alone, and the three together as a valuation does them.
 *
 *   npm run bench:shap            (BENCH_PASSES=N passes over the test rows, default 15; median reported)
 */
import { calibrate, createExplainer, fit, interval, predictOne, type ExplainerOptions } from '../src/engine/index.js';
import { FEATURES, loadReference, type ReferenceSet } from './reference-data.js';

/** The reference set row by row (this benchmark times single-row calls): one Float64Array per stone. */
function byRow(set: ReferenceSet): { rows: Float64Array[]; y: number[] } {
  const rows = Array.from({ length: set.X.rows }, (_, i) => Float64Array.from(set.X.columns, (c) => c[i]));
  return { rows, y: Array.from(set.y) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const reference = loadReference();
const train = byRow(reference.train);
const test = byRow(reference.test);
const passes = Number(process.env.BENCH_PASSES ?? 15);
// every fifth training row calibrates the range; the rest train
const fitRows = train.rows.filter((_, i) => i % 5 !== 0);
const fitY = Float64Array.from(train.y.filter((_, i) => i % 5 !== 0));
const calRows = train.rows.filter((_, i) => i % 5 === 0);
const calY = train.y.filter((_, i) => i % 5 === 0);
const X = { columns: FEATURES.map((_, j) => Float64Array.from(fitRows, (r) => r[j])), rows: fitRows.length };
let t0 = performance.now();
const { model } = fit(X, fitY, { nEstimators: 1000, maxDepth: 4, maxBins: 256, learningRate: 0.05, seed: 0 });
const fitSeconds = (performance.now() - t0) / 1000;
const calibration = calibrate({ y: calY, yhat: calRows.map((r) => predictOne(model, r)) }, [0.8, 0.9]);

/**
 * µs per row for `work` applied to every test row: the median over passes of wall time and of CPU time (user +
 * system of this process; on a shared machine it is the steadier of the two).
 */
function perRow(work: (row: Float64Array) => void, runs = passes): { median: number; cpu: number } {
  for (const row of test.rows) work(row); // warm up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let p = 0; p < runs; p++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    for (const row of test.rows) work(row);
    const used = process.cpuUsage(startCpu);
    wall.push(((performance.now() - start) * 1000) / test.rows.length);
    cpu.push((used.user + used.system) / test.rows.length);
  }
  return { median: median(wall), cpu: median(cpu) };
}

let sink = 0;
const variants: [string, ExplainerOptions][] = [
  ['default', {}],
  ['vector, subtrees of ≤ 3 splits', { layout: 'vector', subtreeSplits: 3 }],
  ['vector, subtrees of ≤ 1 split', { layout: 'vector', subtreeSplits: 1 }],
  ['vector, per leaf', { layout: 'vector', subtreeSplits: 0 }],
  ['weights (Fast TreeSHAP v2 table)', { layout: 'weights' }],
  ['direct (no tables)', { layout: 'direct' }],
];
const rows: string[] = [];
const fmt = (x: number, d = 1) => x.toFixed(d);
const prediction = perRow((row) => (sink += predictOne(model, row)));
rows.push(`| prediction alone | ${fmt(prediction.median)} | ${fmt(prediction.cpu)} | | |`);
let defaultExplainer = createExplainer(model.ensemble);
for (const [name, options] of variants) {
  t0 = performance.now();
  const explainer = createExplainer(model.ensemble, options);
  const buildMs = performance.now() - t0;
  if (name === 'default') defaultExplainer = explainer;
  const out = new Float64Array(FEATURES.length + 1);
  const slow = explainer.layout !== 'vector' || explainer.tableEntries === 0;
  const shap = perRow((row) => (sink += explainer.shapValues(row, out)[0]), slow ? 3 : passes);
  const label = name === 'default' ? `SHAP (default: ${explainer.layout})` : `SHAP, ${name}`;
  rows.push(
    `| ${label} | ${fmt(shap.median)} | ${fmt(shap.cpu)} | ${fmt(buildMs, 0)} ms | ${fmt((explainer.tableEntries * 8) / 2 ** 20)} MB |`,
  );
}
const range = perRow((row) => {
  const r = interval(sink > 0 ? 8 : 7 + row[0], 1, calibration, 0.9);
  sink += Math.exp(r.high) - Math.exp(r.low);
});
rows.push(`| interval alone (log space → price range) | ${fmt(range.median, 2)} | ${fmt(range.cpu, 2)} | | |`);
const out = new Float64Array(FEATURES.length + 1);
const all = perRow((row) => {
  const yhat = predictOne(model, row);
  defaultExplainer.shapValues(row, out);
  const r = interval(yhat, 1, calibration, 0.9);
  sink += Math.exp(r.high) - Math.exp(r.low) + out[0];
});
rows.push(`| **prediction + SHAP + interval** | **${fmt(all.median)}** | **${fmt(all.cpu)}** | | |`);

let covered = 0;
let worstSum = 0;
for (let i = 0; i < test.rows.length; i++) {
  const yhat = predictOne(model, test.rows[i]);
  const r = interval(yhat, 1, calibration, 0.9);
  if (test.y[i] >= r.low && test.y[i] <= r.high) covered++;
  defaultExplainer.shapValues(test.rows[i], out);
  worstSum = Math.max(worstSum, Math.abs(out.reduce((s, v) => s + v, 0) - yhat));
}

console.log(
  `SHAP benchmark — ${model.ensemble.trees.length} trees of depth ≤ 4 fitted in ${fmt(fitSeconds)} s on ${fitRows.length} rows; ${test.rows.length} test rows × ${passes} passes; Node ${process.version}`,
);
console.log('');
console.log('| per row | wall µs (median) | CPU µs (median) | explainer build | tables |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
console.log('');
console.log(
  `largest |Σ SHAP − prediction| on the test rows: ${worstSum.toExponential(1)}; 90% range coverage on the test rows: ${fmt((100 * covered) / test.rows.length)}% (${calibration.n} calibration rows)`,
);
if (sink === 42) console.log('');
