/**
 * Loupe's boosting engine: histogram gradient-boosted regression trees.
 *
 *   const { model, bestIteration, validLoss } = fit(X, y, { nEstimators: 1000, learningRate: 0.05, maxDepth: 4 });
 *   const yHat = predict(model, X);          // Float64Array, one prediction per row
 *   const text = serialize(model);           // versioned JSON; deserialize(text) gives the model back
 *
 * X is a FeatureMatrix: column-major, { columns: Float64Array[] (one per feature), rows }; NaN marks a missing value.
 * The engine imports nothing else from Loupe.
 */

import type { BoostedModel } from './booster.js';
import { checkMatrix, type FeatureMatrix } from './matrix.js';
import { compileEnsemble, predictCompiled, predictCompiledRow } from './predictor.js';

export { fit, type BoostedModel, type FitResult } from './booster.js';
export { DEFAULT_OPTIONS, type FitOptions, type ModelOptions } from './options.js';
export { squaredError, type Objective } from './objective.js';
export { matrixFromRows, type FeatureMatrix } from './matrix.js';
export { serialize, deserialize, ModelFormatError, MODEL_FORMAT, MODEL_FORMAT_VERSION } from './serialize.js';
export type { Ensemble, Tree } from './tree.js';
export {
  createExplainer,
  shapValues,
  shapValuesBatch,
  type TreeExplainer,
  type ExplainerOptions,
  type ExplainerLayout,
} from './shap/index.js';
export {
  calibrate,
  interval,
  conformalQuantile,
  cvPlusInterval,
  minimumCalibrationRows,
  validateCalibration,
  type Calibration,
  type CalibrationLevel,
  type CalibrationRows,
  type Interval,
} from './conformal.js';
export { readXGBoostModel, float32SplitBoundary, XGBoostFormatError, type XGBoostModel } from './xgboost.js';

/** Predictions for every row of X, whose columns must be the model's features in order. */
export function predict(model: BoostedModel, X: FeatureMatrix): Float64Array {
  checkMatrix(X, model.ensemble.numFeatures);
  return predictCompiled(compileEnsemble(model.ensemble), X);
}

/** Prediction for one row (feature values in the model's column order). */
export function predictOne(model: BoostedModel, row: ArrayLike<number>): number {
  if (row.length !== model.ensemble.numFeatures)
    throw new RangeError(`row has ${row.length} values, the model expects ${model.ensemble.numFeatures}`);
  return predictCompiledRow(compileEnsemble(model.ensemble), row);
}
