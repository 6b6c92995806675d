/**
 * Segments of stones, and ranges calibrated so that they hold in each one, not only on average.
 *
 * A segment is one group of one partition: a carat band (<0.5, 0.5–1, 1–1.5, 1.5–2, ≥2 ct), a cut, a colour, a
 * clarity, or a support level (typical or thin, support.ts). A single conformal quantile over all stones gives
 * 90% overall but can give 86% for one clarity grade and 94% for another. So the difficulty σ(x) is multiplied by
 * one scale per segment the stone is in, fitted on out-of-fold rows by one raking pass over the partitions in
 * order: for each group, the ratio of its own 90% score quantile to the overall one, given the scales fitted so
 * far. Then one conformal quantile over the rescaled scores sets the overall coverage. Measured on the reference
 * data (README, "Ranges by segment"), this keeps every segment with ≥ 100 stones within 87–93% in cross-validation
 * inside the training rows, where the single quantile did not, at no cost in median width.
 */
import { CLARITIES, COLORS, CUTS, type Stone } from '../diamond/index.js';
import type { SupportLevel } from './support.js';

export const CARAT_BAND_EDGES = [0.5, 1, 1.5, 2] as const;
export const CARAT_BANDS = ['<0.5 ct', '0.5–1 ct', '1–1.5 ct', '1.5–2 ct', '≥2 ct'] as const;
export const PARTITIONS = ['carat', 'cut', 'color', 'clarity', 'support'] as const;
export type Partition = (typeof PARTITIONS)[number];
/** The groups of each partition, by name. */
export const SEGMENT_GROUPS: Record<Partition, readonly string[]> = {
  carat: CARAT_BANDS,
  cut: CUTS,
  color: COLORS,
  clarity: CLARITIES,
  support: ['typical', 'thin'],
};
/** A group with fewer out-of-fold rows than this keeps scale 1: its own quantile would be mostly noise. */
export const MIN_SEGMENT_ROWS = 30;

export function caratBand(carat: number): number {
  let b = 0;
  while (b < CARAT_BAND_EDGES.length && carat >= CARAT_BAND_EDGES[b]) b++;
  return b;
}

/**
 * The group index of a stone in each partition (PARTITIONS order), written into `out` when given. Beyond stones get
 * no range, so they count as thin.
 */
export function segmentsOf(
  stone: Pick<Stone, 'carat' | 'cut' | 'color' | 'clarity'>,
  support: SupportLevel,
  out: number[] = [0, 0, 0, 0, 0],
): number[] {
  out[0] = caratBand(stone.carat);
  out[1] = CUTS.indexOf(stone.cut);
  out[2] = COLORS.indexOf(stone.color);
  out[3] = CLARITIES.indexOf(stone.clarity);
  out[4] = support === 'typical' ? 0 : 1;
  return out;
}

/** Stored in the artifact: one σ scale per group of each partition, PARTITIONS order. */
export interface SegmentScales {
  partitions: Partition[];
  scales: number[][];
}

/** The product of a stone's segment scales. */
export function segmentScale(s: SegmentScales, groups: readonly number[]): number {
  let scale = 1;
  for (let p = 0; p < s.scales.length; p++) scale *= s.scales[p][groups[p]];
  return scale;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * One raking pass (see the header) on out-of-fold rows: |residual| and σ per row, and each row's groups
 * (groups[i] in PARTITIONS order). Returns the scales; the caller calibrates the rescaled scores.
 */
export function fitSegmentScales(
  absResidual: ArrayLike<number>,
  sigma: ArrayLike<number>,
  groups: readonly (readonly number[])[],
  coverage: number,
): SegmentScales {
  const n = absResidual.length;
  const scales = PARTITIONS.map((p) => new Array<number>(SEGMENT_GROUPS[p].length).fill(1));
  const scaleOf = Float64Array.from({ length: n }, () => 1);
  PARTITIONS.forEach((_p, pi) => {
    const score = Float64Array.from({ length: n }, (_, i) => absResidual[i] / (sigma[i] * scaleOf[i]));
    const overall = quantile(Float64Array.from(score).sort(), coverage);
    for (let g = 0; g < scales[pi].length; g++) {
      const own = Float64Array.from(score.filter((_, i) => groups[i][pi] === g)).sort();
      if (own.length >= MIN_SEGMENT_ROWS && overall > 0) scales[pi][g] = quantile(own, coverage) / overall;
    }
    for (let i = 0; i < n; i++) scaleOf[i] *= scales[pi][groups[i][pi]];
  });
  return { partitions: [...PARTITIONS], scales };
}

export function validateSegmentScales(value: unknown): SegmentScales {
  const s = value as Partial<SegmentScales> | null;
  if (
    !s ||
    !Array.isArray(s.partitions) ||
    s.partitions.join('|') !== PARTITIONS.join('|') ||
    !Array.isArray(s.scales)
  ) {
    throw new TypeError(`segment scales must cover the partitions ${PARTITIONS.join(', ')}`);
  }
  PARTITIONS.forEach((p, pi) => {
    const row = s.scales![pi];
    if (
      !Array.isArray(row) ||
      row.length !== SEGMENT_GROUPS[p].length ||
      !row.every((v) => typeof v === 'number' && v > 0 && Number.isFinite(v))
    ) {
      throw new TypeError(`segment scales of ${p} must be ${SEGMENT_GROUPS[p].length} finite numbers > 0`);
    }
  });
  return s as SegmentScales;
}

export interface SegmentCoverage {
  partition: Partition | 'all';
  group: string;
  stones: number;
  /** How many of them have their price inside their range (so a binomial interval can be put on the coverage). */
  inside: number;
  /** Percent of those stones whose price lies inside its range. */
  coverage: number;
  /** Median of (high − low) / price, percent. */
  medianWidth: number;
}

/** Coverage and median width per segment (and overall) of ranges given for `stones`; rows without a range are left out. */
export function coverageBySegment(
  stones: readonly (Pick<Stone, 'carat' | 'cut' | 'color' | 'clarity'> & { price: number })[],
  ranges: readonly ({ low: number; high: number } | null)[],
  supports: readonly SupportLevel[],
): SegmentCoverage[] {
  const rows = stones.flatMap((s, i) => (ranges[i] ? [{ s, r: ranges[i]!, g: segmentsOf(s, supports[i]) }] : []));
  const summarise = (partition: SegmentCoverage['partition'], group: string, members: typeof rows): SegmentCoverage => {
    const width = Float64Array.from(members, (m) => ((m.r.high - m.r.low) / m.s.price) * 100).sort();
    const inside = members.filter((m) => m.s.price >= m.r.low && m.s.price <= m.r.high).length;
    return {
      partition,
      group,
      stones: members.length,
      inside,
      coverage: members.length ? (inside / members.length) * 100 : Number.NaN,
      medianWidth: width.length ? quantile(width, 0.5) : Number.NaN,
    };
  };
  const out = [summarise('all', 'all stones', rows)];
  PARTITIONS.forEach((p, pi) => {
    SEGMENT_GROUPS[p].forEach((name, g) => {
      out.push(
        summarise(
          p,
          name,
          rows.filter((m) => m.g[pi] === g),
        ),
      );
    });
  });
  return out;
}
