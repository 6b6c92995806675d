/**
 * What every model kind provides. A kind learns log price from the features of features.ts and can say, for any
 * stone, how much each feature moved its log price away from a base value (contributions that add up exactly).
 * Adding a kind is one new module implementing this, registered in kinds/index.ts.
 */
import type { FeatureColumns } from '../features.js';

export interface FittedModel {
  /** Predicted log price of one feature row. */
  predictLog(row: Float64Array): number;
  /** Writes each feature's contribution (log space) into `out`; returns the base value. base + Σ out = predictLog(row). */
  contributions(row: Float64Array, out: Float64Array): number;
  /** The fitted parameters, JSON-ready; `load` of the same kind restores an identical model. */
  payload(): unknown;
}

export interface FitContext {
  seed: number;
  /** Rows the fit may use to decide when to stop (never the rows it is evaluated on). */
  validation?: { features: FeatureColumns; logPrice: Float64Array };
}

export interface ModelKind<P extends object = Record<string, unknown>> {
  readonly name: string;
  /** One line for people: what this kind is. */
  readonly summary: string;
  readonly defaultParams: P;
  fit(features: FeatureColumns, logPrice: Float64Array, params: P, context: FitContext): FittedModel;
  /** Restores a fitted model from its payload; throws a clear error if the payload is not valid for this kind. */
  load(payload: unknown): FittedModel;
}
