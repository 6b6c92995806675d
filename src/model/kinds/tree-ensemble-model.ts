/**
 * A fitted model that is a tree ensemble on Loupe's features, whoever grew the trees (Loupe's engine for gbdt,
 * XGBoost for imported models): predictions by the engine's compiled predictor, explanations by exact TreeSHAP
 * whose players are the five explanation factors. Each kind supplies only its payload.
 */
import type { Ensemble } from '../../engine/index.js';
import { compileEnsemble, predictCompiledRow, type CompiledEnsemble } from '../../engine/predictor.js';
import { createExplainer, type TreeExplainer } from '../../engine/shap.js';
import { FACTOR_OF_FEATURE, NUM_FACTORS } from '../features.js';
import type { FittedModel } from './kind.js';

export class TreeEnsembleModel implements FittedModel {
  private readonly compiled: CompiledEnsemble;
  private explainer: TreeExplainer | undefined;
  private readonly shap = new Float64Array(NUM_FACTORS + 1);

  constructor(private readonly ensemble: Ensemble, readonly payload: () => unknown) {
    this.compiled = compileEnsemble(ensemble);
  }

  predictLog(row: Float64Array): number {
    return predictCompiledRow(this.compiled, row);
  }

  contributions(row: Float64Array, out: Float64Array): number {
    const phi = this.explainerOf().shapValues(row, this.shap);
    for (let k = 0; k < NUM_FACTORS; k++) out[k] = phi[k];
    return phi[NUM_FACTORS];
  }

  /**
   * The explanation, then the price from the compiled predictor: equal bit for bit to predictLog. (The explainer
   * can also give the prediction from its own comparisons, shapValuesAndPrediction, but finding the reached leaf
   * among its table units measured slower than the predictor's branch-free walk.)
   */
  predictAndExplain(row: Float64Array, out: Float64Array): number {
    this.explainerOf().shapValues(row, out);
    return predictCompiledRow(this.compiled, row);
  }

  /** Blocks of rows through the explainer's tables (see TreeExplainer.shapValuesBatch): the same numbers, faster. */
  contributionsMany(rows: readonly Float64Array[]): Float64Array[] {
    return this.explainerOf().shapValuesBatch(rows);
  }

  private explainerOf(): TreeExplainer {
    // Built on first use: its tables cost about a second of CPU, which training and evaluation never need.
    this.explainer ??= createExplainer(this.ensemble, { groups: FACTOR_OF_FEATURE });
    return this.explainer;
  }
}
