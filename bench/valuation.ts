/**
 * Benchmark of one valuation as the API serves it (price + range + explanation), on Loupe's default model: the
 * gbdt kind with its default parameters (3 boosters of 1,000 depth-4 trees averaged: 3,000 trees, 13 features),
 * trained with trainModel on the reference split's training rows (2 folds for the out-of-fold calibration),
 * timed per stone over the 998 test rows.
 *
 * Rows: a valuation without explanation; with the served explanation (TreeSHAP whose players are the five
 * explanation factors); with the explanation the way it was built before (per-feature TreeSHAP over the 13
 * features, summed into the five factors, then told); and TreeSHAP alone, per feature and per factor.
 * CPU time (user + system of this process) is the steadier figure on a shared machine; the load average is
 * printed before and after.
 *
 *   npm run bench:valuation   (BENCH_PASSES=N passes, default 9, median reported;
 *                              BENCH_ARTIFACT=file.json reuses a saved artifact instead of training, ~45 s)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createExplainer, deserialize, type ExplainerOptions } from '../src/engine/index.js';
import { readReferenceSplitRows } from '../src/ingest/index.js';
import { createValuer, parseArtifact, serializeArtifact, tellExplanation, trainModel, type ModelArtifact } from '../src/model/index.js';
import { FACTOR_OF_FEATURE, featureRow, NUM_FACTORS, NUM_FEATURES } from '../src/model/features.js';
import { averageEnsembles } from '../src/model/kinds/gbdt.js';

const dataDir = resolve(process.env.LOUPE_SHARED_DATA ?? '../shared/data');
const passes = Number(process.env.BENCH_PASSES ?? 9);
const { train, test } = await readReferenceSplitRows(join(dataDir, 'diamonds.csv'), join(dataDir, 'diamonds.reference-split.txt'));

let artifact: ModelArtifact;
let trainedIn = 'loaded from BENCH_ARTIFACT';
const saved = process.env.BENCH_ARTIFACT;
if (saved && existsSync(saved)) {
  artifact = parseArtifact(readFileSync(saved, 'utf8'));
} else {
  const t0 = performance.now();
  artifact = trainModel(train, { kind: 'gbdt', params: { bag: 3 }, folds: 2 });
  trainedIn = `trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  if (saved) writeFileSync(saved, serializeArtifact(artifact));
}
if (artifact.kind !== 'gbdt') throw new Error(`the benchmark needs a gbdt artifact, found ${artifact.kind}`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** µs per stone for `work` over the test stones: median over passes of wall and CPU time. */
function perStone(work: (i: number) => void): { wall: number; cpu: number } {
  for (let i = 0; i < test.length; i++) work(i); // warm up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let p = 0; p < passes; p++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    for (let i = 0; i < test.length; i++) work(i);
    const used = process.cpuUsage(startCpu);
    wall.push(((performance.now() - start) * 1000) / test.length);
    cpu.push((used.user + used.system) / test.length);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const loadBefore = loadavg();
const valuer = createValuer(artifact, 'bench');
const payload = artifact.model as { members: unknown[] };
const ensemble = averageEnsembles(payload.members.map((m) => deserialize(JSON.stringify(m)).ensemble));
const rows = test.map((stone) => featureRow(stone));
let sink = 0;

const explainers: [string, ExplainerOptions][] = [
  ['per feature (13 players)', {}],
  ['per factor (5 players, served)', { groups: FACTOR_OF_FEATURE }],
];
const built = explainers.map(([name, options]) => {
  const t0 = performance.now();
  const explainer = createExplainer(ensemble, options);
  return { name, explainer, buildMs: performance.now() - t0 };
});
const perFeature = built[0].explainer;
const phi = new Float64Array(NUM_FEATURES + 1);
const factors = new Float64Array(NUM_FACTORS);

const table: string[] = [];
const fmt = (x: number) => x.toFixed(1);
const line = (label: string, r: { wall: number; cpu: number }, more = ['', '', '']) => table.push(`| ${[label, fmt(r.cpu), fmt(r.wall), ...more].join(' | ')} |`);

line('valuation without explanation', perStone((i) => (sink += valuer.value(test[i], { explain: false }).price)));
line('**valuation with explanation (per factor, served)**', perStone((i) => (sink += valuer.value(test[i]).explanation!.price)));
line(
  'valuation with explanation (per feature, summed into factors)',
  perStone((i) => {
    const v = valuer.value(test[i], { explain: false });
    perFeature.shapValues(rows[i], phi);
    factors.fill(0);
    for (let j = 0; j < NUM_FEATURES; j++) factors[FACTOR_OF_FEATURE[j]] += phi[j];
    sink += v.price + tellExplanation(test[i], phi[NUM_FEATURES], factors).price;
  }),
);
for (const { name, explainer, buildMs } of built) {
  const out = new Float64Array(explainer.numPlayers + 1);
  const r = perStone((i) => (sink += explainer.shapValues(rows[i], out)[0]));
  line(`TreeSHAP alone, ${name}`, r, [explainer.layout, `${((explainer.tableEntries * 8) / 2 ** 20).toFixed(1)} MB`, `${buildMs.toFixed(0)} ms`]);
}
const loadAfter = loadavg();

// exactness on the served path: the factor contributions add up to the model's log price
const out = new Float64Array(NUM_FACTORS + 1);
let worst = 0;
rows.forEach((row, i) => {
  built[1].explainer.shapValues(row, out);
  worst = Math.max(worst, Math.abs(out.reduce((s, v) => s + v, 0) - Math.log(valuer.price(test[i]).price)));
});

const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`Valuation benchmark — gbdt, ${ensemble.trees.length} trees (${payload.members.length} boosters), ${trainedIn} on ${train.length} rows; ${test.length} test stones × ${passes} passes; Node ${process.version}, ${cpus().length} cores`);
console.log(`load average (1, 5, 15 min) before: ${la(loadBefore)}; after: ${la(loadAfter)}; ${new Date().toISOString()}`);
console.log('');
console.log('| per stone | CPU µs (median) | wall µs (median) | layout | tables | explainer build |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of table) console.log(r);
console.log('');
console.log(`largest |Σ factor contributions + expected value − log price| on the test stones: ${worst.toExponential(1)}`);
if (sink === 42) console.log('');
