/**
 * A fitted model that is a tree ensemble on Loupe's features, whoever grew the trees (Loupe's engine for gbdt,
 * XGBoost for imported models): predictions by the engine's compiled predictor, explanations by exact TreeSHAP
 * whose players are the five explanation factors. Each kind supplies only its payload.
 */
import type { Ensemble } from '../../engine/index.js';
import { outputBounds } from '../../engine/tree.js';
import { FIELDS } from '../../diamond/index.js';
import { compileEnsemble, predictCompiledRow, type CompiledEnsemble } from '../../engine/predictor.js';
import { createExplainer, type TreeExplainer } from '../../engine/shap/index.js';
import { FACTOR_OF_FEATURE, FEATURE_INDEX, NUM_FACTORS } from '../features.js';
import type { FittedModel } from './kind.js';

/**
 * A straight line in log carat that the trees start from: log price ≈ intercept + slope · log(carat), i.e. price
 * grows as a power of the weight. Trees fit steps; the line carries the smooth growth with size, and the trees
 * only what it misses (see gbdt.ts). `center` is the mean log carat of the training rows: the line's
 * explanation is slope · (log carat − center), given to the size factor, and intercept + slope · center joins
 * the base value.
 */
export interface CaratTrend {
  intercept: number;
  slope: number;
  center: number;
}

/** The line's log price for a stone of this carat: the one formula training subtracts and serving adds back. */
export function trendLogPrice(t: CaratTrend, carat: number): number {
  return t.intercept + t.slope * Math.log(carat);
}

/** The least and greatest log output of trees and line: the trees' bounds (engine/tree.ts), plus the line's over the carats a stone may have. */
export function treeLogBounds(ensemble: Ensemble, trend?: CaratTrend): [number, number] {
  const [low, high] = outputBounds(ensemble);
  if (!trend) return [low, high];
  const ends = [FIELDS.carat.min, FIELDS.carat.max].map((c) => trendLogPrice(trend, c));
  return [low + Math.min(...ends), high + Math.max(...ends)];
}

const CARAT = FEATURE_INDEX.carat;
const CARAT_FACTOR = FACTOR_OF_FEATURE[CARAT];

export class TreeEnsembleModel implements FittedModel {
  private readonly compiled: CompiledEnsemble;
  private explainer: TreeExplainer | undefined;
  private readonly shap = new Float64Array(NUM_FACTORS + 1);

  constructor(
    private readonly ensemble: Ensemble,
    readonly payload: () => unknown,
    private readonly trend?: CaratTrend,
  ) {
    this.compiled = compileEnsemble(ensemble);
  }

  predictLog(row: Float64Array): number {
    const trees = predictCompiledRow(this.compiled, row);
    return this.trend ? trendLogPrice(this.trend, row[CARAT]) + trees : trees;
  }

  contributions(row: Float64Array, out: Float64Array): number {
    const phi = this.explainerOf().shapValues(row, this.shap);
    for (let k = 0; k < NUM_FACTORS; k++) out[k] = phi[k];
    return this.addTrend(row, out, phi[NUM_FACTORS]);
  }

  /**
   * The explanation, then the price from the compiled predictor: equal bit for bit to predictLog. (The explainer
   * can also give the prediction from its own comparisons, shapValuesAndPrediction, but finding the reached leaf
   * among its table units measured slower than the predictor's branch-free walk.)
   */
  predictAndExplain(row: Float64Array, out: Float64Array): number {
    this.explainerOf().shapValues(row, out);
    out[NUM_FACTORS] = this.addTrend(row, out, out[NUM_FACTORS]);
    return this.predictLog(row);
  }

  /** Blocks of rows through the explainer's tables (see TreeExplainer.shapValuesBatch): the same numbers, faster. */
  contributionsMany(rows: readonly Float64Array[]): Float64Array[] {
    const many = this.explainerOf().shapValuesBatch(rows);
    if (this.trend)
      for (let i = 0; i < rows.length; i++)
        many[i][NUM_FACTORS] = this.addTrend(rows[i], many[i], many[i][NUM_FACTORS]);
    return many;
  }

  /** Adds the trend's part to the size factor in `out`; returns the base value with the trend's constant part. */
  private addTrend(row: Float64Array, out: Float64Array, treeBase: number): number {
    const t = this.trend;
    if (!t) return treeBase;
    out[CARAT_FACTOR] += t.slope * (Math.log(row[CARAT]) - t.center);
    return treeBase + (t.intercept + t.slope * t.center);
  }

  private explainerOf(): TreeExplainer {
    // Built on first use: its tables cost about a second of CPU, which training and evaluation never need.
    this.explainer ??= createExplainer(this.ensemble, { groups: FACTOR_OF_FEATURE });
    return this.explainer;
  }
}
