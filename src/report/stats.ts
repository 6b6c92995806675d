/**
 * The small statistics that reports and notebooks state in words: quantiles, rank correlation, a straight-line
 * fit, and two ways to say whether a new batch comes from the same population as the reference data (the
 * two-sample Kolmogorov–Smirnov test and the population stability index). Pure functions of number arrays.
 * The binning and the two statistics' formulas are the engine's (engine/distribution.ts), shared with training's
 * summary of its data and the live traffic window.
 */
import { binCounts, ksPValue, psiOfShares, quantileEdges } from '../engine/distribution.js';

export { ksPValue, psiOfShares, quantileEdges };

/** The q-quantile (0 ≤ q ≤ 1) of values, interpolating linearly between order statistics (R type 7). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Ranks 1..n, ties sharing their average rank. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1][0] === order[start][0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) result[order[k][1]] = rank;
    start = end + 1;
  }
  return result;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rank correlation: +1 when y always rises with x, −1 when it always falls. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError('spearman: x and y differ in length');
  return pearson(ranks(x), ranks(y));
}

export interface LineFit {
  slope: number;
  intercept: number;
  /** Share of the variance of y the line explains. */
  r2: number;
}

/** Least-squares line y ≈ intercept + slope·x. */
export function fitLine(x: readonly number[], y: readonly number[]): LineFit {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const slope = sxy / sxx;
  const r = pearson(x, y);
  return { slope, intercept: my - slope * mx, r2: r * r };
}

export interface KsTest {
  /** Largest gap between the two empirical distribution functions (0 = identical, 1 = disjoint). */
  statistic: number;
  /** Chance of a gap at least this large if both samples came from one population (asymptotic). */
  pValue: number;
}

/** Two-sample Kolmogorov–Smirnov test; NaN for both numbers when either sample is empty (no gap to measure). */
export function ksTest(a: readonly number[], b: readonly number[]): KsTest {
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
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  return { statistic: d, pValue: ksPValue(d, n, m) };
}

/**
 * Population stability index of `current` against `reference`, over up to `bins` bins holding equal shares of
 * the reference (see quantileEdges): Σ (c − r)·ln(c / r). Common reading: under 0.1 stable, 0.1–0.25 some
 * shift, over 0.25 a shift. NaN when either sample is empty.
 */
export function psi(reference: readonly number[], current: readonly number[], bins = 10): number {
  if (reference.length === 0 || current.length === 0) return Number.NaN;
  const edges = quantileEdges(reference, bins);
  const shares = (values: readonly number[]) => binCounts(values, edges).map((c) => c / values.length);
  return psiOfShares(shares(reference), shares(current));
}

/** Population stability index of a categorical field over the union of the categories seen in either sample. */
export function psiCategorical(reference: readonly string[], current: readonly string[]): number {
  if (reference.length === 0 || current.length === 0) return Number.NaN;
  const categories = [...new Set([...reference, ...current])].sort();
  const shares = (values: readonly string[]): number[] => {
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return categories.map((c) => (counts.get(c) ?? 0) / values.length);
  };
  return psiOfShares(shares(reference), shares(current));
}

/** Values grouped by a key, keys in first-appearance order. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export interface MatchedRatio {
  /** current / reference, combined over the strata used (1.05 = 5% higher). NaN when no stratum qualifies. */
  ratio: number;
  /** Strata that held enough items in both samples. */
  strata: number;
  /** Share of the current items that fall in those strata. */
  coverage: number;
}

/**
 * How much higher a value runs in `current` than in `reference` among comparable items (e.g. price per carat
 * at the same grade and carat band): in every stratum holding at least `minCount` items of each sample, the
 * ratio of the two medians; the ratios combined as a geometric mean weighted by the current sample's counts.
 */
export function matchedMedianRatio<T>(
  reference: readonly T[],
  current: readonly T[],
  stratum: (item: T) => string,
  value: (item: T) => number,
  minCount = 5,
): MatchedRatio {
  const ref = groupBy(reference, stratum);
  let logSum = 0;
  let weight = 0;
  let strata = 0;
  for (const [key, items] of groupBy(current, stratum)) {
    const base = ref.get(key);
    if (!base || base.length < minCount || items.length < minCount) continue;
    logSum += items.length * Math.log(median(items.map(value)) / median(base.map(value)));
    weight += items.length;
    strata++;
  }
  return {
    ratio: weight > 0 ? Math.exp(logSum / weight) : NaN,
    strata,
    coverage: current.length > 0 ? weight / current.length : 0,
  };
}
