/**
 * How the default gbdt configuration was chosen: 5-fold cross-validation inside the reference split's training
 * rows only (the 998 test rows are never read), repeated with three fold seeds, for a list of candidate
 * configurations. Printed beside each: the number of leaves, which is what an exact explanation's cost grows with.
 *
 *   npx tsx bench/model-selection.ts            (about 3 minutes)
 *
 * Each candidate is one gbdt fit per fold on Loupe's features and log price, scored on the fold's rows in dollars.
 * The rule for the default: the lowest mean MAE, except that a candidate within $1 of it with fewer leaves (a
 * cheaper explanation) is preferred, since $1 is inside the spread between fold seeds. Writes the table to
 * bench/results/model-selection.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readReferenceSplitRows } from '../src/ingest/index.js';
import { assignFolds, foldIndices } from '../src/model/folds.js';
import { featureColumns, featureRow } from '../src/model/features.js';
import { getKind } from '../src/model/kinds/index.js';
import type { GbdtParams } from '../src/model/kinds/gbdt.js';
import { priceMetrics } from '../src/model/metrics.js';

const dataDir = resolve(process.env.LOUPE_SHARED_DATA ?? '../shared/data');
const { train } = await readReferenceSplitRows(
  join(dataDir, 'diamonds.csv'),
  join(dataDir, 'diamonds.reference-split.txt'),
);
const gbdt = getKind('gbdt');
const defaults = gbdt.defaultParams as GbdtParams;

const NO_TREND = { trend: 'none' } as const;
const CANDIDATES: [string, Partial<GbdtParams>][] = [
  [
    '3 seeds × 1,000 trees, depth 4, rate 0.05, no trend (the first default)',
    { ...NO_TREND, bag: 3, nEstimators: 1000, maxDepth: 4, learningRate: 0.05, lambda: 1 },
  ],
  [
    '600 trees, depth 5, rate 0.04, no trend (the second default)',
    { ...NO_TREND, nEstimators: 600, maxDepth: 5, learningRate: 0.04, lambda: 1 },
  ],
  [
    '3 seeds × 700 trees, depth 5, rate 0.035, no trend',
    { ...NO_TREND, bag: 3, nEstimators: 700, maxDepth: 5, learningRate: 0.035, lambda: 1 },
  ],
  ['log-carat trend + 600 trees, depth 5, rate 0.04', { nEstimators: 600, maxDepth: 5, learningRate: 0.04, lambda: 1 }],
  ['log-carat trend + 400 trees, depth 5, rate 0.04', { nEstimators: 400, maxDepth: 5, learningRate: 0.04, lambda: 1 }],
  [
    'log-carat trend + 400 trees, depth 5, rate 0.04, λ 3',
    { nEstimators: 400, maxDepth: 5, learningRate: 0.04, lambda: 3 },
  ],
  [
    'log-carat trend + 500 trees, depth 5, rate 0.03, λ 3 (the default)',
    { nEstimators: 500, maxDepth: 5, learningRate: 0.03, lambda: 3 },
  ],
  ['log-carat trend + 800 trees, depth 5, rate 0.02', { nEstimators: 800, maxDepth: 5, learningRate: 0.02, lambda: 1 }],
  [
    'log-carat trend + 800 trees, depth 5, rate 0.02, λ 3',
    { nEstimators: 800, maxDepth: 5, learningRate: 0.02, lambda: 3 },
  ],
  [
    'log-carat trend + 400 trees, depth 6, rate 0.03, λ 3',
    { nEstimators: 400, maxDepth: 6, learningRate: 0.03, lambda: 3 },
  ],
  ['log-carat trend + 600 trees, depth 4, rate 0.05', { nEstimators: 600, maxDepth: 4, learningRate: 0.05, lambda: 1 }],
  [
    'log-carat trend + 3 seeds × 400 trees, depth 5, rate 0.04, λ 3',
    { bag: 3, nEstimators: 400, maxDepth: 5, learningRate: 0.04, lambda: 3 },
  ],
];
const FOLD_SEEDS = [42, 7, 11];

const actual = Float64Array.from(train, (r) => r.price);
const rows: string[] = [];
for (const [name, change] of CANDIDATES) {
  const params = { ...defaults, ...change };
  const maes: number[] = [];
  const mapes: number[] = [];
  let leaves = 0;
  for (const seed of FOLD_SEEDS) {
    const fold = assignFolds(train.length, 5, seed);
    const predicted = new Float64Array(train.length);
    for (let f = 0; f < 5; f++) {
      const { train: fit, test } = foldIndices(fold, f);
      const fitRows = Array.from(fit, (i) => train[i]);
      const model = gbdt.fit(
        featureColumns(fitRows),
        Float64Array.from(fitRows, (r) => Math.log(r.price)),
        params,
        { seed },
      );
      for (const i of test) predicted[i] = Math.exp(model.predictLog(featureRow(train[i])));
      if (seed === FOLD_SEEDS[0] && f === 0) leaves = countLeaves(model.payload());
    }
    const m = priceMetrics(actual, predicted);
    maes.push(m.mae);
    mapes.push(m.mape);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  rows.push(
    `| ${name} | ${maes.map((v) => `$${v.toFixed(1)}`).join(' / ')} | $${mean(maes).toFixed(1)} | ${mean(mapes).toFixed(2)}% | ${leaves.toLocaleString('en-US')} |`,
  );
  process.stderr.write(`  ${name}: done\n`);
}

/** Leaves of a gbdt payload (every booster's trees): an engine tree marks a leaf with feature −1. */
function countLeaves(payload: unknown): number {
  const members = (payload as { members: { model: { trees: { feature: number[] }[] } }[] }).members;
  let n = 0;
  for (const m of members) for (const t of m.model.trees) for (const f of t.feature) if (f < 0) n++;
  return n;
}

const table = [
  `Inner 5-fold CV on the ${train.length} training rows of the reference split (fold seeds ${FOLD_SEEDS.join(', ')}); test rows unread`,
  '',
  '| candidate | MAE per fold seed | mean MAE | mean MAPE | leaves |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
].join('\n');
console.log(table);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/model-selection.md', `${table}\n`);
