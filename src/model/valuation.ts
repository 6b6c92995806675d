/**
 * What a valuation is, for everything that serves one (API, CLI, web app): a price, a range that says how sure
 * it is, the model that made it, and an explanation a client understands. Model kinds produce these; they are the
 * contract between the model layer and its users.
 */
import type { StoneToValue } from '../diamond/index.js';
import type { Support } from './support.js';
import type { WarningCode } from './warnings.js';

export type { Support, SupportLevel } from './support.js';

/** One step of the explanation: one characteristic (or group of them) and what it does to the price. */
export interface ExplanationStep {
  /** What the step is about: carat, cut, color, clarity or proportions (depth and table). */
  factor: 'carat' | 'cut' | 'color' | 'clarity' | 'proportions';
  /** The characteristic as a person says it: "1.21 carat", "colour G", "depth 61.8%, table 57%". */
  label: string;
  /**
   * What this characteristic alone does to a typical stone's price (exp of its log contribution): the typical
   * price times every step's multiplier is the price. Not the ratio of priceAfter to the price before this step:
   * those are running totals of dollar shares.
   */
  multiplier: number;
  /**
   * The same effect in dollars: this factor's share of the gap between the typical price and the price, in
   * proportion to its log contribution (explain.ts, dollarSteps). The steps add up to the gap exactly and do not
   * depend on the order they are read in.
   */
  dollars: number;
  /** The running total after this step: the typical price plus the dollars of the steps so far. */
  priceAfter: number;
}

export interface Explanation {
  /**
   * The starting point (USD): the price of the typical stone, defined as the geometric mean of the model's prices
   * for the stones it learned from (the model's mean log price over its training rows).
   */
  typicalPrice: number;
  /** In the order a person reads them: size first, then the grades, then the proportions. */
  steps: ExplanationStep[];
  /** Where the steps end: exactly the quoted price before rounding (USD). */
  price: number;
  /** The explanation in one or two sentences for a client. */
  summary: string;
}

export interface ValuationWarning {
  /** One code per cause (warnings.ts lists them). */
  code: WarningCode;
  /** The field or fields concerned, comma-separated. */
  field?: string;
  message: string;
  /** For a `normalised` warning: the value as given and the value used. */
  given?: string;
  used?: string;
}

export interface Valuation {
  /** Point estimate in USD, rounded for people (see roundPrice). */
  price: number;
  currency: 'USD';
  /**
   * The range that holds the true price for `coverage` of stones like this one; null when Loupe cannot back one
   * (a `range_withheld` warning says why).
   */
  range: { low: number; high: number; coverage: number } | null;
  /** How well the data the model learned from supports this stone. */
  support: Support;
  modelVersion: string;
  explanation?: Explanation;
  warnings: ValuationWarning[];
}

export interface ValuationOptions {
  /** Include the explanation (default true). */
  explain?: boolean;
}

/** A model ready to serve: loaded, validated, immutable. */
export interface Valuer {
  readonly version: string;
  value(stone: StoneToValue, options?: ValuationOptions): Valuation;
}
