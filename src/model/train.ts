/**
 * Training a servable model from appraisals: out-of-fold predictions (what the model does on stones it has not
 * seen), a difficulty model and a conformal calibration of price ranges on those unseen rows, the final fit on
 * all rows, and the artifact that carries all of it.
 */
import { createHash } from 'node:crypto';
import type { Appraisal } from '../diamond/index.js';
import { takeRows } from '../engine/matrix.js';
import {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  LOUPE_VERSION,
  TRAINING_RANGE_FIELDS,
  type ModelArtifact,
} from './artifact.js';
import { FEATURE_SPEC, featureColumns, type FeatureColumns } from './features.js';
import { assignFolds, foldIndices } from './folds.js';
import { getKind, DEFAULT_KIND, type FittedModel } from './kinds/index.js';
import { assembleAll, hasFitPlan } from './kinds/fit-plan.js';
import { fitAll, trainThreads } from './parallel-fit.js';
import { priceMetrics, type PriceMetrics } from './metrics.js';
import { calibrateRanges, heldOutMetrics, planRanges, predictLogMany, type CalibratedRanges } from './ranges.js';
import { supportHistogram, type SupportHistogram } from './support.js';
import { trainingDistribution } from './distribution.js';
import { calibrateFourCs, fourCsColumns, measurementFill, planFourCs, type FourCsRanges } from './four-cs.js';

export { calibrateRanges, predictLogMany, type CalibratedRanges };

/**
 * Too few appraisals to train and calibrate a model: the data given falls short, not the code (the command line
 * prints the message alone, src/cli/run.ts). A RangeError still, as it was before it had a name of its own.
 */
export class TooFewAppraisalsError extends RangeError {
  constructor(
    readonly needed: number,
    readonly got: number,
  ) {
    super(`need at least ${needed} valid appraisals to train and calibrate, got ${got}`);
    this.name = 'TooFewAppraisalsError';
  }
}

export interface TrainOptions {
  /** Model kind (see kinds/index.ts). */
  kind?: string;
  /** Parameters of the kind, over its defaults. */
  params?: Record<string, unknown>;
  /** Fixes every random choice: the same rows and seed give the same artifact, byte for byte. */
  seed?: number;
  /** Coverages to calibrate ranges for; the first is the default one served. */
  coverages?: number[];
  /** Folds of the out-of-fold predictions behind calibration and metrics. */
  folds?: number;
  /** Trees of the ranges' difficulty model (default DEFAULT_DIFFICULTY_TREES, ranges.ts). */
  difficultyTrees?: number;
  /** Called as each stage starts, for progress output. */
  onStage?(stage: string): void;
}

export const DEFAULT_COVERAGES = [0.9, 0.8, 0.95];

/** SHA-256 of the training rows in order, over the ten appraisal fields: names exactly the data a model learned from. */
export function trainingDataHash(rows: readonly Appraisal[]): string {
  const h = createHash('sha256');
  for (const r of rows)
    h.update(`${r.carat},${r.cut},${r.color},${r.clarity},${r.depth},${r.table},${r.price},${r.x},${r.y},${r.z}\n`);
  return h.digest('hex');
}

function select(values: Float64Array, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = values[idx[i]];
  return out;
}

function fieldRanges(rows: readonly Appraisal[]): ModelArtifact['trainingData']['ranges'] {
  const ranges: ModelArtifact['trainingData']['ranges'] = {};
  for (const f of TRAINING_RANGE_FIELDS) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of rows) {
      if (r[f] < lo) lo = r[f];
      if (r[f] > hi) hi = r[f];
    }
    ranges[f] = [lo, hi];
  }
  return ranges;
}

/** What every training shares before any fit: data, folds, and the settings resolved. */
interface TrainingSetup {
  kind: ReturnType<typeof getKind>;
  params: Record<string, unknown>;
  seed: number;
  coverages: number[];
  difficultyTrees: number | undefined;
  k: number;
  rows: readonly Appraisal[];
  X: FeatureColumns;
  y: Float64Array;
  fold: Uint8Array;
}

function setUp(rows: readonly Appraisal[], options: TrainOptions): TrainingSetup {
  const kind = getKind(options.kind ?? DEFAULT_KIND);
  const params = { ...kind.defaultParams, ...(options.params ?? {}) };
  const seed = options.seed ?? 42;
  const coverages = options.coverages ?? DEFAULT_COVERAGES;
  const k = options.folds ?? 5;
  const n = rows.length;
  if (n < 10 * k) throw new TooFewAppraisalsError(10 * k, n);
  const X = featureColumns(rows);
  const y = Float64Array.from(rows, (r) => Math.log(r.price));
  const difficultyTrees = options.difficultyTrees;
  if (difficultyTrees !== undefined && !(Number.isInteger(difficultyTrees) && difficultyTrees >= 1))
    throw new RangeError(`difficultyTrees must be a whole number >= 1, got ${difficultyTrees}`);
  return { kind, params, seed, coverages, difficultyTrees, k, rows, X, y, fold: assignFolds(n, k, seed) };
}

/** The price model fits a training needs: one per fold (on the other folds' rows), then the final one on all rows. */
function fitSpecs(s: TrainingSetup): { X: FeatureColumns; y: Float64Array; seed: number }[] {
  const specs: { X: FeatureColumns; y: Float64Array; seed: number }[] = [];
  for (let f = 0; f < s.k; f++) {
    const { train } = foldIndices(s.fold, f);
    specs.push({ X: takeRows(s.X, train), y: select(s.y, train), seed: s.seed + 1 + f });
  }
  specs.push({ X: s.X, y: s.y, seed: s.seed });
  return specs;
}

function outOfFold(s: TrainingSetup, foldModels: readonly FittedModel[], X: FeatureColumns = s.X): Float64Array {
  const oof = new Float64Array(s.rows.length);
  for (let f = 0; f < s.k; f++) {
    const { test } = foldIndices(s.fold, f);
    const pred = predictLogMany(foldModels[f], takeRows(X, test));
    for (let i = 0; i < test.length; i++) oof[test[i]] = pred[i];
  }
  return oof;
}

/** The 4Cs-only ranges (four-cs.ts): the fold models' predictions of the rows with typical measurements, calibrated. */
function fourCsRanges(s: TrainingSetup, foldModels: readonly FittedModel[], support: SupportHistogram): FourCsRanges {
  const fill = measurementFill(s.rows);
  const X = fourCsColumns(s.rows, fill);
  const oof = outOfFold(s, foldModels, X);
  return calibrateFourCs(s.rows, fill, X, oof, s.fold, s.seed, s.coverages, support, s.difficultyTrees);
}

/** Trains on this thread. trainModelAsync gives the same artifact, byte for byte, using more cores. */
export function trainModel(rows: readonly Appraisal[], options: TrainOptions = {}): ModelArtifact {
  const s = setUp(rows, options);
  const specs = fitSpecs(s);

  options.onStage?.('out-of-fold predictions');
  const foldModels = specs.slice(0, s.k).map((f) => s.kind.fit(f.X, f.y, s.params, { seed: f.seed }));
  const oof = outOfFold(s, foldModels);

  options.onStage?.('difficulty and calibration');
  const support = supportHistogram(rows);
  const ranges = calibrateRanges(s.X, s.y, oof, s.fold, s.seed, s.coverages, rows, support, s.difficultyTrees);
  const fourCs = fourCsRanges(s, foldModels, support);

  options.onStage?.('final fit');
  const final = specs[s.k];
  const model = s.kind.fit(final.X, final.y, s.params, { seed: final.seed });
  return assembleArtifact({
    kind: s.kind.name,
    params: s.params,
    seed: s.seed,
    rows,
    model,
    ranges,
    heldOut: oof,
    fourCs,
  });
}

/** The cross-validation part of a training: the fold models and their out-of-fold predictions. */
export interface FoldFits {
  readonly setup: TrainingSetup;
  readonly foldModels: readonly FittedModel[];
  /** Out-of-fold log-price predictions of the rows. */
  readonly oof: Float64Array;
  /** Out-of-fold accuracy: what tuning compares (the artifact's metrics.outOfFold has the same MAE and MAPE). */
  readonly metrics: PriceMetrics;
}

function crossValidation(setup: TrainingSetup, foldModels: readonly FittedModel[]): FoldFits {
  const oof = outOfFold(setup, foldModels);
  const prices = Float64Array.from(setup.rows, (r) => r.price);
  return { setup, foldModels, oof, metrics: priceMetrics(prices, Float64Array.from(oof, Math.exp)) };
}

/**
 * The fold fits of several trainings on the same rows (tuning's trials), all at once on `threads` threads: no
 * final fit and no range calibration, which only the chosen one needs (finishTraining). Kinds without a fit plan,
 * or one thread, fit here one after another.
 */
export async function crossValidateMany(
  rows: readonly Appraisal[],
  optionsList: readonly TrainOptions[],
  threads = trainThreads(),
): Promise<FoldFits[]> {
  const setups = optionsList.map((o) => setUp(rows, o));
  const planned = setups.map((s) => {
    const kind = s.kind;
    if (threads <= 1 || !hasFitPlan(kind)) return undefined;
    return fitSpecs(s)
      .slice(0, s.k)
      .map((f) => kind.fitPlan(f.X, f.y, s.params, { seed: f.seed }));
  });
  const allPlans = planned.flatMap((plans) => plans ?? []);
  const jobs = allPlans.flatMap((p) => p.jobs);
  const models = assembleAll(allPlans, jobs.length > 0 ? await fitAll(jobs, threads) : []);
  let next = 0;
  return setups.map((s, i) => {
    if (planned[i]) {
      next += s.k;
      return crossValidation(s, models.slice(next - s.k, next));
    }
    const specs = fitSpecs(s).slice(0, s.k);
    return crossValidation(
      s,
      specs.map((f) => s.kind.fit(f.X, f.y, s.params, { seed: f.seed })),
    );
  });
}

/**
 * The artifact of a cross-validated training: the final fit on all rows and both range calibrations (with and
 * without measurements), whose difficulty fits are independent of the final fit, so all of them run at once on
 * `threads` threads. Byte for byte trainModel's artifact with the same rows and options.
 */
export async function finishTraining(cv: FoldFits, threads = trainThreads()): Promise<ModelArtifact> {
  const s = cv.setup;
  const kind = s.kind;
  const support = supportHistogram(s.rows);
  const ranges = planRanges(s.X, s.y, cv.oof, s.fold, s.seed, s.coverages, s.rows, support, s.difficultyTrees);
  const fill = measurementFill(s.rows);
  const X4 = fourCsColumns(s.rows, fill);
  const oof4 = outOfFold(s, cv.foldModels, X4);
  const fourCs = planFourCs(s.rows, fill, X4, oof4, s.fold, s.seed, s.coverages, support, s.difficultyTrees);
  const final = fitSpecs(s)[s.k];
  const finalPlan =
    hasFitPlan(kind) && threads > 1 ? kind.fitPlan(final.X, final.y, s.params, { seed: final.seed }) : undefined;
  const jobs = [...(finalPlan?.jobs ?? []), ...ranges.jobs, ...fourCs.jobs];
  const fitted = await fitAll(jobs, threads);
  const nFinal = finalPlan?.jobs.length ?? 0;
  const nRanges = ranges.jobs.length;
  const model = finalPlan
    ? finalPlan.assemble(fitted.slice(0, nFinal))
    : kind.fit(final.X, final.y, s.params, { seed: final.seed });
  return assembleArtifact({
    kind: kind.name,
    params: s.params,
    seed: s.seed,
    rows: s.rows,
    model,
    ranges: ranges.finish(fitted.slice(nFinal, nFinal + nRanges)),
    heldOut: cv.oof,
    fourCs: fourCs.finish(fitted.slice(nFinal + nRanges)),
  });
}

/**
 * trainModel on several threads (parallel-fit.ts): the fold fits run at once, then the final fit and the range
 * calibrations' difficulty fits at once; a kind with a fit plan (gbdt: one engine fit per booster) splits
 * further. Every engine fit is a pure function of its inputs, so the artifact is byte for byte trainModel's.
 * `threads` defaults to LOUPE_TRAIN_THREADS or min(cores, 2); 1, a kind without a fit plan, or a runtime without
 * worker threads trains on this thread.
 */
export async function trainModelAsync(
  rows: readonly Appraisal[],
  options: TrainOptions & { threads?: number } = {},
): Promise<ModelArtifact> {
  const threads = options.threads ?? trainThreads();
  if (threads <= 1 || !hasFitPlan(getKind(options.kind ?? DEFAULT_KIND))) return trainModel(rows, options);
  options.onStage?.(`fold fits (${threads} threads)`);
  const [cv] = await crossValidateMany(rows, [options], threads);
  options.onStage?.(`final fit, difficulty and calibration (${threads} threads)`);
  return finishTraining(cv, threads);
}

/** The artifact of a fitted model: `rows` are the rows behind its metrics and ranges, `heldOut` its predictions on them from models that did not see them. */
export function assembleArtifact(parts: {
  kind: string;
  params: Record<string, unknown>;
  seed: number;
  rows: readonly Appraisal[];
  model: FittedModel;
  ranges: CalibratedRanges;
  heldOut: Float64Array;
  fourCs: FourCsRanges;
}): ModelArtifact {
  const { rows, ranges, heldOut } = parts;
  return {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    loupeVersion: LOUPE_VERSION,
    kind: parts.kind,
    params: parts.params,
    seed: parts.seed,
    featureSpec: { version: FEATURE_SPEC.version, names: [...FEATURE_SPEC.names] },
    trainingData: {
      sha256: trainingDataHash(rows),
      rows: rows.length,
      ranges: fieldRanges(rows),
      support: supportHistogram(rows),
      distribution: trainingDistribution(rows),
    },
    model: parts.model.payload(),
    difficulty: ranges.difficulty,
    segmentScales: ranges.segments,
    calibration: ranges.calibration,
    fourCs: parts.fourCs,
    metrics: {
      outOfFold: heldOutMetrics(
        Float64Array.from(rows, (r) => r.price),
        heldOut,
        ranges,
      ),
    },
  };
}
