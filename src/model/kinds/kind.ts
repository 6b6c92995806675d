/**
 * What every model kind provides. A kind learns log price from the features of features.ts and can say, for any
 * stone, how much each explanation factor (FACTORS: size, cut, colour, clarity, proportions) moved its log price
 * away from a base value (contributions that add up exactly). Adding a kind is one new module implementing this,
 * registered in kinds/index.ts.
 *
 * Why per factor and not per feature summed into factors: the explanation tells five factors, so the players of
 * the game explained are the five factors — each a group of features (FACTOR_OF_FEATURE) that enter or leave
 * the coalition together. A factor's contribution is its Shapley value in that game: its marginal effect on the
 * expected log price, averaged over the orders in which the five factors can be revealed. Summing per-feature
 * Shapley values by factor is a different attribution (it splits an interaction between, say, carat and x across
 * the 13-feature orders and can hand part of a within-size interaction to depth); the factor game is the exact
 * answer to the question the explanation asks, and, with only five players, also the cheaper one to compute.
 */
import type { FeatureColumns } from '../features.js';

export interface FittedModel {
  /** Predicted log price of one feature row. */
  predictLog(row: Float64Array): number;
  /**
   * Writes each factor's contribution (log space, NUM_FACTORS entries in FACTORS order) into `out`; returns the
   * base value. base + Σ out = predictLog(row). Allocates nothing.
   */
  contributions(row: Float64Array, out: Float64Array): number;
  /**
   * Optional, for kinds that give both with less work than contributions then predictLog (trees: the
   * contributions straight into `out`, no copy): writes the factor contributions into out[0 … NUM_FACTORS − 1] and
   * the base value into out[NUM_FACTORS], and returns the log price, equal bit for bit to predictLog(row).
   */
  predictAndExplain?(row: Float64Array, out: Float64Array): number;
  /**
   * Optional, for kinds that explain many rows faster together: per row, the factor contributions then the base
   * value (NUM_FACTORS + 1 entries), each equal bit for bit to what contributions(row, …) gives.
   */
  contributionsMany?(rows: readonly Float64Array[]): Float64Array[];
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

/**
 * How far from 0 a model's outputs (log price, or a difficulty model's log |residual|) may reach, for any stone
 * within the fields' limits: e^50 is 5·10^21 dollars, far past any price (Loupe's own models stay within ±25), yet
 * every price, range and explanation step computed from it stays finite. A model file reaching past it (a leaf
 * value of 1e300) would quote prices of $0 or Infinity, so its kind's load refuses it.
 */
export const MAX_LOG_OUTPUT = 50;

/** Throws, naming the kind, when [low, high] (the least and greatest output a model can give) reaches past ±MAX_LOG_OUTPUT. */
export function checkLogBounds(kind: string, low: number, high: number): void {
  if (!(low >= -MAX_LOG_OUTPUT && high <= MAX_LOG_OUTPUT))
    throw new Error(
      `${kind} payload is not valid: its log outputs reach from ${low} to ${high}; a model's stay within ±${MAX_LOG_OUTPUT}`,
    );
}
