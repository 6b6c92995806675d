/**
 * Serving a model: an artifact becomes a Valuer that prices one stone, gives its range and explains it.
 * Everything a valuation needs is prepared once here, so that valuing a stone allocates little and is fast.
 */
import { FIELDS, type NumberFieldName, type Stone } from '../diamond/index.js';
import { interval } from '../engine/conformal.js';
import { parseArtifact, type ModelArtifact } from './artifact.js';
import { featureRow, NUM_FACTORS, NUM_FEATURES } from './features.js';
import { getKind, type FittedModel } from './kinds/index.js';
import { tellExplanation } from './explain.js';
import type { Valuation, ValuationOptions, ValuationWarning, Valuer } from './valuation.js';

/**
 * Rounds a range bound the way people quote one: to $1 under $1,000, $10 under $10,000, else $100. The price
 * itself is quoted to the dollar, so the explanation's steps end exactly at it.
 */
export function roundPrice(usd: number): number {
  const step = usd < 1_000 ? 1 : usd < 10_000 ? 10 : 100;
  return Math.round(usd / step) * step;
}

export interface PricedStone {
  /** Unrounded point estimate, USD. */
  price: number;
  low: number;
  high: number;
}

export interface LoadedModel extends Valuer {
  readonly artifact: ModelArtifact;
  /** Coverage of the default range. */
  readonly coverage: number;
  /** Unrounded price and range for one stone (evaluation, batch prediction). */
  price(stone: Stone, coverage?: number): PricedStone;
  /** Builds what explanations need now (it is otherwise built on the first one), so a server's first answer is as fast as the rest. */
  prepare(): void;
  /**
   * Values many stones, each exactly as value() would (bit for bit); a kind that explains rows in blocks
   * (trees) explains them together, which is faster than one by one.
   */
  valueMany(stones: readonly Stone[], options?: ValuationOptions): Valuation[];
}

const WARN_FIELDS: Exclude<NumberFieldName, 'price'>[] = ['carat', 'depth', 'table', 'x', 'y', 'z'];

class ArtifactValuer implements LoadedModel {
  readonly coverage: number;
  private readonly model: FittedModel;
  private readonly difficulty: FittedModel;
  private readonly row = new Float64Array(NUM_FEATURES);
  /** The factor contributions, then the base value. */
  private readonly contributions = new Float64Array(NUM_FACTORS + 1);

  constructor(readonly artifact: ModelArtifact, readonly version: string) {
    this.model = getKind(artifact.kind).load(artifact.model);
    this.difficulty = getKind(artifact.difficulty.kind).load(artifact.difficulty.model);
    this.coverage = artifact.calibration.levels[0].coverage;
  }

  price(stone: Stone, coverage = this.coverage): PricedStone {
    const row = featureRow(stone, this.row);
    return this.priceOf(row, this.model.predictLog(row), coverage);
  }

  private priceOf(row: Float64Array, log: number, coverage: number): PricedStone {
    const sigma = Math.max(Math.exp(this.difficulty.predictLog(row)), this.artifact.difficulty.floor);
    const range = interval(log, sigma, this.artifact.calibration, coverage);
    return { price: Math.exp(log), low: Math.exp(range.low), high: Math.exp(range.high) };
  }

  prepare(): void {
    const { ranges } = this.artifact.trainingData;
    const mid = (f: 'carat' | 'depth' | 'table' | 'x' | 'y' | 'z'): number => {
      const r = ranges[f];
      return r ? (r[0] + r[1]) / 2 : FIELDS[f].example;
    };
    const stone: Stone = { carat: mid('carat'), cut: 'Ideal', color: 'G', clarity: 'VS2', depth: mid('depth'), table: mid('table'), x: mid('x'), y: mid('y'), z: mid('z') };
    this.value(stone);
  }

  value(stone: Stone, options: ValuationOptions = {}): Valuation {
    const explain = options.explain ?? true;
    const row = featureRow(stone, this.row);
    const contributions = this.contributions;
    // a kind that explains and predicts together gives the same log price, bit for bit, for less work
    const log = explain && this.model.predictAndExplain ? this.model.predictAndExplain(row, contributions) : this.model.predictLog(row);
    if (explain && !this.model.predictAndExplain) contributions[NUM_FACTORS] = this.model.contributions(row, contributions);
    return this.valuation(stone, row, log, explain ? contributions : undefined);
  }

  valueMany(stones: readonly Stone[], options: ValuationOptions = {}): Valuation[] {
    const explain = options.explain ?? true;
    if (!explain || !this.model.contributionsMany) return stones.map((stone) => this.value(stone, options));
    const rows = stones.map((stone) => featureRow(stone));
    const explained = this.model.contributionsMany(rows);
    return stones.map((stone, i) => this.valuation(stone, rows[i], this.model.predictLog(rows[i]), explained[i]));
  }

  /** The valuation of a stone whose features are `row` and log price `log`; contributions: factors then base. */
  private valuation(stone: Stone, row: Float64Array, log: number, contributions: Float64Array | undefined): Valuation {
    const priced = this.priceOf(row, log, this.coverage);
    const valuation: Valuation = {
      price: Math.round(priced.price),
      currency: 'USD',
      range: { low: roundPrice(priced.low), high: roundPrice(priced.high), coverage: this.coverage },
      modelVersion: this.version,
      warnings: this.warnings(stone),
    };
    if (contributions) valuation.explanation = tellExplanation(stone, contributions[NUM_FACTORS], contributions.subarray(0, NUM_FACTORS));
    return valuation;
  }

  private warnings(stone: Stone): ValuationWarning[] {
    const out: ValuationWarning[] = [];
    const ranges = this.artifact.trainingData.ranges;
    for (const f of WARN_FIELDS) {
      const r = ranges[f];
      if (r && (stone[f] < r[0] || stone[f] > r[1])) {
        out.push({
          code: 'outside_training_range',
          field: f,
          message: `${FIELDS[f].label} ${stone[f]} ${FIELDS[f].unit} is outside the range the model learned from (${r[0]} to ${r[1]}); the price is an extrapolation and less sure.`,
        });
      }
    }
    return out;
  }
}

export function createValuer(artifact: ModelArtifact, version: string): LoadedModel {
  return new ArtifactValuer(artifact, version);
}

/** Parses, validates and prepares an artifact's text for serving. */
export function loadValuer(text: string, version: string): LoadedModel {
  return createValuer(parseArtifact(text), version);
}
