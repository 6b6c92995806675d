/**
 * A compact summary of the training data's distribution, per characteristic, stored in the artifact so that the
 * live traffic window (api/traffic-drift.ts) measures drift against exactly what the model learned from with the
 * same statistics as the pipeline's drift step (pipeline/drift.ts), and without reading the database.
 *
 *   numbers (carat, depth, table, x, y, z)  `psiEdges`: the pipeline's PSI bins, the training values' deciles
 *       (quantileEdges(values, 10)); `ksEdges` and `ksCounts`: a grid of KS_QUANTILES quantiles (ksGridEdges) and
 *       how many training stones fall in each of its bins. The deciles are among the grid's edges, so a count over
 *       the grid gives both statistics. KS read on the grid is within 1/KS_QUANTILES of the exact two-sample
 *       statistic (engine/distribution.ts says why).
 *   grades (cut, color, clarity)  how many training stones hold each grade, worst first.
 *
 * Counts, not shares: integers, so the same rows give the same bytes. Written once, by assembleArtifact (train.ts),
 * for every way a model is made (trained here, imported, trained externally).
 */
import { CLARITIES, COLORS, CUTS, type Stone } from '../diamond/index.js';
import { binCounts, ksGridEdges, quantileEdges } from '../engine/distribution.js';

/** Quantiles of the KS grid: the binned statistic is within 1/100 of the exact one. */
export const KS_QUANTILES = 100;
/** The pipeline's PSI bins: deciles of the training values. */
export const PSI_BINS = 10;

export const DISTRIBUTION_NUMBERS = ['carat', 'depth', 'table', 'x', 'y', 'z'] as const;
export const DISTRIBUTION_GRADES = ['cut', 'color', 'clarity'] as const;
export type DistributionNumber = (typeof DISTRIBUTION_NUMBERS)[number];
export type DistributionGrade = (typeof DISTRIBUTION_GRADES)[number];
export const GRADE_SCALES: Record<DistributionGrade, readonly string[]> = {
  cut: CUTS,
  color: COLORS,
  clarity: CLARITIES,
};

export interface NumberDistribution {
  psiEdges: number[];
  ksEdges: number[];
  ksCounts: number[];
}

export interface TrainingDistribution {
  ksQuantiles: number;
  numbers: Record<DistributionNumber, NumberDistribution>;
  grades: Record<DistributionGrade, number[]>;
}

export function trainingDistribution(rows: readonly Stone[]): TrainingDistribution {
  const numbers = {} as Record<DistributionNumber, NumberDistribution>;
  for (const f of DISTRIBUTION_NUMBERS) {
    const values = Float64Array.from(rows, (r) => r[f]);
    const ksEdges = ksGridEdges(values, KS_QUANTILES);
    numbers[f] = { psiEdges: quantileEdges(values, PSI_BINS), ksEdges, ksCounts: binCounts(values, ksEdges) };
  }
  const grades = {} as Record<DistributionGrade, number[]>;
  for (const f of DISTRIBUTION_GRADES) {
    const scale = GRADE_SCALES[f];
    const counts = new Array<number>(scale.length).fill(0);
    for (const r of rows) counts[scale.indexOf(r[f])]++;
    grades[f] = counts;
  }
  return { ksQuantiles: KS_QUANTILES, numbers, grades };
}

const increasing = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x, i) => Number.isFinite(x) && (i === 0 || x > (v[i - 1] as number)));
const countsOf = (v: unknown, length: number): v is number[] =>
  Array.isArray(v) && v.length === length && v.every((x) => Number.isInteger(x) && x >= 0);

/** Checks a stored summary of `rows` training stones; throws a TypeError saying what is wrong. */
export function validateTrainingDistribution(value: unknown, rows: number): TrainingDistribution {
  const d = value as Partial<TrainingDistribution> | null;
  if (!d || typeof d !== 'object' || !(Number.isInteger(d.ksQuantiles) && (d.ksQuantiles as number) > 0))
    throw new TypeError('training distribution needs a positive integer ksQuantiles');
  for (const f of DISTRIBUTION_NUMBERS) {
    const n = d.numbers?.[f];
    if (!n || !increasing(n.psiEdges) || !increasing(n.ksEdges) || !countsOf(n.ksCounts, n.ksEdges.length + 1))
      throw new TypeError(`training distribution of ${f}: edges must increase and counts be one per bin`);
    if (n.ksCounts.reduce((s, c) => s + c, 0) !== rows)
      throw new TypeError(`training distribution of ${f}: counts add up to other than ${rows} rows`);
    const grid = new Set(n.ksEdges);
    if (!n.psiEdges.every((e) => grid.has(e)))
      throw new TypeError(`training distribution of ${f}: the PSI edges are not on the KS grid`);
  }
  for (const f of DISTRIBUTION_GRADES) {
    const counts = d.grades?.[f];
    if (!countsOf(counts, GRADE_SCALES[f].length) || counts.reduce((s, c) => s + c, 0) !== rows)
      throw new TypeError(`training distribution of ${f}: one count per grade, adding up to ${rows} rows`);
  }
  return d as TrainingDistribution;
}
