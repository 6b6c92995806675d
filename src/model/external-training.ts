/**
 * Models trained outside Loupe (the `xgboost` kind: XGBoost on this machine, or on a cluster an operator points
 * the pipeline at), held to the same rules as Loupe's own: they learn from the features this module writes —
 * computed by the code Loupe serves with — and return out-of-fold predictions on Loupe's own folds, on which the
 * ranges are calibrated exactly as for a model trained here (trainModel). The artifact that results is served,
 * explained, evaluated and registered like any other.
 */
import type { Appraisal } from '../diamond/index.js';
import type { ModelArtifact } from './artifact.js';
import { FEATURE_NAMES, featureColumns, MONOTONE } from './features.js';
import { assignFolds } from './folds.js';
import { xgboost } from './kinds/xgboost.js';
import { fourCsColumns, measurementFill } from './four-cs.js';
import { calibratedXGBoostArtifact } from './import-xgboost.js';
import { DEFAULT_COVERAGES, predictLogMany } from './train.js';

/** Kinds the pipeline trains through a trainer command rather than in Loupe's engine. */
export const EXTERNALLY_TRAINED_KINDS: readonly string[] = [xgboost.name];

/**
 * What the `xgboost` kind asks of XGBoost unless the operator says otherwise (LOUPE_XGBOOST_PARAMS): close to
 * Loupe's default gbdt (depth, rate, L2, the same monotone constraints in the same feature order), histogram
 * method with 256 bins, no sampling (so no result depends on a random draw), one thread (a cluster job sets its
 * own).
 */
export const DEFAULT_XGBOOST_PARAMS: Readonly<Record<string, unknown>> = {
  objective: 'reg:squarederror',
  tree_method: 'hist',
  max_bin: 256,
  max_depth: 5,
  eta: 0.03,
  lambda: 3,
  min_child_weight: 1,
  num_boost_round: 700,
  monotone_constraints: `(${FEATURE_NAMES.map((n) => MONOTONE[n]).join(',')})`,
  seed: 42,
  nthread: 1,
};

export interface ExternalTrainingOptions {
  seed: number;
  /** Folds of the out-of-fold predictions (Loupe's assignment, written in the table's `fold` column). */
  folds: number;
  /** The parameters the trainer was given, recorded in the artifact. */
  params: Record<string, unknown>;
  coverages?: number[];
}

/**
 * The training table as CSV lines (header first): the model's features, `log_price` (the target) and `fold`
 * (0..folds-1). Numbers are written in full precision (String of a double reads back to the same double).
 */
export function* trainingTableLines(rows: readonly Appraisal[], folds: number, seed: number): Generator<string> {
  const X = featureColumns(rows);
  const fold = assignFolds(rows.length, folds, seed);
  yield `${[...FEATURE_NAMES, 'log_price', 'fold'].join(',')}\n`;
  const cells = new Array<string>(X.columns.length + 2);
  for (let i = 0; i < rows.length; i++) {
    for (let j = 0; j < X.columns.length; j++) cells[j] = String(X.columns[j][i]);
    cells[X.columns.length] = String(Math.log(rows[i].price));
    cells[X.columns.length + 1] = String(fold[i]);
    yield `${cells.join(',')}\n`;
  }
}

/**
 * The servable artifact of a model trained elsewhere on `trainingTableLines(rows, folds, seed)`.
 * @param document the trainer's model (XGBoost's JSON), trained on all rows
 * @param outOfFold per row, the log price predicted by the model that did not see that row's fold
 * @throws Error when the model cannot be served as a Loupe model or the predictions do not fit the rows
 */
export function artifactFromExternalTraining(
  document: object,
  rows: readonly Appraisal[],
  outOfFold: Float64Array,
  options: ExternalTrainingOptions,
): ModelArtifact {
  if (outOfFold.length !== rows.length)
    throw new Error(`the trainer returned ${outOfFold.length} out-of-fold predictions for ${rows.length} rows`);
  const bad = outOfFold.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`the trainer's out-of-fold prediction for row ${bad + 1} is not a finite number`);
  const model = xgboost.load(document);
  const X = featureColumns(rows);
  // 4Cs-only ranges: the trainer returns no fold models, so a row's held-out 4Cs-only prediction is its
  // out-of-fold prediction moved by what the typical measurements change in the final model's price of it.
  const fill = measurementFill(rows);
  const X4 = fourCsColumns(rows, fill);
  const final = predictLogMany(model, X);
  const final4 = predictLogMany(model, X4);
  return calibratedXGBoostArtifact({
    model,
    params: options.params,
    seed: options.seed,
    rows,
    X,
    heldOut: outOfFold,
    fill,
    X4,
    heldOut4: Float64Array.from(outOfFold, (p, i) => p + final4[i] - final[i]),
    fold: assignFolds(rows.length, options.folds, options.seed),
    coverages: options.coverages ?? DEFAULT_COVERAGES,
  });
}
