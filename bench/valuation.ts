/**
 * Benchmark of one valuation as the API serves it (price + range + explanation), on Loupe's default model: the
 * gbdt kind with its default parameters (a log-carat trend and one booster of 500 depth-5 trees on 13 features),
 * trained with trainModel on the reference split's training rows (2 folds for the out-of-fold calibration),
 * timed per stone over the 998 test rows.
 *
 * Rows: a valuation without explanation; with the served explanation (TreeSHAP whose players are the five
 * explanation factors, then the price from the compiled predictor); 16 stones at a time (valueMany); TreeSHAP
 * giving the prediction from its own pass (shapValuesAndPrediction); with the explanation the way it was built before (per-feature TreeSHAP over the 13
 * features, summed into the five factors, then told); and TreeSHAP alone, per feature and per factor.
 * CPU time (user + system of this process) is the steadier figure on a shared machine; the load average is
 * printed before and after.
 *
 *   npm run bench:valuation   (BENCH_PASSES=N passes, default 9, median reported; BENCH_BAG=N averages N boosters;
 *                              BENCH_ARTIFACT=file.json saves the trained artifact there, or reuses it if present)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createExplainer, deserialize, type ExplainerOptions } from '../src/engine/index.js';
import { readReferenceSplitRows } from '../src/ingest/index.js';
import {
  createValuer,
  parseArtifact,
  serializeArtifact,
  tellExplanation,
  trainModel,
  type ModelArtifact,
} from '../src/model/index.js';
import { FACTOR_OF_FEATURE, featureRow, NUM_FACTORS, NUM_FEATURES } from '../src/model/features.js';
import { averageEnsembles } from '../src/model/kinds/gbdt.js';
import { getKind } from '../src/model/kinds/index.js';

const dataDir = resolve(process.env.LOUPE_SHARED_DATA ?? '../shared/data');
const passes = Number(process.env.BENCH_PASSES ?? 9);
/** Boosters averaged: the kind's default (one) unless BENCH_BAG=N asks for a seed-averaged bag of N. */
const bag = process.env.BENCH_BAG ? Number(process.env.BENCH_BAG) : undefined;
const { train, test } = await readReferenceSplitRows(
  join(dataDir, 'diamonds.csv'),
  join(dataDir, 'diamonds.reference-split.txt'),
);

let artifact: ModelArtifact;
let trainedIn = 'loaded from BENCH_ARTIFACT';
const saved = process.env.BENCH_ARTIFACT;
if (saved && existsSync(saved)) {
  artifact = parseArtifact(readFileSync(saved, 'utf8'));
} else {
  const t0 = performance.now();
  artifact = trainModel(train, { kind: 'gbdt', params: bag ? { bag } : {}, folds: 2 });
  trainedIn = `trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  if (saved) writeFileSync(saved, serializeArtifact(artifact));
}
if (artifact.kind !== 'gbdt') throw new Error(`the benchmark needs a gbdt artifact, found ${artifact.kind}`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * µs per stone of each variant's `work` over the test stones: median over passes of wall and CPU time. The
 * variants take turns within each pass, so background load on a shared machine falls on all of them alike.
 */
function perStone(variants: ((i: number) => void)[]): { wall: number; cpu: number }[] {
  for (const work of variants) for (let i = 0; i < test.length; i++) work(i); // warm up
  const wall = variants.map((): number[] => []);
  const cpu = variants.map((): number[] => []);
  for (let p = 0; p < passes; p++) {
    variants.forEach((work, v) => {
      const start = performance.now();
      const startCpu = process.cpuUsage();
      for (let i = 0; i < test.length; i++) work(i);
      const used = process.cpuUsage(startCpu);
      wall[v].push(((performance.now() - start) * 1000) / test.length);
      cpu[v].push((used.user + used.system) / test.length);
    });
  }
  return variants.map((_, v) => ({ wall: median(wall[v]), cpu: median(cpu[v]) }));
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
const servedExplainer = built[1].explainer;
const both = new Float64Array(NUM_FACTORS + 1);
const phi = new Float64Array(NUM_FEATURES + 1);
const factors = new Float64Array(NUM_FACTORS);

const table: string[] = [];
const fmt = (x: number) => x.toFixed(1);
const line = (label: string, r: { wall: number; cpu: number }, more = ['', '', '']) =>
  table.push(`| ${[label, fmt(r.cpu), fmt(r.wall), ...more].join(' | ')} |`);

const outs = built.map(({ explainer }) => new Float64Array(explainer.numPlayers + 1));
const results = perStone([
  (i) => (sink += valuer.value(test[i], { explain: false }).price),
  (i) => (sink += valuer.value(test[i]).explanation!.price),
  (i) => {
    // the valuation threads' way: the stones of a batch together (here 16 at a time, each counted once)
    if (i % 16 === 0) for (const v of valuer.valueMany(test.slice(i, i + 16))) sink += v.explanation!.price;
  },
  // TreeSHAP with the prediction from its own comparisons (compare with "TreeSHAP alone, per factor")
  (i) => (sink += servedExplainer.shapValuesAndPrediction(rows[i], both)),
  (i) => {
    const v = valuer.value(test[i], { explain: false });
    perFeature.shapValues(rows[i], phi);
    factors.fill(0);
    for (let j = 0; j < NUM_FEATURES; j++) factors[FACTOR_OF_FEATURE[j]] += phi[j];
    sink += v.price + tellExplanation(test[i], phi[NUM_FEATURES], factors).price;
  },
  ...built.map(
    ({ explainer }, k) =>
      (i: number) =>
        (sink += explainer.shapValues(rows[i], outs[k])[0]),
  ),
]);
line('valuation without explanation', results[0]);
line('**valuation with explanation (per factor, served)**', results[1]);
line("valuation with explanation, 16 stones at a time (valueMany, as the API's valuation threads do)", results[2]);
line('TreeSHAP per factor with the prediction from its own pass (shapValuesAndPrediction)', results[3]);
line('valuation with explanation (per feature, summed into factors)', results[4]);
built.forEach(({ name, explainer, buildMs }, k) => {
  line(`TreeSHAP alone, ${name}`, results[5 + k], [
    explainer.layout,
    `${((explainer.tableEntries * 8) / 2 ** 20).toFixed(1)} MB`,
    `${buildMs.toFixed(0)} ms`,
  ]);
});
const loadAfter = loadavg();

// exactness on the served path: the factor contributions (the trees' and the log-carat trend's) add up to the model's log price
const served = getKind(artifact.kind).load(artifact.model);
const out = new Float64Array(NUM_FACTORS + 1);
let worst = 0;
rows.forEach((row, i) => {
  served.predictAndExplain!(row, out);
  worst = Math.max(worst, Math.abs(out.reduce((s, v) => s + v, 0) - Math.log(valuer.price(test[i]).price)));
});

const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(
  `Valuation benchmark — gbdt, ${ensemble.trees.length} trees (${payload.members.length} boosters), ${trainedIn} on ${train.length} rows; ${test.length} test stones × ${passes} passes; Node ${process.version}, ${cpus().length} cores`,
);
console.log(
  `load average (1, 5, 15 min) before: ${la(loadBefore)}; after: ${la(loadAfter)}; ${new Date().toISOString()}`,
);
console.log('');
console.log('| per stone | CPU µs (median) | wall µs (median) | layout | tables | explainer build |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of table) console.log(r);
console.log('');
console.log(
  `largest |Σ factor contributions + expected value − log price| on the test stones: ${worst.toExponential(1)}`,
);
if (sink === 42) console.log('');
