/**
 * Distribution drift between a baseline sample (the data a model learned from) and a new one, per feature:
 * the Population Stability Index over the baseline's deciles (categories for grades) and, for numbers, the
 * two-sample Kolmogorov–Smirnov statistic with its asymptotic p-value. Pure functions, no I/O.
 *
 * PSI reading (the usual convention): < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 large shift.
 */

import { ksTest, psi as psiNumeric, psiCategorical, type KsTest } from '../report/stats.js';

// One implementation of each statistic, in report/stats (the notebooks state the same numbers in words).
export { ksTest, psiNumeric, psiCategorical };
export type KsResult = KsTest;

export type DriftLevel = 'stable' | 'moderate' | 'large';

export function psiLevel(psi: number): DriftLevel {
  return psi < 0.1 ? 'stable' : psi <= 0.25 ? 'moderate' : 'large';
}

export interface FeatureDrift {
  feature: string;
  kind: 'number' | 'grade';
  psi: number;
  level: DriftLevel;
  /** Numbers only. */
  ks?: KsResult;
  /** Mean (numbers) in the baseline and the new rows, to say which way it moved. */
  baselineMean?: number;
  currentMean?: number;
}

export const NUMBER_FEATURES = ['carat', 'depth', 'table', 'x', 'y', 'z', 'price'] as const;
export const GRADE_FEATURES = ['cut', 'color', 'clarity'] as const;

type DriftRow = Record<(typeof NUMBER_FEATURES)[number], number> & Record<(typeof GRADE_FEATURES)[number], string>;

const mean = (v: readonly number[]): number => v.reduce((s, x) => s + x, 0) / v.length;

/** Drift of every appraisal field (price included) from `baseline` to `current`. */
export function featureDrift(baseline: readonly DriftRow[], current: readonly DriftRow[]): FeatureDrift[] {
  const out: FeatureDrift[] = [];
  for (const f of NUMBER_FEATURES) {
    const a = baseline.map((r) => r[f]);
    const b = current.map((r) => r[f]);
    const psi = psiNumeric(a, b);
    out.push({
      feature: f,
      kind: 'number',
      psi,
      level: psiLevel(psi),
      ks: ksTest(a, b),
      baselineMean: mean(a),
      currentMean: mean(b),
    });
  }
  for (const f of GRADE_FEATURES) {
    const psi = psiCategorical(
      baseline.map((r) => r[f]),
      current.map((r) => r[f]),
    );
    out.push({ feature: f, kind: 'grade', psi, level: psiLevel(psi) });
  }
  return out;
}
