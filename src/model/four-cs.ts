/**
 * Valuing a stone from its 4Cs alone (carat, cut, colour, clarity; no depth, table, x, y, z).
 *
 * The stone is given the measurements of a typical round brilliant of its weight — the training stones' median
 * depth and table, x = y, and the median density (carat per mm³ of x·y·z) — and priced by the same model. What
 * changes is how sure that price is: its range has a calibration of its own, made the same way as the full
 * model's (cross-fitted difficulty model, segment scales, split-conformal quantile) but on out-of-fold predictions
 * of the training stones with their measurements replaced by these typical ones. So a 4Cs-only range holds for
 * about 90% of 4Cs-only stones, and is wider because the missing measurements are part of what it does not know.
 * Chosen over a second model trained without measurements because it costs no extra fit and works for every kind
 * (an imported XGBoost model too); README "The model" gives the measured accuracy of both.
 */
import { FIELDS, type Appraisal, type FourCs, type Stone } from '../diamond/index.js';
import type { Calibration } from '../engine/conformal.js';
import { validateCalibration } from '../engine/conformal.js';
import { featureColumns, type FeatureColumns } from './features.js';
import { validateOutOfFold, type PriceMetrics, type RangeMetrics } from './metrics.js';
import { heldOutMetrics, planRanges } from './ranges.js';
import { fit, type BoostedModel } from '../engine/index.js';
import type { EngineFitJob } from './kinds/fit-plan.js';
import { validateSegmentScales, type SegmentScales } from './segments.js';
import type { SupportHistogram } from './support.js';

/** The typical proportions a 4Cs-only stone is given: medians of the training stones. */
export interface MeasurementFill {
  /** Median total depth, %. */
  depth: number;
  /** Median table, %. */
  table: number;
  /** Median carat / (x·y·z), ct per mm³. */
  density: number;
}

/** What an artifact keeps to value 4Cs-only stones: the fill and a range calibration of their own. */
export interface FourCsRanges {
  fill: MeasurementFill;
  difficulty: { kind: string; model: unknown; floor: number };
  segmentScales: SegmentScales;
  calibration: Calibration;
  /** Out-of-fold accuracy of 4Cs-only valuations of the training stones (what the warning quotes). */
  metrics: { outOfFold: PriceMetrics & { range: RangeMetrics } };
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function measurementFill(rows: readonly Stone[]): MeasurementFill {
  return {
    depth: median(Float64Array.from(rows, (r) => r.depth)),
    table: median(Float64Array.from(rows, (r) => r.table)),
    density: median(Float64Array.from(rows, (r) => r.carat / (r.x * r.y * r.z))),
  };
}

/**
 * The stone with typical measurements: round (x = y), of the median depth and table, and of the size the median
 * density gives its weight (x·y·z = carat / density, z = depth% · x). Its measured and stated depth agree.
 */
export function withTypicalMeasurements(stone: FourCs, fill: MeasurementFill): Stone {
  const x = Math.cbrt(stone.carat / (fill.density * (fill.depth / 100)));
  return {
    ...fourCsOf(stone),
    depth: fill.depth,
    table: fill.table,
    x,
    y: x,
    z: (fill.depth / 100) * x,
  };
}

/** The 4Cs of a stone, its measurements left out: what a salesperson who knows only the 4Cs types. */
export function fourCsOf(stone: FourCs): FourCs {
  return { carat: stone.carat, cut: stone.cut, color: stone.color, clarity: stone.clarity };
}

/** Features of the rows as 4Cs-only stones (their measurements replaced by the fill). */
export function fourCsColumns(rows: readonly Stone[], fill: MeasurementFill): FeatureColumns {
  return featureColumns(rows.map((r) => withTypicalMeasurements(r, fill)));
}

/**
 * Calibrates the 4Cs-only ranges from `heldOut`: log-price predictions of the rows, as 4Cs-only stones
 * (fourCsColumns), by models that did not learn from them.
 */
export function calibrateFourCs(
  rows: readonly Appraisal[],
  fill: MeasurementFill,
  X: FeatureColumns,
  heldOut: Float64Array,
  fold: Uint8Array,
  seed: number,
  coverages: readonly number[],
  support: SupportHistogram,
  difficultyTrees?: number,
): FourCsRanges {
  const plan = planFourCs(rows, fill, X, heldOut, fold, seed, coverages, support, difficultyTrees);
  return plan.finish(plan.jobs.map((j) => fit(j.X, j.y, j.options).model));
}

/** calibrateFourCs as a plan of independent difficulty fits and the rest (as planRanges, ranges.ts). */
export function planFourCs(
  rows: readonly Appraisal[],
  fill: MeasurementFill,
  X: FeatureColumns,
  heldOut: Float64Array,
  fold: Uint8Array,
  seed: number,
  coverages: readonly number[],
  support: SupportHistogram,
  difficultyTrees?: number,
): { jobs: EngineFitJob[]; finish(models: BoostedModel[]): FourCsRanges } {
  const y = Float64Array.from(rows, (r) => Math.log(r.price));
  const plan = planRanges(X, y, heldOut, fold, seed, coverages, rows, support, difficultyTrees);
  return {
    jobs: plan.jobs,
    finish(models: BoostedModel[]): FourCsRanges {
      const ranges = plan.finish(models);
      return {
        fill,
        difficulty: ranges.difficulty,
        segmentScales: ranges.segments,
        calibration: ranges.calibration,
        metrics: {
          outOfFold: heldOutMetrics(
            Float64Array.from(rows, (r) => r.price),
            heldOut,
            ranges,
          ),
        },
      };
    },
  };
}

/**
 * A difficulty model's floor, the least σ a range is given (the artifact's and the 4Cs' alike): a number > 0 and at
 * most 1. σ is a spread of log prices — 1 is a factor e either way — and trained floors are a few hundredths
 * (ranges.ts: half the 5th percentile of σ). A floor far beyond that (a damaged or forged file; 1e300 was tried)
 * withheld every range, with bounds like "$0 to $∞".
 */
export const MAX_DIFFICULTY_FLOOR = 1;
export const validFloor = (floor: unknown): boolean =>
  typeof floor === 'number' && floor > 0 && floor <= MAX_DIFFICULTY_FLOOR;
export const FLOOR_ALLOWED = `a number > 0 and at most ${MAX_DIFFICULTY_FLOOR}`;

export function validateFourCsRanges(value: unknown): FourCsRanges {
  const f = value as Partial<FourCsRanges> | null;
  const fill = f?.fill;
  if (
    !fill ||
    ![fill.depth, fill.table, fill.density].every((v) => typeof v === 'number' && v > 0 && Number.isFinite(v)) ||
    !(['depth', 'table'] as const).every((f) => fill[f] >= FIELDS[f].min && fill[f] <= FIELDS[f].max)
  )
    throw new TypeError(
      '4Cs-only ranges need a fill of depth, table and density, each a finite number > 0, depth and table within their fields',
    );
  if (!f.difficulty || !validFloor(f.difficulty.floor))
    throw new TypeError(`4Cs-only ranges need a difficulty model with a floor, ${FLOOR_ALLOWED}`);
  validateSegmentScales(f.segmentScales);
  validateCalibration(f.calibration);
  validateOutOfFold(f.metrics?.outOfFold);
  return f as FourCsRanges;
}
