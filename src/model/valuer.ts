/**
 * Serving a model: an artifact becomes a Valuer that prices one stone, gives its range and explains it.
 * Everything a valuation needs is prepared once here, so that valuing a stone allocates little and is fast.
 */
import { FIELDS, hasMeasurements, type NumberFieldName, type Stone, type StoneToValue } from '../diamond/index.js';
import { withTypicalMeasurements } from './four-cs.js';
import { segmentScale, segmentsOf } from './segments.js';
import { comparableIn, comparableTable, supportOf, type ComparableTable, type Support } from './support.js';
import { interval } from '../engine/conformal.js';
import { ArtifactError, parseArtifact, type ModelArtifact } from './artifact.js';
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
  /** The unrounded range; null when it is withheld (`withheld` says why). */
  range: { low: number; high: number } | null;
  /** Why there is no range, for people; absent when there is one. */
  withheld?: string;
  support: Support;
  /** Characteristics outside the training range, in field order, each with what the model learned. */
  outside: { field: string; detail: string }[];
  /** True when the stone was valued from its 4Cs alone (typical measurements assumed, its own range calibration). */
  fourCsOnly: boolean;
}

/** A "90%" range wider than this from low to high is not given: it would tell a client nothing it can use. */
export const MAX_RANGE_RATIO = 4;
/** By default Loupe refuses to price stones heavier than this multiple of the heaviest stone it learned from. */
export const DEFAULT_CARAT_LIMIT_FACTOR = 1.5;

/** The heaviest stone a model prices: `configured` if given, else DEFAULT_CARAT_LIMIT_FACTOR × its heaviest training stone. */
export function caratLimit(artifact: ModelArtifact, configured?: number): number {
  if (configured !== undefined) return configured;
  const heaviest = artifact.trainingData.ranges.carat?.[1] ?? FIELDS.carat.max;
  return Math.round(DEFAULT_CARAT_LIMIT_FACTOR * heaviest * 100) / 100;
}

/** A stone over the carat limit, as a problem that names the limit and where it comes from; undefined when within it. */
export function caratLimitProblem(
  artifact: ModelArtifact,
  stone: Pick<Stone, 'carat'>,
  configured?: number,
): { field: 'carat'; code: 'beyond_limit'; message: string; allowed: string } | undefined {
  const limit = caratLimit(artifact, configured);
  if (stone.carat <= limit) return undefined;
  const heaviest = artifact.trainingData.ranges.carat?.[1];
  const source =
    configured !== undefined
      ? 'set by LOUPE_MAX_CARAT'
      : `${DEFAULT_CARAT_LIMIT_FACTOR} × the heaviest stone the model learned from, ${heaviest} ct`;
  return {
    field: 'carat',
    code: 'beyond_limit',
    message: `Carat ${stone.carat} ct is beyond the ${limit} ct limit of what Loupe prices with this model (${source}); a price so far past its data would be a guess. Have the stone appraised by an expert.`,
    allowed: `at most ${limit} ct`,
  };
}

export interface LoadedModel extends Valuer {
  readonly artifact: ModelArtifact;
  /** Coverage of the default range. */
  readonly coverage: number;
  /** Unrounded price and range for one stone (evaluation, batch prediction). */
  price(stone: StoneToValue, coverage?: number): PricedStone;
  /** Builds what explanations need now (it is otherwise built on the first one), so a server's first answer is as fast as the rest. */
  prepare(): void;
  /**
   * What has been built on this thread: `nothing` (the artifact is parsed; a server whose valuations run on
   * other threads keeps it so), its fitted `models`, or the `explainer` tables too (prepare()).
   */
  readonly built: 'nothing' | 'models' | 'explainer';
  /**
   * Values many stones, each exactly as value() would (bit for bit); a kind that explains rows in blocks
   * (trees) explains them together, which is faster than one by one.
   */
  valueMany(stones: readonly StoneToValue[], options?: ValuationOptions): Valuation[];
}

/** How a model ranges one kind of stone: with its measurements, or from the 4Cs alone. */
interface RangeModel {
  difficulty: FittedModel;
  floor: number;
  segmentScales: ModelArtifact['segmentScales'];
  calibration: ModelArtifact['calibration'];
}

const WARN_FIELDS: Exclude<NumberFieldName, 'price'>[] = ['carat', 'depth', 'table', 'x', 'y', 'z'];
const NO_FIELDS: readonly string[] = [];

/** One training range a stone's characteristic is checked against, with the words its warning uses. */
interface RangeCheck {
  field: Exclude<NumberFieldName, 'price'>;
  low: number;
  high: number;
  /** "carat", "ct": FIELDS' label in lower case and unit. */
  label: string;
  unit: string;
}

/** The fitted models an artifact holds, built from its payloads (the costly part of loading a model). */
interface Fitted {
  model: FittedModel;
  full: RangeModel;
  fourCs: RangeModel;
}

/**
 * A payload restored by its kind. A kind's load throws only when the payload is not valid for it (kinds/kind.ts);
 * an unknown kind, or no payload where one belongs, is the file's fault too: each is an ArtifactError (a file that
 * cannot be served) naming the part of the file.
 */
function loadPayload(part: string, payload: () => { kind: string; model: unknown }): FittedModel {
  try {
    const { kind, model } = payload();
    return getKind(kind).load(model);
  } catch (err) {
    throw new ArtifactError(`model file's ${part} cannot be loaded: ${(err as Error).message}`);
  }
}

function buildFitted(artifact: ModelArtifact): Fitted {
  const rangeModel = (
    r: Pick<ModelArtifact, 'difficulty' | 'segmentScales' | 'calibration'>,
    part: string,
  ): RangeModel => ({
    difficulty: loadPayload(part, () => r.difficulty),
    floor: r.difficulty.floor,
    segmentScales: r.segmentScales,
    calibration: r.calibration,
  });
  return {
    model: loadPayload(`${artifact.kind} model`, () => artifact),
    full: rangeModel(artifact, 'difficulty model'),
    fourCs: rangeModel(artifact.fourCs, '4Cs difficulty model'),
  };
}

class ArtifactValuer implements LoadedModel {
  readonly coverage: number;
  /** Built on first use (or by build()/prepare()): a server that values on other threads never builds it here. */
  #fitted: Fitted | undefined;
  #prepared = false;
  private readonly fourCsWarning: string;
  /** Per model, prepared once: the training ranges checked, the comparable-stone counts, the highest price. */
  private readonly rangeChecks: RangeCheck[];
  private readonly comparable: ComparableTable;
  private readonly highestPrice: number | undefined;
  private readonly segments = [0, 0, 0, 0, 0];
  private readonly row = new Float64Array(NUM_FEATURES);
  /** The factor contributions, then the base value. */
  private readonly contributions = new Float64Array(NUM_FACTORS + 1);

  constructor(
    readonly artifact: ModelArtifact,
    readonly version: string,
    /** The whole artifact, when `artifact` is its summary (deferredValuer). */
    private readonly whole: () => ModelArtifact = () => artifact,
  ) {
    this.coverage = artifact.calibration.levels[0].coverage;
    this.fourCsWarning = fourCsWarning(artifact);
    const { ranges, support } = artifact.trainingData;
    this.rangeChecks = WARN_FIELDS.flatMap((field) => {
      const r = ranges[field];
      return r
        ? [{ field, low: r[0], high: r[1], label: FIELDS[field].label.toLowerCase(), unit: FIELDS[field].unit }]
        : [];
    });
    this.comparable = comparableTable(support);
    this.highestPrice = ranges.price?.[1];
  }

  get built(): 'nothing' | 'models' | 'explainer' {
    return this.#prepared ? 'explainer' : this.#fitted ? 'models' : 'nothing';
  }

  /** Builds the fitted models now (loading checks their payloads). */
  build(): void {
    this.#fitted ??= buildFitted(this.whole());
  }

  private get model(): FittedModel {
    this.build();
    return (this.#fitted as Fitted).model;
  }

  private get full(): RangeModel {
    this.build();
    return (this.#fitted as Fitted).full;
  }

  private get fourCs(): RangeModel {
    this.build();
    return (this.#fitted as Fitted).fourCs;
  }

  /** The stone as the model sees it: a 4Cs-only stone gets the typical measurements of its weight (four-cs.ts). */
  private complete(stone: StoneToValue): Stone {
    return hasMeasurements(stone) ? stone : withTypicalMeasurements(stone, this.artifact.fourCs.fill);
  }

  price(stone: StoneToValue, coverage = this.coverage): PricedStone {
    const row = featureRow(this.complete(stone), this.row);
    return this.priceOf(stone, row, this.model.predictLog(row), coverage);
  }

  private priceOf(stone: StoneToValue, row: Float64Array, log: number, coverage: number): PricedStone {
    const fourCsOnly = !hasMeasurements(stone);
    const outside = this.outside(stone);
    const support = supportOf(
      comparableIn(this.comparable, stone),
      outside.length === 0 ? NO_FIELDS : outside.map((f) => f.field),
    );
    const price = Math.exp(log);
    if (support.level === 'beyond')
      return {
        price,
        support,
        outside,
        fourCsOnly,
        range: null,
        withheld:
          'No range: the stone is beyond the data the model learned from, so no range can be backed by stones like it.',
      };
    const ranging = fourCsOnly ? this.fourCs : this.full;
    const difficulty = Math.max(Math.exp(ranging.difficulty.predictLog(row)), ranging.floor);
    const sigma = difficulty * segmentScale(ranging.segmentScales, segmentsOf(stone, support.level, this.segments));
    const range = interval(log, sigma, ranging.calibration, coverage);
    const low = Math.exp(range.low);
    const high = Math.exp(range.high);
    if (high / low > MAX_RANGE_RATIO) {
      return {
        price,
        support,
        outside,
        fourCsOnly,
        range: null,
        withheld: `No range: a ${Math.round(coverage * 100)}% range would run from ${formatUsd(low)} to ${formatUsd(high)}, more than ${MAX_RANGE_RATIO}× from low to high, too wide to be of use.`,
      };
    }
    return { price, support, outside, fourCsOnly, range: { low, high } };
  }

  /** The characteristics of a stone outside the range of the training stones, with what that range was. */
  private outside(stone: StoneToValue): PricedStone['outside'] {
    const given = stone as Partial<Stone>;
    const out: PricedStone['outside'] = [];
    for (const c of this.rangeChecks) {
      const v = given[c.field];
      if (v !== undefined && (v < c.low || v > c.high))
        out.push({ field: c.field, detail: `${c.label} ${v} ${c.unit} (learned ${c.low} to ${c.high})` });
    }
    return out;
  }

  prepare(): void {
    const { ranges } = this.artifact.trainingData;
    const mid = (f: 'carat' | 'depth' | 'table' | 'x' | 'y' | 'z'): number => {
      const r = ranges[f];
      return r ? (r[0] + r[1]) / 2 : FIELDS[f].example;
    };
    const stone: Stone = {
      carat: mid('carat'),
      cut: 'Ideal',
      color: 'G',
      clarity: 'VS2',
      depth: mid('depth'),
      table: mid('table'),
      x: mid('x'),
      y: mid('y'),
      z: mid('z'),
    };
    this.value(stone);
    this.#prepared = true;
  }

  value(stone: StoneToValue, options: ValuationOptions = {}): Valuation {
    const explain = options.explain ?? true;
    const row = featureRow(this.complete(stone), this.row);
    const contributions = this.contributions;
    // a kind that explains and predicts together gives the same log price, bit for bit, for less work
    const log =
      explain && this.model.predictAndExplain
        ? this.model.predictAndExplain(row, contributions)
        : this.model.predictLog(row);
    if (explain && !this.model.predictAndExplain)
      contributions[NUM_FACTORS] = this.model.contributions(row, contributions);
    return this.valuation(stone, row, log, explain ? contributions : undefined);
  }

  valueMany(stones: readonly StoneToValue[], options: ValuationOptions = {}): Valuation[] {
    const explain = options.explain ?? true;
    if (!explain || !this.model.contributionsMany) return stones.map((stone) => this.value(stone, options));
    const rows = stones.map((stone) => featureRow(this.complete(stone)));
    const explained = this.model.contributionsMany(rows);
    return stones.map((stone, i) => this.valuation(stone, rows[i], this.model.predictLog(rows[i]), explained[i]));
  }

  /** The valuation of a stone whose features are `row` and log price `log`; contributions: factors then base. */
  private valuation(
    stone: StoneToValue,
    row: Float64Array,
    log: number,
    contributions: Float64Array | undefined,
  ): Valuation {
    const priced = this.priceOf(stone, row, log, this.coverage);
    const valuation: Valuation = {
      price: Math.round(priced.price),
      currency: 'USD',
      range: priced.range && {
        low: roundPrice(priced.range.low),
        high: roundPrice(priced.range.high),
        coverage: this.coverage,
      },
      support: priced.support,
      modelVersion: this.version,
      warnings: warningsOf(priced, this.fourCsWarning, this.highestPrice),
    };
    if (contributions)
      valuation.explanation = tellExplanation(
        stone,
        contributions[NUM_FACTORS],
        contributions.subarray(0, NUM_FACTORS),
      );
    return valuation;
  }
}

/** One warning per cause (warnings.ts), each naming every field it concerns. */
function warningsOf(priced: PricedStone, fourCsMessage: string, highestPrice: number | undefined): ValuationWarning[] {
  const out: ValuationWarning[] = [];
  if (priced.fourCsOnly) out.push({ code: 'measurements_missing', field: 'depth,table,x,y,z', message: fourCsMessage });
  if (priced.outside.length > 0) {
    const details = priced.outside.map((o) => o.detail);
    const text = details.length === 1 ? details[0] : `${details.slice(0, -1).join(', ')} and ${details.at(-1)}`;
    out.push({
      code: 'outside_training_range',
      field: priced.outside.map((o) => o.field).join(','),
      message: `Outside what the model learned from: ${text}. The price is an extrapolation and less sure.`,
    });
  }
  // Rounded as the answer's price is, so that a stone priced at the ceiling itself is not warned of.
  if (highestPrice !== undefined && Math.round(priced.price) > highestPrice)
    out.push({
      code: 'above_price_ceiling',
      message: `The price, ${dollars(priced.price)}, is above the highest price among the stones the model learned from (${dollars(highestPrice)}): their prices stop there, so this one carries the trend in carat past what the data show and may be far off. Have an expert appraise this stone.`,
    });
  if (priced.support.level === 'thin') out.push({ code: 'thin_support', message: priced.support.summary });
  if (priced.withheld) out.push({ code: 'range_withheld', message: priced.withheld });
  return out;
}

/** What valuing from the 4Cs alone costs, measured out of fold on the stones the model learned from. */
function fourCsWarning(artifact: ModelArtifact): string {
  const full = artifact.metrics.outOfFold;
  const fourCs = artifact.fourCs.metrics.outOfFold;
  // null: no stone out of fold had a range to measure (metrics.ts)
  const pct = (v: number | null) => (v === null ? 'not measured' : `${v.toFixed(1)}%`);
  return (
    'Valued from the 4Cs alone: without depth, table and the measurements (x, y, z), typical proportions for its weight were assumed. ' +
    `On stones the model did not learn from, such prices were off by ${pct(fourCs.mdape)} for half of them (${pct(full.mdape)} with measurements), ` +
    `and the ${Math.round(fourCs.range.nominal)}% range is wider (median ${pct(fourCs.range.medianRelativeWidth)} of the price against ${pct(full.range.medianRelativeWidth)}). ` +
    'Add the measurements for a surer price.'
  );
}

/** To the dollar, as the answer's price is given. */
function dollars(v: number): string {
  return `$${Math.round(v).toLocaleString('en-US')}`;
}

function formatUsd(v: number): string {
  return `$${roundPrice(v).toLocaleString('en-US')}`;
}

/** A valuer of an artifact; its fitted models are built on first use (or by prepare()). */
export function createValuer(artifact: ModelArtifact, version: string): LoadedModel {
  return new ArtifactValuer(artifact, version);
}

/** An artifact without its model's payload (the bulk of it): what a thread that does not value needs of it. */
export function artifactSummary(artifact: ModelArtifact): ModelArtifact {
  return { ...artifact, model: null };
}

/**
 * A valuer that holds `summary` (artifactSummary) and parses `text`, the whole artifact, only if it must value on
 * this thread: a server whose valuations run on other threads never parses the model's payload here.
 */
export function deferredValuer(summary: ModelArtifact, text: string, version: string): LoadedModel {
  return new ArtifactValuer(summary, version, () => parseArtifact(text));
}

/** Parses and validates an artifact's text and builds its fitted models (which checks their payloads). */
export function loadValuer(text: string, version: string): LoadedModel {
  const valuer = new ArtifactValuer(parseArtifact(text), version);
  valuer.build();
  return valuer;
}
