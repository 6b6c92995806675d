/**
 * The findings of the model notebook (notebooks/02-model) that choose their words from the numbers: which model
 * did better, whether the tuner kept its defaults, whether a change is beyond the noise. Each takes the computed
 * figures and returns the sentences, so the cells read as analysis and the wording is tested
 * (test/report/findings-model.test.ts). Percentages are given in percent (6.67 for 6.67%), shares of stones as
 * intervals of proportions (0.9 for 90%).
 */
import type { Interval } from './intervals.js';
import { between, counted, direction, listAnd, signed, withInterval } from './prose.js';

/** Dollars to the dollar, with a real minus sign: "$1,234", "−$130". */
export const dollars = (v: number): string => `${v < 0 ? '−' : ''}$${Math.round(Math.abs(v)).toLocaleString('en-US')}`;
/** A change in dollars with its sign: "+$130", "−$130". */
export const dollarChange = (v: number): string => `${v >= 0 ? '+' : '−'}${dollars(Math.abs(v))}`;
/** A value already in percent: pct(6.672, 2) is "6.67%". */
export const pct = (v: number, digits = 1): string => `${v.toFixed(digits)}%`;
const count = (v: number): string => v.toLocaleString('en-US');
const points = (v: number): string => signed(v, 2);

export interface Score {
  mae: number;
  mape: number;
}

/** Line N of the reference file, left out of the notebook as ingestion leaves it out (a duplicate). */
export function duplicateLeftOut(line: number, message: string, wasTestRow: boolean): string {
  return `Line ${line} is left out as ingestion leaves it out — ${message} It was ${wasTestRow ? 'a test row: scoring it would score a stone the model had learned' : 'a training row'}.`;
}

/** §2: the hedonic baseline against gradient boosting, on the split and in CV, beside the published anchors. */
export function accuracyFinding(f: {
  hedonic: Score;
  gbdt: Score;
  published: Score;
  cv: Score;
  publishedCv: Score;
  foldMae: readonly number[];
}): string {
  return (
    `**Finding.** The hedonic baseline misses by ${dollars(f.hedonic.mae)} on average (MAPE ${pct(f.hedonic.mape, 2)}); gradient boosting ${f.gbdt.mae < f.hedonic.mae ? 'cuts that to' : 'does no better, with'} ${dollars(f.gbdt.mae)} (MAPE ${pct(f.gbdt.mape, 2)}) on the same test rows, ` +
    `against ${dollars(f.published.mae)} and ${pct(f.published.mape, 2)} published for tuned XGBoost. ` +
    `In ${f.foldMae.length}-fold cross-validation it scores ${dollars(f.cv.mae)} and ${pct(f.cv.mape, 2)} (published: ${dollars(f.publishedCv.mae)}, ${pct(f.publishedCv.mape, 2)}); the ${f.foldMae.length === 5 ? 'five' : count(f.foldMae.length)} folds range from ${dollars(Math.min(...f.foldMae))} to ${dollars(Math.max(...f.foldMae))}, ` +
    `so differences of a few dollars between models are within the noise of which stones land in the test set. ` +
    `Where the hedonic model falls short, and why, is in the next section.`
  );
}

export interface TuningFigures {
  /** Trials run, and trials asked for. */
  trials: number;
  planned: number;
  folds: number;
  trainingRows: number;
  testRows: number;
  /** The least gain in CV MAE a candidate needs to replace the defaults (0.01 for 1%). */
  minImprovement: number;
  defaults: Score;
  /** The trial with the lowest CV MAE and the one the tuner chose, each with the parameters that differ from the defaults. */
  lowest: Score & { changes: string; isDefaults: boolean };
  chosen: Score & { changes: string; isDefaults: boolean };
  /** On the split: the tuned model, the defaults, the published anchor. */
  tunedSplit: Score;
  defaultSplit: Score;
  published: Score;
}

/** §3: what the tuner tried and chose, read correctly (its own choice, not the lowest draw). */
export function tuningFinding(t: TuningFigures): string {
  const gain = pct(t.minImprovement * 100, 0);
  const choice = t.lowest.isDefaults
    ? `None beat the defaults (CV MAE ${dollars(t.defaults.mae)}), so the defaults were kept. `
    : t.chosen.isDefaults
      ? `The lowest CV MAE (${t.lowest.changes}: ${dollars(t.lowest.mae)}) is ${pct((1 - t.lowest.mae / t.defaults.mae) * 100, 1)} below the defaults' ${dollars(t.defaults.mae)}, less than the ${gain} a candidate must gain to replace them (smaller differences are within what the choice of folds moves), so the tuner kept the defaults. `
      : `The winner (${t.chosen.changes}) cross-validates at ${dollars(t.chosen.mae)} against ${dollars(t.defaults.mae)} for the defaults, more than the ${gain} a candidate must gain. `;
  const split = t.chosen.isDefaults
    ? `So the tuned model is the default one, and scores the same on the ${count(t.testRows)} test rows: ${dollars(t.tunedSplit.mae)} (MAPE ${pct(t.tunedSplit.mape, 2)}) against ${dollars(t.published.mae)} (${pct(t.published.mape, 2)}) published for tuned XGBoost. `
    : `Scored once on the ${count(t.testRows)} test rows, the tuned model misses by ${dollars(t.tunedSplit.mae)} (MAPE ${pct(t.tunedSplit.mape, 2)}) against ${dollars(t.defaultSplit.mae)} (${pct(t.defaultSplit.mape, 2)}) with the defaults and ${dollars(t.published.mae)} (${pct(t.published.mape, 2)}) published for tuned XGBoost. `;
  const asked = t.trials === t.planned ? `all ${t.planned} asked` : `${t.trials} of the ${t.planned} asked`;
  return (
    `**Finding.** The tuner tried ${counted(t.trials, 'parameter set')} (${asked}; no time limit, so the search is the same on any machine), each scored by ${t.folds}-fold cross-validation on the ${count(t.trainingRows)} training rows. ` +
    choice +
    split +
    `The test rows never took part in the choice: every candidate was judged on the training rows alone.`
  );
}

export interface TriedRow {
  /** The approach, as the sentence names it. */
  name: string;
  /** Paired MAPE change against the shipped configuration, points. */
  change: Interval;
}

const VERDICT = { lower: 'better', higher: 'worse', 'within the noise': 'within the noise' } as const;

/** §3, tried and dropped: each approach against the shipped configuration, and what the benchmark's table says. */
export function droppedFinding(f: {
  shippedMape: number;
  bag: TriedRow & { boosters: number };
  dollarTrees: TriedRow;
  noTrend: TriedRow;
  benchmark: { candidates: number; bestMae: number; defaultMae: number };
}): string {
  const rows = [f.bag, f.dollarTrees, f.noTrend];
  const worst = rows.reduce((a, b) => (b.change.estimate > a.change.estimate ? b : a));
  return (
    `**Finding.** Against the shipped configuration (${pct(f.shippedMape, 2)} in this CV): ` +
    `${rows.map((r) => `${r.name}, ${points(r.change.estimate)} points (${between(r.change, points)}), ${VERDICT[direction(r.change)]}`).join('; ')}. ` +
    (worst === f.dollarTrees
      ? `Learning the log price matters most: fitted to dollars, the trees spend themselves on the expensive stones, and the cheap ones pay in percent. `
      : '') +
    `Seed averaging gains ${points(f.bag.change.estimate)} points for ${f.bag.boosters}× the trees to fit, explain and serve, so it stays an option (\`bag\`), not the default. ` +
    `In the model-selection benchmark's ${f.benchmark.candidates} candidates the best mean CV MAE is $${f.benchmark.bestMae} and the default's $${f.benchmark.defaultMae}: the rule stated there took the cheapest to explain (fewest leaves) among the near-best.`
  );
}

/** §4: why trees and not the hedonic model, as the split's scores say it. */
export function whyTrees(gbdtMape: number, hedonicMape: number): string {
  return gbdtMape < hedonicMape
    ? 'That is why a hedonic model is not enough: one smooth curve in weight plus a fixed premium per grade cannot follow the price where it bends, while trees fit the price segment by segment from the data — and still keep the grades in order through the monotone constraints.'
    : 'Here the hedonic model holds its own: the gradient-boosting settings need a look.';
}

export interface BatchScore {
  mae: Interval;
  mape: Interval;
  signed: Interval;
  coverage: Interval;
}

/** The new expert's batches scored by the reference model, then added to training. */
export function batchesFinding(f: {
  batchStones: number;
  pooled: BatchScore;
  reference: BatchScore;
  /** Clarity grades whose signed error's interval excludes zero. */
  offGrades: readonly { clarity: string; signed: Interval; stones: number }[];
  withBatches: { mae: number; mape: number };
  mapeChange: Interval;
}): string {
  const signedPct = (v: number) => signed(v, 1, '%');
  const { pooled, mapeChange } = f;
  return (
    `**Finding.** On the ${count(f.batchStones)} stones of the new expert's batches the reference model misses by ${dollars(pooled.mae.estimate)} on average (MAPE ${pct(pooled.mape.estimate, 2)}, 95% interval ${pct(pooled.mape.low, 2)}–${pct(pooled.mape.high, 2)}), against ${dollars(f.reference.mae.estimate)} (${pct(f.reference.mape.estimate, 2)}) on the reference test rows; ` +
    `its signed error on the batches is ${signedPct(pooled.signed.estimate)} (${signedPct(pooled.signed.low)} to ${signedPct(pooled.signed.high)}), and its 90% range holds the new expert's price for ${pct(pooled.coverage.estimate * 100)} of them (${pct(pooled.coverage.low * 100)}–${pct(pooled.coverage.high * 100)}). ` +
    `By clarity, ${f.offGrades.length === 0 ? 'no grade has a signed error whose interval excludes zero' : `the signed error's interval excludes zero for ${listAnd(f.offGrades.map((r) => `${r.clarity} (${signedPct(r.signed.estimate)}, ${count(r.stones)} stones)`))}`}. ` +
    `Trained with the batches (${count(f.batchStones)} more rows), the model scores ${dollars(f.withBatches.mae)} and ${pct(f.withBatches.mape, 2)} on the same test rows; the paired change in MAPE is ${signed(mapeChange.estimate, 2)} points (95% interval ${signed(mapeChange.low, 2)} to ${signed(mapeChange.high, 2)}). ` +
    `${mapeChange.high < 0 ? 'More appraisals help, measurably.' : "Within the noise: more appraisals of the same kind of stones barely move the error, so the floor is the appraisals' own spread, not the amount of data."} Each batch also keeps checking the new expert against the model.`
  );
}

/** The learning curve: what each doubling and each batch bought, the fit's own noise, and the appraisals' floor. */
export function learningCurveFinding(f: {
  /** Paired changes from 500 to 1,000, 1,000 to 2,000 and 2,000 to all reference rows. */
  doublings: readonly [Interval, Interval, Interval];
  trainingRows: number;
  batchSteps: readonly { name: string; change: Interval }[];
  /** MAPE of all reference rows fitted with the curve's seed and with another one. */
  allRows: number;
  reseeded: number;
  twinPairs: number;
  twinGap: number;
  appraisalNoise: number;
  modelMedianError: number;
}): string {
  const [toThousand, toTwoThousand, toAll] = f.doublings;
  const seedGap = f.reseeded - f.allRows;
  const smallestBatch = Math.min(...f.batchSteps.map((b) => Math.abs(b.change.estimate)));
  return (
    `**Finding.** MAPE on the test stones falls by ${(-toThousand.estimate).toFixed(2)} points from 500 to 1,000 reference rows, ${(-toTwoThousand.estimate).toFixed(2)} from 1,000 to 2,000, and ${(-toAll.estimate).toFixed(2)} from 2,000 to all ${count(f.trainingRows)}: each doubling buys less. ` +
    `Adding the new expert's batches one by one then changes it by (points) ${f.batchSteps.map((b) => `${b.name}: ${withInterval(b.change, points)}, ${direction(b.change)}`).join('; ')}. ` +
    `These intervals count only which stones are in the test set; the fit itself also varies: the same ${count(f.trainingRows)} rows fitted with another seed score ${pct(f.reseeded, 2)} against ${pct(f.allRows, 2)}, ${points(seedGap)} points from the seed alone, ${Math.abs(seedGap) >= smallestBatch ? "as large as a batch's change" : "smaller than each batch's change"}. ` +
    `The floor is the appraisals' own spread: ${counted(f.twinPairs, 'pair')} of near-twin training stones (same carat and grades, depth and table within 1 point) differ in price by a median of ${pct(f.twinGap)}, ` +
    `about ${pct(f.appraisalNoise)} of noise per appraisal if each carries its own, against the model's median error of ${pct(f.modelMedianError)} on the test stones (both in log terms). ` +
    `More stones like these cannot take the error much below that noise; what a month of the new expert's work buys is support for the rarer stones (heavy ones, extreme grades) and a running check that the two experts agree.`
  );
}
