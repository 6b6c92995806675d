/**
 * Measuring a model kind the way the published solutions did: on the reference split (train on the other rows,
 * score on the fixed test rows) and by shuffled K-fold cross-validation, with the ranges' coverage beside.
 */
import type { Appraisal } from '../diamond/index.js';
import { assignFolds, foldIndices } from './folds.js';
import { priceMetrics, rangeMetrics, type PriceMetrics, type RangeMetrics } from './metrics.js';
import { coverageBySegment, type SegmentCoverage } from './segments.js';
import type { SupportLevel } from './support.js';
import { trainModel, type TrainOptions } from './train.js';
import { createValuer, type LoadedModel } from './valuer.js';
import { fourCsOf } from './four-cs.js';
import { accuracyBySegment, type SegmentAccuracy } from './segment-accuracy.js';

export interface Evaluation extends PriceMetrics {
  range: RangeMetrics;
}

/** The prices and range bounds (NaN: no range) a model gives `rows`; `fourCsOnly` values them from their 4Cs alone. */
function priceAll(model: LoadedModel, rows: readonly Appraisal[], fourCsOnly = false) {
  const price = new Float64Array(rows.length);
  const low = new Float64Array(rows.length);
  const high = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    const p = model.price(fourCsOnly ? fourCsOf(r) : r);
    price[i] = p.price;
    low[i] = p.range?.low ?? Number.NaN;
    high[i] = p.range?.high ?? Number.NaN;
  });
  return { actual: Float64Array.from(rows, (r) => r.price), price, low, high };
}

/** Scores a loaded model on appraisals it did not learn from; `fourCsOnly` values them from their 4Cs alone. */
export function evaluateModel(
  model: LoadedModel,
  rows: readonly Appraisal[],
  options: { fourCsOnly?: boolean } = {},
): Evaluation {
  const { actual, price, low, high } = priceAll(model, rows, options.fourCsOnly);
  return { ...priceMetrics(actual, price), range: rangeMetrics(actual, low, high, model.coverage) };
}

/** evaluateModel, and the same figures per carat band and grade (segment-accuracy.ts), from one pricing pass. */
export function evaluateWithSegments(
  model: LoadedModel,
  rows: readonly Appraisal[],
): { evaluation: Evaluation; segments: SegmentAccuracy[] } {
  const { actual, price, low, high } = priceAll(model, rows);
  return {
    evaluation: { ...priceMetrics(actual, price), range: rangeMetrics(actual, low, high, model.coverage) },
    segments: accuracyBySegment(rows, price, low, high),
  };
}

/** Trains on `train`, scores on `test`. */
export function evaluateSplit(
  train: readonly Appraisal[],
  test: readonly Appraisal[],
  options: TrainOptions = {},
): Evaluation {
  const model = createValuer(trainModel(train, options), 'evaluation');
  return evaluateModel(model, test);
}

export interface CrossValidation {
  folds: Evaluation[];
  /** Metrics over all out-of-fold predictions pooled. */
  pooled: Evaluation;
}

/** Shuffled K-fold cross-validation (seeded); each fold's model is trained, tuned and calibrated on its own training rows only. */
export function crossValidate(
  rows: readonly Appraisal[],
  options: TrainOptions & { cvFolds?: number; cvSeed?: number } = {},
): CrossValidation {
  const k = options.cvFolds ?? 5;
  const fold = assignFolds(rows.length, k, options.cvSeed ?? 42);
  const actual = Float64Array.from(rows, (r) => r.price);
  const price = new Float64Array(rows.length);
  const low = new Float64Array(rows.length);
  const high = new Float64Array(rows.length);
  const folds: Evaluation[] = [];
  let coverage = 0.9;
  for (let f = 0; f < k; f++) {
    const { train, test } = foldIndices(fold, f);
    const model = createValuer(
      trainModel(
        Array.from(train, (i) => rows[i]),
        options,
      ),
      'cv',
    );
    coverage = model.coverage;
    const testRows = Array.from(test, (i) => rows[i]);
    folds.push(evaluateModel(model, testRows));
    test.forEach((i) => {
      const p = model.price(rows[i]);
      price[i] = p.price;
      low[i] = p.range?.low ?? Number.NaN;
      high[i] = p.range?.high ?? Number.NaN;
    });
  }
  return { folds, pooled: { ...priceMetrics(actual, price), range: rangeMetrics(actual, low, high, coverage) } };
}

/** Coverage by segment of one way of valuing the stones: on the reference split, and out of fold inside it. */
export interface SegmentCoverageTables {
  split: SegmentCoverage[];
  cv: SegmentCoverage[];
  /** Stones given no range (left out of coverage). */
  withheld: { split: number; cv: number };
}

/**
 * Coverage of the default ranges by segment (carat band, cut, colour, clarity, support): on `test` after training
 * on `train` (the reference split), and by K-fold cross-validation inside `train` (each fold trained and calibrated
 * on its other folds only); for the stones with their measurements, and the same stones valued from their 4Cs
 * alone (`fourCs`, by the same models). Stones given no range are left out of coverage and counted apart.
 * `splitModel`: the model already trained on `train` with these options, when the caller has it (a notebook that
 * has just trained it), so it is not trained a second time.
 */
export function rangesBySegment(
  train: readonly Appraisal[],
  test: readonly Appraisal[],
  options: TrainOptions & { cvFolds?: number; cvSeed?: number; splitModel?: LoadedModel } = {},
): SegmentCoverageTables & { fourCs: SegmentCoverageTables } {
  type Priced = ReturnType<LoadedModel['price']>;
  const both = (model: LoadedModel, r: Appraisal): [Priced, Priced] => [model.price(r), model.price(fourCsOf(r))];
  const splitModel = options.splitModel ?? createValuer(trainModel(train, options), 'split');
  const split = test.map((r) => both(splitModel, r));
  const k = options.cvFolds ?? 5;
  const fold = assignFolds(train.length, k, options.cvSeed ?? 42);
  const cv = new Array<[Priced, Priced]>(train.length);
  for (let f = 0; f < k; f++) {
    const { train: inner, test: outer } = foldIndices(fold, f);
    const model = createValuer(
      trainModel(
        Array.from(inner, (i) => train[i]),
        options,
      ),
      'cv',
    );
    for (const i of outer) cv[i] = both(model, train[i]);
  }
  const table = (rows: readonly Appraisal[], priced: readonly Priced[]) =>
    coverageBySegment(
      rows,
      priced.map((p) => p.range),
      priced.map((p): SupportLevel => p.support.level),
    );
  const tables = (which: 0 | 1): SegmentCoverageTables => {
    const s = split.map((p) => p[which]);
    const c = cv.map((p) => p[which]);
    return {
      split: table(test, s),
      cv: table(train, c),
      withheld: { split: s.filter((p) => !p.range).length, cv: c.filter((p) => !p.range).length },
    };
  };
  return { ...tables(0), fourCs: tables(1) };
}
