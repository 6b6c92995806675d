/**
 * Distribution drift between a baseline sample (the data a model learned from) and a new one, per feature:
 * the Population Stability Index over the baseline's deciles (categories for grades) and, for numbers, the
 * two-sample Kolmogorov–Smirnov statistic with its asymptotic p-value. Pure functions, no I/O.
 *
 * PSI reading (the usual convention): < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 large shift.
 */

/** Added to empty bins so PSI stays finite (a share of 0 would give log(0)). */
const EPSILON = 1e-4;

export type DriftLevel = 'stable' | 'moderate' | 'large';

export function psiLevel(psi: number): DriftLevel {
  return psi < 0.1 ? 'stable' : psi <= 0.25 ? 'moderate' : 'large';
}

function psiOfShares(expected: readonly number[], actual: readonly number[]): number {
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], EPSILON);
    const a = Math.max(actual[i], EPSILON);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Bin edges at the baseline's quantiles (distinct values only, so ties do not make empty bins). */
export function quantileEdges(baseline: readonly number[], bins = 10): number[] {
  const sorted = Float64Array.from(baseline).sort();
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins))];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return edges;
}

function binShares(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v < edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]++;
  }
  return counts.map((c) => c / Math.max(1, values.length));
}

/** PSI of a numeric feature over the baseline's quantile bins. */
export function psiNumeric(baseline: readonly number[], current: readonly number[], bins = 10): number {
  if (baseline.length === 0 || current.length === 0) return Number.NaN;
  const edges = quantileEdges(baseline, bins);
  return psiOfShares(binShares(baseline, edges), binShares(current, edges));
}

/** PSI of a categorical feature over the union of categories seen. */
export function psiCategorical(baseline: readonly string[], current: readonly string[]): number {
  if (baseline.length === 0 || current.length === 0) return Number.NaN;
  const cats = [...new Set([...baseline, ...current])].sort();
  const share = (values: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return cats.map((c) => (counts.get(c) ?? 0) / values.length);
  };
  return psiOfShares(share(baseline), share(current));
}

export interface KsResult {
  /** Largest gap between the two empirical CDFs. */
  statistic: number;
  /** Asymptotic p-value (Kolmogorov distribution); small means the samples differ. */
  pValue: number;
}

/** Two-sample Kolmogorov–Smirnov test. */
export function ksTest(a: readonly number[], b: readonly number[]): KsResult {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return { statistic: Number.NaN, pValue: Number.NaN };
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] <= v) i++;
    while (j < m && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const en = Math.sqrt((n * m) / (n + m));
  return { statistic: d, pValue: kolmogorovQ((en + 0.12 + 0.11 / en) * d) };
}

/** Q_KS(λ) = 2 Σ (−1)^(k−1) exp(−2 k² λ²): the probability that the KS statistic exceeds its value by chance. */
function kolmogorovQ(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  let sign = 1;
  for (let k = 1; k <= 100; k++) {
    const term = sign * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-10) break;
    sign = -sign;
  }
  return Math.min(1, Math.max(0, 2 * sum));
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
    out.push({ feature: f, kind: 'number', psi, level: psiLevel(psi), ks: ksTest(a, b), baselineMean: mean(a), currentMean: mean(b) });
  }
  for (const f of GRADE_FEATURES) {
    const psi = psiCategorical(baseline.map((r) => r[f]), current.map((r) => r[f]));
    out.push({ feature: f, kind: 'grade', psi, level: psiLevel(psi) });
  }
  return out;
}
