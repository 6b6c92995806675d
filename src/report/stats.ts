/**
 * The small statistics that reports and notebooks state in words: quantiles, rank correlation, a straight-line
 * fit, and two ways to say whether a new batch comes from the same population as the reference data (the
 * two-sample Kolmogorov–Smirnov test and the population stability index). Pure functions of number arrays.
 */

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

/** Two-sample Kolmogorov–Smirnov test. */
export function ksTest(a: readonly number[], b: readonly number[]): KsTest {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const n = (x.length * y.length) / (x.length + y.length);
  const lambda = (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)) * d;
  return { statistic: d, pValue: kolmogorovTail(lambda) };
}

/** P(K > λ) for the Kolmogorov distribution: 2 Σ (−1)^(k−1) exp(−2k²λ²). */
function kolmogorovTail(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/**
 * Population stability index of `current` against `reference`, over `bins` bins holding equal shares of the
 * reference: Σ (c − r)·ln(c / r). Common reading: under 0.1 stable, 0.1–0.25 some shift, over 0.25 a shift.
 */
export function psi(reference: readonly number[], current: readonly number[], bins = 10): number {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) edges.push(quantile(reference, k / bins));
  const share = (values: readonly number[]): number[] => {
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) {
      let k = 0;
      while (k < edges.length && v > edges[k]) k++;
      counts[k]++;
    }
    // Half a stone in an empty bin keeps the logarithm finite without inventing a shift.
    return counts.map((c) => Math.max(c, 0.5) / values.length);
  };
  const r = share(reference);
  const c = share(current);
  let index = 0;
  for (let k = 0; k < bins; k++) index += (c[k] - r[k]) * Math.log(c[k] / r[k]);
  return index;
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
  return { ratio: weight > 0 ? Math.exp(logSum / weight) : NaN, strata, coverage: current.length > 0 ? weight / current.length : 0 };
}
