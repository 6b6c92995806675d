/**
 * How well the data a model learned from supports a stone: how many training stones are comparable to it, and
 * whether any of its characteristics lies outside what the model learned from.
 *
 * Comparable means within 10% in carat (two bins of a 5% log-carat grid either side) and within one grade of its
 * colour and of its clarity: the three characteristics that move a price most. The counts are kept as a histogram
 * over (log-carat bin, colour, clarity), 93 × 7 × 8 cells whatever the number of training rows, so an artifact does
 * not grow with its data and a count is a sum over at most 5 × 3 × 3 cells.
 *
 * Levels: `beyond` — a characteristic lies outside the training range, or no training stone is comparable;
 * `thin` — fewer than THIN_SUPPORT comparable stones (about 5% of the reference stones in cross-validation);
 * `typical` — otherwise. Ranges are calibrated separately for thin stones (segments.ts); beyond stones get no range.
 */
import { CLARITIES, COLORS, FIELDS, type Stone } from '../diamond/index.js';

export type SupportLevel = 'typical' | 'thin' | 'beyond';

export interface Support {
  level: SupportLevel;
  /** Training stones comparable to this one (see the header). */
  comparableStones: number;
  /** The support in one sentence for people. */
  summary: string;
}

/** Below this many comparable training stones a stone's support is thin. */
export const THIN_SUPPORT = 20;
/** Width of a carat bin in log carat: 5%. */
const LOG_CARAT_STEP = 0.05;
const CARAT_BINS = Math.ceil(Math.log(FIELDS.carat.max / FIELDS.carat.min) / LOG_CARAT_STEP) + 1;
/** Bins either side that count as comparable: ±2 bins ≈ ±10% in carat. */
const CARAT_REACH = 2;
const GRADE_REACH = 1;

/** Stored in the artifact: the training stones' histogram, dense, indexed [caratBin][colour][clarity]. */
export interface SupportHistogram {
  logCaratStep: number;
  minCarat: number;
  bins: number;
  counts: number[];
}

/** The log-carat bin of a carat in every support histogram (the grid is fixed, checked on load). */
export function caratBin(carat: number): number {
  const b = Math.floor(Math.log(carat / FIELDS.carat.min) / LOG_CARAT_STEP);
  return Math.min(Math.max(b, 0), CARAT_BINS - 1);
}

const cell = (bin: number, color: number, clarity: number) =>
  (bin * COLORS.length + color) * CLARITIES.length + clarity;

export function supportHistogram(stones: readonly Pick<Stone, 'carat' | 'color' | 'clarity'>[]): SupportHistogram {
  const counts = new Array<number>(CARAT_BINS * COLORS.length * CLARITIES.length).fill(0);
  for (const s of stones) counts[cell(caratBin(s.carat), COLORS.indexOf(s.color), CLARITIES.indexOf(s.clarity))]++;
  return { logCaratStep: LOG_CARAT_STEP, minCarat: FIELDS.carat.min, bins: CARAT_BINS, counts };
}

/** Training stones comparable to `stone` (the stone itself included, if it was one of them). */
export function comparableStones(h: SupportHistogram, stone: Pick<Stone, 'carat' | 'color' | 'clarity'>): number {
  return countAround(h, caratBin(stone.carat), COLORS.indexOf(stone.color), CLARITIES.indexOf(stone.clarity));
}

function countAround(h: SupportHistogram, b: number, c: number, l: number): number {
  let n = 0;
  for (let bi = Math.max(0, b - CARAT_REACH); bi <= Math.min(h.bins - 1, b + CARAT_REACH); bi++) {
    for (let ci = Math.max(0, c - GRADE_REACH); ci <= Math.min(COLORS.length - 1, c + GRADE_REACH); ci++) {
      for (let li = Math.max(0, l - GRADE_REACH); li <= Math.min(CLARITIES.length - 1, l + GRADE_REACH); li++)
        n += h.counts[cell(bi, ci, li)];
    }
  }
  return n;
}

/**
 * comparableStones of every cell of the histogram at once (5,208 sums, done once per model), so that a valuation
 * looks its count up instead of adding up to 45 cells.
 */
export interface ComparableTable {
  histogram: SupportHistogram;
  counts: Float64Array;
}

export function comparableTable(h: SupportHistogram): ComparableTable {
  const counts = new Float64Array(h.bins * COLORS.length * CLARITIES.length);
  for (let b = 0; b < h.bins; b++)
    for (let c = 0; c < COLORS.length; c++)
      for (let l = 0; l < CLARITIES.length; l++) counts[cell(b, c, l)] = countAround(h, b, c, l);
  return { histogram: h, counts };
}

/** comparableStones(table.histogram, stone), looked up. */
export function comparableIn(table: ComparableTable, stone: Pick<Stone, 'carat' | 'color' | 'clarity'>): number {
  const c = COLORS.indexOf(stone.color);
  const l = CLARITIES.indexOf(stone.clarity);
  const b = caratBin(stone.carat);
  // a grade off the scale or a NaN carat (never so for a validated stone) is counted as comparableStones counts it
  if (c < 0 || l < 0 || !(b < table.histogram.bins)) return countAround(table.histogram, b, c, l);
  return table.counts[cell(b, c, l)];
}

export function validateSupportHistogram(value: unknown): SupportHistogram {
  const h = value as Partial<SupportHistogram> | null;
  if (!h || h.logCaratStep !== LOG_CARAT_STEP || h.minCarat !== FIELDS.carat.min || h.bins !== CARAT_BINS) {
    throw new TypeError(
      `support histogram must have ${CARAT_BINS} carat bins of ${LOG_CARAT_STEP} in log carat from ${FIELDS.carat.min} ct`,
    );
  }
  if (
    !Array.isArray(h.counts) ||
    h.counts.length !== CARAT_BINS * COLORS.length * CLARITIES.length ||
    !h.counts.every((v) => Number.isInteger(v) && v >= 0)
  ) {
    throw new TypeError('support histogram counts must be one non-negative integer per cell');
  }
  return h as SupportHistogram;
}

/** The level of a stone with `comparable` comparable training stones, `outside` naming the fields beyond the training range. */
export function supportOf(comparable: number, outside: readonly string[]): Support {
  const stones = (n: number) => `${n.toLocaleString('en-US')} training stone${n === 1 ? '' : 's'}`;
  if (outside.length > 0) {
    return {
      level: 'beyond',
      comparableStones: comparable,
      summary: `Beyond the data: ${outside.join(', ')} ${outside.length === 1 ? 'lies' : 'lie'} outside what the model learned from, so the price is an extrapolation.`,
    };
  }
  if (comparable === 0) {
    return {
      level: 'beyond',
      comparableStones: 0,
      summary:
        'Beyond the data: no training stone is within 10% of its carat and one grade of its colour and clarity, so the price is an extrapolation.',
    };
  }
  if (comparable < THIN_SUPPORT) {
    return {
      level: 'thin',
      comparableStones: comparable,
      summary: `Thin support: only ${stones(comparable)} within 10% of its carat and one grade of its colour and clarity; the range is calibrated for such stones.`,
    };
  }
  return {
    level: 'typical',
    comparableStones: comparable,
    summary: `Well supported: ${stones(comparable)} within 10% of its carat and one grade of its colour and clarity.`,
  };
}
