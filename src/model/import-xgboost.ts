/**
 * Importing a model trained by XGBoost: its trees are served as they are; Loupe adds what XGBoost does not have —
 * calibrated price ranges. Those are calibrated on appraisals the XGBoost model did not learn from, exactly as
 * for Loupe's own models (cross-fitted difficulty model, split-conformal quantile), and the artifact records
 * those rows' hash and the model's accuracy on them.
 */
import type { Appraisal } from '../diamond/index.js';
import type { ModelArtifact } from './artifact.js';
import { featureColumns } from './features.js';
import { assignFolds } from './folds.js';
import { xgboost } from './kinds/xgboost.js';
import { supportHistogram } from './support.js';
import { calibrateFourCs, fourCsColumns, measurementFill } from './four-cs.js';
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
  const y = Float64Array.from(calibrationRows, (r) => Math.log(r.price));
  const heldOut = predictLogMany(model, X);
  const fold = assignFolds(X.rows, 5, seed);
  const coverages = options.coverages ?? DEFAULT_COVERAGES;
  const support = supportHistogram(calibrationRows);
  const ranges = calibrateRanges(X, y, heldOut, fold, seed, coverages, calibrationRows, support);
  // 4Cs-only ranges: the same rows with typical measurements (the fill is the rows' own medians)
  const fill = measurementFill(calibrationRows);
  const X4 = fourCsColumns(calibrationRows, fill);
  const heldOut4 = predictLogMany(model, X4);
  const fourCs = calibrateFourCs(calibrationRows, fill, X4, heldOut4, fold, seed, coverages, support);
  return assembleArtifact({
    kind: xgboost.name,
    params: { importedFrom: 'xgboost' },
    seed,
    rows: calibrationRows,
    model,
    ranges,
    heldOut,
    fourCs,
  });
}
