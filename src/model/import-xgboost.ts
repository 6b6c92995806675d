/**
 * Importing a model trained by XGBoost: its trees are served as they are; Loupe adds what XGBoost does not have —
 * calibrated price ranges. Those are calibrated on appraisals the XGBoost model did not learn from, exactly as
 * for Loupe's own models (cross-fitted difficulty model, split-conformal quantile), and the artifact records
 * those rows' hash and the model's accuracy on them.
 */
import type { Appraisal } from '../diamond/index.js';
import type { ModelArtifact } from './artifact.js';
import { featureColumns, type FeatureColumns } from './features.js';
import { assignFolds } from './folds.js';
import type { FittedModel } from './kinds/index.js';
import { xgboost } from './kinds/xgboost.js';
import { supportHistogram } from './support.js';
import { calibrateFourCs, fourCsColumns, measurementFill, type MeasurementFill } from './four-cs.js';
import { assembleArtifact, calibrateRanges, DEFAULT_COVERAGES, predictLogMany } from './train.js';

export interface ImportOptions {
  seed?: number;
  coverages?: number[];
}

/**
 * @param document XGBoost's JSON model (text or parsed), trained on Loupe's features with log price as target
 * @param calibrationRows appraisals the XGBoost model never saw
 */
export function importXGBoost(
  document: string | object,
  calibrationRows: readonly Appraisal[],
  options: ImportOptions = {},
): ModelArtifact {
  const doc: object = typeof document === 'string' ? (JSON.parse(document) as object) : document;
  const model = xgboost.load(doc);
  const seed = options.seed ?? 42;
  if (calibrationRows.length < 50)
    throw new RangeError(
      `need at least 50 appraisals the model did not learn from to calibrate its ranges, got ${calibrationRows.length}`,
    );
  const X = featureColumns(calibrationRows);
  const fill = measurementFill(calibrationRows);
  const X4 = fourCsColumns(calibrationRows, fill);
  return calibratedXGBoostArtifact({
    model,
    params: { importedFrom: 'xgboost' },
    seed,
    rows: calibrationRows,
    X,
    heldOut: predictLogMany(model, X),
    // 4Cs-only ranges: the same rows with typical measurements (the fill is the rows' own medians)
    fill,
    X4,
    heldOut4: predictLogMany(model, X4),
    fold: assignFolds(X.rows, 5, seed),
    coverages: options.coverages ?? DEFAULT_COVERAGES,
  });
}

/**
 * An XGBoost model's artifact from its log-price predictions on rows it did not learn from (with and without
 * their measurements): both kinds of range calibrated on them, as for Loupe's own models. Shared by importing
 * (held-out rows) and the pipeline's trainer command (out-of-fold predictions, external-training.ts).
 */
export function calibratedXGBoostArtifact(parts: {
  model: FittedModel;
  params: Record<string, unknown>;
  seed: number;
  rows: readonly Appraisal[];
  X: FeatureColumns;
  heldOut: Float64Array;
  fill: MeasurementFill;
  X4: FeatureColumns;
  heldOut4: Float64Array;
  fold: Uint8Array;
  coverages: number[];
}): ModelArtifact {
  const { model, seed, rows, X, heldOut, fold, coverages } = parts;
  const y = Float64Array.from(rows, (r) => Math.log(r.price));
  const support = supportHistogram(rows);
  const ranges = calibrateRanges(X, y, heldOut, fold, seed, coverages, rows, support);
  const fourCs = calibrateFourCs(rows, parts.fill, parts.X4, parts.heldOut4, fold, seed, coverages, support);
  return assembleArtifact({ kind: xgboost.name, params: parts.params, seed, rows, model, ranges, heldOut, fourCs });
}
