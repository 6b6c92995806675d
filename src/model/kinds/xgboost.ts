/**
 * XGBoost models served by Loupe: a gradient-boosted tree model trained by XGBoost (at scale, on Spark, Ray or a
 * provider's distributed training) on Loupe's own features (`loupe features`) with log price as the target,
 * saved in XGBoost's JSON format. Loupe reads its trees exactly (engine/xgboost.ts) and explains them with the
 * same TreeSHAP as its own boosted trees. Such a model is not trained here: `fit` refuses, and artifacts of
 * this kind are made by importing (model/import-xgboost.ts), which also calibrates its price ranges.
 */
import { readXGBoostModel } from '../../engine/xgboost.js';
import { FEATURE_NAMES, NUM_FEATURES } from '../features.js';
import { checkLogBounds, type FittedModel, type ModelKind } from './kind.js';
import { TreeEnsembleModel, treeLogBounds } from './tree-ensemble-model.js';

/** Checks that an XGBoost model can be served as a Loupe model, and wraps its trees. */
function xgboostModel(document: object): FittedModel {
  const model = readXGBoostModel(document);
  if (model.ensemble.numFeatures !== NUM_FEATURES) {
    throw new Error(
      `the XGBoost model has ${model.ensemble.numFeatures} features; Loupe's features are ${NUM_FEATURES}: ${FEATURE_NAMES.join(', ')}`,
    );
  }
  if (model.featureNames && model.featureNames.join(',') !== FEATURE_NAMES.join(',')) {
    throw new Error(
      `the XGBoost model was trained on features ${model.featureNames.join(', ')}; Loupe serves models trained on ${FEATURE_NAMES.join(', ')} in that order (see loupe features)`,
    );
  }
  if (model.objective !== 'reg:squarederror') {
    throw new Error(
      `the XGBoost model's objective is ${model.objective}; Loupe serves models of log price trained with reg:squarederror`,
    );
  }
  checkLogBounds('xgboost', ...treeLogBounds(model.ensemble));
  return new TreeEnsembleModel(model.ensemble, () => document);
}

export const xgboost: ModelKind<Record<string, never>> = {
  name: 'xgboost',
  summary:
    "A gradient-boosted tree model trained by XGBoost on Loupe's features, imported and served with Loupe's explanations and ranges.",
  defaultParams: {},
  fit(): FittedModel {
    throw new Error(
      'xgboost models are trained by XGBoost, not by Loupe: export the features with `loupe features`, train there, then `loupe import-xgboost`',
    );
  },
  load(payload: unknown): FittedModel {
    if (payload === null || typeof payload !== 'object')
      throw new Error("xgboost payload is not valid: expected XGBoost's JSON model document");
    return xgboostModel(payload);
  },
};
