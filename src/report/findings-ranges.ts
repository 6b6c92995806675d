/**
 * The findings of the model notebook's later sections (notebooks/02-model §5–8) that choose their words from the
 * numbers: what the explanations show, whether the ranges hold, what Loupe says at the edge of its data. Each
 * takes the computed figures and returns the sentences (tested in test/report/findings-ranges.test.ts).
 * Percentages in percent (6.67), shares as proportions (0.9).
 */
import type { Interval } from './intervals.js';
import { dollarChange, dollars, pct } from './findings-model.js';
import { agree, between, counted, listAnd, signed, withInterval } from './prose.js';

const count = (v: number): string => v.toLocaleString('en-US');
const share = (i: Pick<Interval, 'estimate'>): string => pct(i.estimate * 100);
const shareRange = (i: Interval): string => between(i, (v) => pct(v * 100));

export interface ClaritySpread {
  /** The SI2 → IF difference in the clarity contribution (log price), with its bootstrap interval. */
  spread: Interval;
  ifStones: number;
  si2Stones: number;
}

/** §5: which factor carries the price, whether grades rise, and what the clarity claim rests on. */
export function factorFinding(f: {
  sizeShare: number;
  /** The other factors, largest first. */
  others: readonly string[];
  clarityRises: boolean;
  colorRises: boolean;
  /** Under 0.5 ct and from 1 ct up; absent when a group has no stones. */
  clarity?: { small: ClaritySpread; large: ClaritySpread };
}): string {
  const rises = (yes: boolean) => (yes ? 'rises' : 'does not always rise');
  let text = `**Finding.** Size dominates: the size factor carries ${pct(f.sizeShare * 100, 0)} of the total contribution; then ${f.others.join(', ')}. `;
  text += `On average over the test stones the clarity contribution ${rises(f.clarityRises)} from grade to grade, and the colour contribution ${rises(f.colorRises)}. `;
  if (!f.clarity) return text;
  const { small, large } = f.clarity;
  const log2 = (v: number) => v.toFixed(2);
  const times = (s: ClaritySpread) => `×${Math.exp(s.spread.estimate).toFixed(2)}`;
  const largeIF = counted(large.ifStones, 'IF stone');
  text +=
    `From SI2 to IF clarity the model adds ${withInterval(small.spread, log2)} to the log price of stones under 0.5 ct (${times(small)}; ${counted(small.ifStones, 'IF stone')} and ${counted(small.si2Stones, 'SI2 stone')} among the test rows) ` +
    `and ${withInterval(large.spread, log2)} on stones of 1 ct and more (${times(large)}; ${largeIF} and ${counted(large.si2Stones, 'SI2 stone')}). `;
  const overlap = small.spread.low <= large.spread.high && large.spread.low <= small.spread.high;
  return (
    text +
    (overlap
      ? `The intervals overlap: on this evidence a clarity grade may be worth about the same share of the price at any weight (close to additive in log price), but with ${largeIF} of 1 ct and more the data cannot say it firmly.`
      : `The intervals do not overlap: the grade is worth a different share of the price at different weights, an interaction an additive model cannot learn (resting on ${largeIF} of 1 ct and more).`)
  );
}

/** §5: the cut grade against the proportions, and why cut is not constrained. */
export function cutFinding(f: {
  rhoTable: number;
  rhoDepthOff: number;
  idealDepth: number;
  cutShare: number;
  proportionsShare: number;
  cutRises: boolean;
}): string {
  return (
    `**Finding: cut.** Over the training stones the cut grade's rank correlates with the table (Spearman ρ ${signed(f.rhoTable, 2)}) and with the depth's distance from the Ideal stones' median depth, ${f.idealDepth}% (ρ ${signed(f.rhoDepthOff, 2)}): the grade is largely a verdict on proportions the model also sees. ` +
    `So the credit splits: the cut factor carries ${pct(f.cutShare * 100, 0)} of the total contribution and the proportions ${pct(f.proportionsShare * 100, 0)}; "cut barely matters" is not the reading — cut and proportions together are what the table above shows per grade. ` +
    `Cut is not constrained to raise the price, for two reasons: "a better cut, everything else the same" asks for stones that hardly exist (an Ideal grade with Fair proportions), and the model's average cut contribution ${f.cutRises ? 'already rises from grade to grade without a constraint' : 'does not rise steadily from Fair to Ideal (see the table)'}; colour, clarity and carat have no such stand-in, and are constrained.`
  );
}

/** §6: one example stone's heading line: Loupe's price and range against the expert's. */
export function exampleStoneLine(f: {
  price: number;
  range: { low: number; high: number } | null;
  appraised: number;
  /** The unrounded model price, for the relative error. */
  predicted: number;
}): string {
  const off = `${f.predicted > f.appraised ? '+' : '−'}${pct(Math.abs(f.predicted / f.appraised - 1) * 100)}`;
  const held = f.range
    ? `${f.appraised >= f.range.low && f.appraised <= f.range.high ? 'inside' : 'outside'} the range`
    : 'no range given';
  return (
    `**Loupe: ${dollars(f.price)}** (${f.range ? `90% range ${dollars(f.range.low)}–${dollars(f.range.high)}` : 'no range'}); the expert appraised it at **${dollars(f.appraised)}** ` +
    `(${off}; ${held}).`
  );
}

/** §7: the calibration levels, and whether each observed coverage's interval holds its promise. */
export function calibrationFinding(levels: readonly { level: number; observed: Interval }[]): string {
  const off = levels.filter((c) => c.level < c.observed.low || c.level > c.observed.high);
  return (
    `**Finding.** From ${pct(levels[0].level * 100, 0)} to ${pct(levels[levels.length - 1].level * 100, 0)}, ` +
    (off.length === 0
      ? `every level's observed coverage has an interval that holds its promise: the ranges are neither too narrow nor too wide at any level, not only at the 90% that is served.`
      : `the observed coverage misses its promise outside the interval at ${off.map((c) => `${pct(c.level * 100, 0)} (observed ${share(c.observed)})`).join(', ')}.`)
  );
}

export interface ExtremeStone {
  carat: number;
  color: string;
  clarity: string;
  /** Absent when Loupe refuses the stone (beyond the carat limit). */
  value?: { price: number; range: unknown; support: string; warnings: number };
}

/** What Loupe says of one extreme stone, against the data's highest price. */
export function extremeStoneSaid(s: ExtremeStone, ceiling: number): string {
  const name = `the ${s.carat} ct ${s.color} ${s.clarity}`;
  if (!s.value) return `${name} is refused (beyond the carat limit)`;
  const above =
    s.value.price > ceiling ? ` (${(s.value.price / ceiling).toFixed(1)}× the highest price in the data)` : '';
  return `${name} gets ${dollars(s.value.price)}${above} ${s.value.range ? 'with a range' : 'without a range'} (${s.value.support} support, ${counted(s.value.warnings, 'warning')})`;
}

/** §7, where the old ranges failed: heavy, IF and thin stones in CV and on the split, and the extreme stones. */
export function edgesFinding(f: {
  heavy: { cv: Interval; cvStones: number; split: Interval; splitStones: number };
  ifStones: { cv: Interval; cvStones: number };
  thin: { cv: Interval; cvStones: number };
  rows: number;
  /** Segments whose CV interval does not hold 90%. */
  missed: readonly string[];
  extremes: readonly ExtremeStone[];
  ceiling: number;
}): string {
  const { heavy } = f;
  return (
    `**Finding.** In cross-validation inside the training rows the 90% range holds the price for ${share(heavy.cv)} of the ${count(heavy.cvStones)} stones of 2 ct and more (${shareRange(heavy.cv)}), ` +
    `${share(f.ifStones.cv)} of the ${count(f.ifStones.cvStones)} IF stones and ${share(f.thin.cv)} of the ${count(f.thin.cvStones)} thinly supported ones; ` +
    `${f.rows - f.missed.length} of these ${f.rows} rows have an interval that holds 90%${f.missed.length ? ` (not: ${listAnd(f.missed)})` : ''}. ` +
    `On the split the ${count(heavy.splitStones)} heavy test stones hold ${share(heavy.split)} (${shareRange(heavy.split)}): too few to settle it either way; CV has ${(heavy.cvStones / heavy.splitStones).toFixed(0)} times as many. ` +
    `At the edge Loupe now says only what it can back: ${listAnd(f.extremes.map((s) => extremeStoneSaid(s, f.ceiling)))}. A price above the data's ceiling is the power law carried on (notebook 1, §4): the missing range and the warnings are what tell a jeweller so.`
  );
}

export interface SegmentCoverage {
  segment: string;
  value: string;
  /** The segment's test stones given a range (the coverage is over these). */
  stones: number;
  /** Percent of the segment's prices inside the 90% range. */
  coverage: number;
  /** Median relative width, percent (the range's full width; the sentence shows ± half). */
  medianWidth: number;
}

/** §7: coverage over all test stones and by segment; small segments named with their counts. */
export function coverageFinding(f: {
  testStones: number;
  /** Test stones given no range (beyond the data, or too wide): the coverage is over the others. */
  withheld: number;
  coverage: number;
  cvCoverage: number;
  medianWidth: number;
  segments: readonly SegmentCoverage[];
}): string {
  const half = (w: number) => `±${(w / 2).toFixed(1)}%`;
  const widths = f.segments.map((s) => s.medianWidth);
  const under = f.segments.filter((s) => s.stones >= 30 && s.coverage < 85);
  const few = f.segments.filter((s) => s.stones < 30).map((s) => `${s.segment} ${s.value}: ${s.stones}`);
  return (
    `**Finding.** ${f.withheld === 0 ? `Over all ${count(f.testStones)} test stones` : `Over the ${count(f.testStones - f.withheld)} test stones given a range (${count(f.withheld)} of the ${count(f.testStones)} get none)`} the 90% range holds the expert's price for ${pct(f.coverage)} of them (in cross-validation: ${pct(f.cvCoverage)}), with a median width of ${half(f.medianWidth)}. ` +
    `Ranges are not one width for all: the median width runs from ${half(Math.min(...widths))} to ${half(Math.max(...widths))} across segments, wider where stones are priced less surely. ` +
    (under.length === 0
      ? `No segment with at least 30 test stones given a range falls below 85% coverage. `
      : `Segments with at least 30 test stones given a range below 85% coverage: ${under.map((s) => `${s.segment} ${s.value} (${pct(s.coverage)})`).join(', ')}. `) +
    `Segments with fewer (${few.join(', ') || 'none'}) say little either way: the guarantee is on average over stones, not for every segment.`
  );
}

/** §8: how the model prices the heaviest training stone scaled up by a quarter, against that stone and the data's top price. */
export function extrapolationNote(heaviestPrice: number, biggerPrice: number, ceiling: number | undefined): string {
  if (biggerPrice < heaviestPrice)
    return ' — less, because only carat, colour, clarity and density are constrained to raise the price; the measurements that grow with it are not.';
  if (ceiling !== undefined && biggerPrice > ceiling)
    return `, above any price in the training data (${dollars(ceiling)}).`;
  if (biggerPrice < heaviestPrice * 1.05) return ' — about the same.';
  return '.';
}

/** The summary's line on the batches added to training: lower beyond the noise, or within it. */
export function moreDataLine(mapeChange: Interval, appraisalNoise: number): string {
  const moved =
    mapeChange.high < 0
      ? `lowers the error on the reference test stones by ${(-mapeChange.estimate).toFixed(2)} points (${(-mapeChange.high).toFixed(2)} to ${(-mapeChange.low).toFixed(2)})`
      : `moves the error on the reference test stones by ${signed(mapeChange.estimate, 2)} points, within the noise`;
  return `Training with the batches too ${moved}; the appraisals' own noise, about ${pct(appraisalNoise, 1)} per appraisal, is the floor, so each month buys support for rare stones and a check on the new expert more than accuracy.`;
}

/** A what-if in a client's words: "in colour G: −$130 ($2,270, −5.4%)". */
export function whatIfLine(change: string, price: number, basePrice: number): string {
  return `${change}: ${dollarChange(price - basePrice)} (${dollars(price)}, ${signed((price / basePrice - 1) * 100, 1, '%')})`;
}

/** The withheld-range count with its verb: "1 test stone gets no range", "3 test stones get no range". */
export function withheldRanges(stones: number): string {
  return `${counted(stones, 'test stone')} ${agree(stones, 'gets', 'get')} no range`;
}
