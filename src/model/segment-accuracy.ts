/**
 * Accuracy by segment: MAE, MAPE and range coverage of a model's prices for each carat band, cut, colour and
 * clarity grade of the stones it was measured on (the partitions of segments.ts but support, which the stones'
 * own ranges already say). Used by the pipeline's live accuracy: a market that moved in one grade shows there
 * before it moves the overall figures.
 */
import type { Stone } from '../diamond/index.js';
import { caratBand, SEGMENT_GROUPS } from './segments.js';
import { CLARITIES, COLORS, CUTS } from '../diamond/index.js';

export const ACCURACY_PARTITIONS = ['carat', 'cut', 'color', 'clarity'] as const;
export type AccuracyPartition = (typeof ACCURACY_PARTITIONS)[number];

export interface SegmentAccuracy {
  partition: AccuracyPartition;
  group: string;
  rows: number;
  /** USD. */
  mae: number;
  /** %. */
  mape: number;
  /** % of the group's stones given a range whose price lies inside it; null when none was given a range. */
  coverage: number | null;
}

const groupOf = (p: AccuracyPartition, s: Pick<Stone, 'carat' | 'cut' | 'color' | 'clarity'>): number =>
  p === 'carat'
    ? caratBand(s.carat)
    : p === 'cut'
      ? CUTS.indexOf(s.cut)
      : p === 'color'
        ? COLORS.indexOf(s.color)
        : CLARITIES.indexOf(s.clarity);

/** One entry per group holding at least one stone, partitions in ACCURACY_PARTITIONS order, groups in scale order. */
export function accuracyBySegment(
  stones: readonly (Pick<Stone, 'carat' | 'cut' | 'color' | 'clarity'> & { price: number })[],
  price: ArrayLike<number>,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
): SegmentAccuracy[] {
  const out: SegmentAccuracy[] = [];
  for (const partition of ACCURACY_PARTITIONS) {
    const names = SEGMENT_GROUPS[partition];
    const acc = names.map(() => ({ rows: 0, abs: 0, ape: 0, ranged: 0, inside: 0 }));
    stones.forEach((s, i) => {
      const a = acc[groupOf(partition, s)];
      const e = Math.abs(price[i] - s.price);
      a.rows++;
      a.abs += e;
      a.ape += (e / s.price) * 100;
      if (!Number.isNaN(low[i]) && !Number.isNaN(high[i])) {
        a.ranged++;
        if (s.price >= low[i] && s.price <= high[i]) a.inside++;
      }
    });
    acc.forEach((a, g) => {
      if (a.rows === 0) return;
      out.push({
        partition,
        group: names[g],
        rows: a.rows,
        mae: a.abs / a.rows,
        mape: a.ape / a.rows,
        coverage: a.ranged ? (a.inside / a.ranged) * 100 : null,
      });
    });
  }
  return out;
}
