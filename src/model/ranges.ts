/**
 * Adaptive price ranges: log price ± q·σ(x)·s(x), where σ(x) is the difficulty model's estimate of how surely
 * stones like this one are priced (shallow boosted trees on log |out-of-fold residual|, DIFFICULTY_PARAMS), s(x) the product of the stone's segment scales (segments.ts: carat band, cut,
 * colour, clarity, support) and q the split-conformal quantile (engine/conformal.ts) of |residual| / (σ·s) on rows
 * the model did not learn from. The range is symmetric in log price, so in dollars it is multiplicative.
 */
import type { Appraisal } from '../diamond/index.js';
import { calibrate, type Calibration } from '../engine/conformal.js';
import { fit, type BoostedModel } from '../engine/index.js';
import { takeRows } from '../engine/matrix.js';
import type { ModelArtifact } from './artifact.js';
import { rowOf, type FeatureColumns } from './features.js';
import { foldIndices } from './folds.js';
import { priceMetrics, rangeMetrics, type PriceMetrics, type RangeMetrics } from './metrics.js';
import { gbdt, type GbdtParams } from './kinds/gbdt.js';
import { assembleAll, type EngineFitJob, type FitPlan } from './kinds/fit-plan.js';
import type { FittedModel } from './kinds/index.js';
import { fitSegmentScales, segmentScale, segmentsOf, type SegmentScales } from './segments.js';
import { comparableStones, supportOf, type SupportHistogram } from './support.js';

/**
 * The difficulty model: 300 boosted trees of depth 2 (pairs of characteristics, e.g. colour within a carat band)
 * on log |out-of-fold residual|, unconstrained, heavily regularised (λ 10, at least 20 rows per leaf) since the
 * target is mostly noise. Measured against the hedonic difficulty model it replaced (2026-12-05, README "Ranges by
 * segment"): in CV inside the training rows no segment of ≥ 100 stones outside 87–93% (with measurements or from
 * the 4Cs alone; the hedonic one left IF from the 4Cs at 93.5%), at a narrower median width (26.2% against 27.1%).
 */
export const DIFFICULTY_PARAMS: GbdtParams = {
  ...gbdt.defaultParams,
  nEstimators: 300,
  maxDepth: 2,
  learningRate: 0.05,
  lambda: 10,
  minChildWeight: 20,
  monotone: false,
  trend: 'none',
};

/**
 * The difficulty model's trees unless a training says otherwise (TrainOptions.difficultyTrees, the pipeline's
 * LOUPE_DIFFICULTY_TREES): the tests whose checks hold for any ranges (a run killed and the next one completing it)
 * train fewer, since these fits are most of a small training's time.
 */
export const DEFAULT_DIFFICULTY_TREES = DIFFICULTY_PARAMS.nEstimators;

/** Added to |residual| before its log, so a perfect out-of-fold guess does not give log 0. */
export const DIFFICULTY_EPSILON = 1e-3;

/**
 * The smallest σ served: half the 5th percentile of σ over the training rows, so no stone gets a range of
 * near-zero width just because the difficulty model extrapolates.
 */
export function difficultyFloor(sigmas: Float64Array): number {
  const sorted = Float64Array.from(sigmas).sort();
  return 0.5 * sorted[Math.floor(0.05 * (sorted.length - 1))];
}

export function predictLogMany(model: FittedModel, X: FeatureColumns): Float64Array {
  const out = new Float64Array(X.rows);
  const row = new Float64Array(X.columns.length);
  for (let i = 0; i < X.rows; i++) out[i] = model.predictLog(rowOf(X, i, row));
  return out;
}

/** What the ranges of a model are made of: the difficulty model, its floor, the segment scales, the calibration, and σ·s of each row. */
export interface CalibratedRanges {
  difficulty: ModelArtifact['difficulty'];
  segments: SegmentScales;
  calibration: Calibration;
  /** Cross-fitted σ of each calibration row, floor applied, times its segment scales. */
  sigma: Float64Array;
}

/** A range calibration taken apart: the difficulty fits it needs (independent engine fits), then the rest. */
export interface RangesPlan {
  /** The cross-fitted difficulty models (one per fold), then the one on all rows. */
  jobs: EngineFitJob[];
  /** The calibrated ranges from the jobs' models, in job order. */
  finish(models: BoostedModel[]): CalibratedRanges;
}

/**
 * Calibrates price ranges from predictions on rows the price model did not learn from (`heldOut`). The difficulty
 * σ(x) is a model of log |held-out residual| (DIFFICULTY_PARAMS): ranges widen where stones like this one are priced less
 * surely. It is itself cross-fitted over `fold`, so the scores calibrated here come from rows that neither the
 * price model nor the difficulty model learned from. A row's support is counted among the other rows (its own
 * stone left out), as a new stone's is among all of them.
 */
export function calibrateRanges(
  X: FeatureColumns,
  y: Float64Array,
  heldOut: Float64Array,
  fold: Uint8Array,
  seed: number,
  coverages: readonly number[],
  stones: readonly Appraisal[],
  support: SupportHistogram,
  difficultyTrees = DEFAULT_DIFFICULTY_TREES,
): CalibratedRanges {
  const plan = planRanges(X, y, heldOut, fold, seed, coverages, stones, support, difficultyTrees);
  return plan.finish(plan.jobs.map((j) => fit(j.X, j.y, j.options).model));
}

/**
 * calibrateRanges as a plan: its difficulty fits are independent of one another, so training runs them on its
 * threads beside its other fits (train.ts); `finish` on their models gives calibrateRanges' result exactly.
 */
export function planRanges(
  X: FeatureColumns,
  y: Float64Array,
  heldOut: Float64Array,
  fold: Uint8Array,
  seed: number,
  coverages: readonly number[],
  stones: readonly Appraisal[],
  support: SupportHistogram,
  difficultyTrees = DEFAULT_DIFFICULTY_TREES,
): RangesPlan {
  const n = X.rows;
  const params = { ...DIFFICULTY_PARAMS, nEstimators: difficultyTrees };
  let k = 0; // folds: the largest fold number + 1 (a loop: spreading 500,000 numbers overflows the call stack)
  for (let i = 0; i < fold.length; i++) if (fold[i] >= k) k = fold[i] + 1;
  const logAbsResidual = Float64Array.from(heldOut, (p, i) => Math.log(Math.abs(y[i] - p) + DIFFICULTY_EPSILON));
  const plans: FitPlan[] = [];
  const tests: ArrayLike<number>[] = [];
  for (let f = 0; f < k; f++) {
    const { train, test } = foldIndices(fold, f);
    const target = Float64Array.from(train, (i) => logAbsResidual[i]);
    plans.push(gbdt.fitPlan(takeRows(X, train), target, params, { seed }));
    tests.push(test);
  }
  plans.push(gbdt.fitPlan(X, logAbsResidual, params, { seed }));
  return {
    jobs: plans.flatMap((p) => p.jobs),
    finish(models: BoostedModel[]): CalibratedRanges {
      const fitted = assembleAll(plans, models);
      const sigma = new Float64Array(n);
      for (let f = 0; f < k; f++) {
        const test = tests[f];
        const pred = predictLogMany(fitted[f], takeRows(X, test));
        for (let i = 0; i < test.length; i++) sigma[test[i]] = Math.exp(pred[i]);
      }
      const difficultyModel = fitted[k];
      const floor = difficultyFloor(Float64Array.from(predictLogMany(difficultyModel, X), Math.exp));
      for (let i = 0; i < n; i++) sigma[i] = Math.max(sigma[i], floor);
      const groups = stones.map((s) => segmentsOf(s, supportOf(comparableStones(support, s) - 1, []).level));
      const absResidual = Float64Array.from(heldOut, (p, i) => Math.abs(y[i] - p));
      const segments = fitSegmentScales(absResidual, sigma, groups, coverages[0]);
      for (let i = 0; i < n; i++) sigma[i] *= segmentScale(segments, groups[i]);
      return {
        difficulty: { kind: gbdt.name, model: difficultyModel.payload(), floor },
        segments,
        calibration: calibrate({ y, yhat: heldOut, sigma }, coverages),
        sigma,
      };
    },
  };
}

/** Accuracy and range honesty of held-out predictions (log price) of `prices`, with the ranges `ranges` gives them. */
export function heldOutMetrics(
  prices: Float64Array,
  heldOut: Float64Array,
  ranges: Pick<CalibratedRanges, 'calibration' | 'sigma'>,
): PriceMetrics & { range: RangeMetrics } {
  const q = ranges.calibration.levels[0].quantile;
  const low = Float64Array.from(heldOut, (p, i) => Math.exp(p - q * ranges.sigma[i]));
  const high = Float64Array.from(heldOut, (p, i) => Math.exp(p + q * ranges.sigma[i]));
  return {
    ...priceMetrics(prices, Float64Array.from(heldOut, Math.exp)),
    range: rangeMetrics(prices, low, high, ranges.calibration.levels[0].coverage),
  };
}
