/**
 * Small pieces of the sentences notebooks and reports build from computed numbers: signed changes, lists,
 * counts with their noun, estimates with their interval. Kept here (and tested) so that notebook cells read as
 * analysis, not as string assembly.
 */
import type { Interval } from './intervals.js';

const MINUS = '−';

/**
 * A signed number with a real minus sign: "+0.25", "−1.30". A value that rounds to zero at `digits` is written
 * without a sign ("0.00"), never "−0.00".
 */
export function signed(value: number, digits = 1, unit = ''): string {
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return `${text}${unit}`;
  return `${value > 0 ? '+' : MINUS}${text}${unit}`;
}

/** "a", "a and b", "a, b and c"; `empty` when there is nothing to list. */
export function listAnd(items: readonly string[], empty = 'none'): string {
  if (items.length === 0) return empty;
  if (items.length === 1) return items[0];
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A count with its noun: "1 stone", "2 stones", "1,204 stones". */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
}

/**
 * An estimate with its interval: "6.67% (6.51% to 6.83%)". Written with "to" rather than a dash, so that
 * negative bounds read unambiguously ("−0.30 (−0.45 to −0.12)").
 */
export function withInterval(interval: Interval, format: (value: number) => string): string {
  return `${format(interval.estimate)} (${format(interval.low)} to ${format(interval.high)})`;
}

/** An interval's bounds alone, "−0.45 to −0.12", for a sentence that has already given the estimate. */
export function between(interval: Pick<Interval, 'low' | 'high'>, format: (value: number) => string): string {
  return `${format(interval.low)} to ${format(interval.high)}`;
}

/** Whether an interval lies wholly below zero, wholly above it, or holds it: how a paired change reads. */
export function direction(interval: Pick<Interval, 'low' | 'high'>): 'lower' | 'higher' | 'within the noise' {
  if (interval.high < 0) return 'lower';
  if (interval.low > 0) return 'higher';
  return 'within the noise';
}

/** The verb (or any word) that agrees with a count: `agree(1, 'is', 'are')` is "is", `agree(3, 'is', 'are')` "are". */
export function agree(count: number, singular: string, plural: string): string {
  return count === 1 ? singular : plural;
}

/**
 * Which side of `pivot` a set of estimates lies on, as a finding says it: "higher" when all are above, "lower"
 * when all are below, "either side" otherwise (e.g. per-batch price ratios against 1).
 */
export function sideOf(estimates: readonly number[], pivot: number): 'higher' | 'lower' | 'either side' {
  if (estimates.length > 0 && estimates.every((v) => v > pivot)) return 'higher';
  if (estimates.length > 0 && estimates.every((v) => v < pivot)) return 'lower';
  return 'either side';
}

/** Reading of a population stability index by the usual rule of thumb: under 0.1 stable, 0.1–0.25 a shift, above a large one. */
export function psiReading(psi: number): string {
  if (psi < 0.1) return 'below 0.1: stable';
  if (psi < 0.25) return 'between 0.1 and 0.25: a shift worth a look';
  return 'above 0.25: a large shift';
}
