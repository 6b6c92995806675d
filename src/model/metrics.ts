/**
 * Accuracy of prices in dollars, and honesty of ranges. All computed on the price scale, the way a buyer feels them.
 */
export interface PriceMetrics {
  n: number;
  /** Mean absolute error, USD. */
  mae: number;
  /** Root mean squared error, USD. */
  rmse: number;
  /** Mean absolute percentage error, %. */
  mape: number;
  /** Median absolute percentage error, %. */
  mdape: number;
  /** Coefficient of determination on price. */
  r2: number;
}

export interface RangeMetrics {
  /** Share of true prices inside their range, %. */
  coverage: number;
  /** Nominal coverage the ranges were calibrated to, %. */
  nominal: number;
  /** Median of (high − low) / price, %. */
  medianRelativeWidth: number;
  /** Stones given no range (NaN bounds: beyond the data, or too wide to be of use); left out of coverage and width. */
  withheld: number;
}

export function priceMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): PriceMetrics {
  const n = actual.length;
  if (n === 0 || predicted.length !== n)
    throw new RangeError(`need equal, non-empty arrays (got ${n} and ${predicted.length})`);
  let abs = 0;
  let sq = 0;
  let mean = 0;
  const ape = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = predicted[i] - actual[i];
    abs += Math.abs(e);
    sq += e * e;
    mean += actual[i];
    ape[i] = (Math.abs(e) / actual[i]) * 100;
  }
  mean /= n;
  let total = 0;
  for (let i = 0; i < n; i++) total += (actual[i] - mean) ** 2;
  let apeSum = 0;
  for (let i = 0; i < n; i++) apeSum += ape[i];
  return { n, mae: abs / n, rmse: Math.sqrt(sq / n), mape: apeSum / n, mdape: median(ape), r2: 1 - sq / total };
}

export function rangeMetrics(
  actual: ArrayLike<number>,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
  nominal: number,
): RangeMetrics {
  const n = actual.length;
  let inside = 0;
  let withheld = 0;
  const width: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(low[i]) || Number.isNaN(high[i])) {
      withheld++;
      continue;
    }
    if (actual[i] >= low[i] && actual[i] <= high[i]) inside++;
    width.push(((high[i] - low[i]) / actual[i]) * 100);
  }
  const given = n - withheld;
  return {
    coverage: given ? (inside / given) * 100 : Number.NaN,
    nominal: nominal * 100,
    medianRelativeWidth: median(width),
    withheld,
  };
}

export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? sorted[(n - 1) >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks out-of-fold metrics read back from a model file (what its warnings and summaries quote): a number for
 * each, null only where no stone had a range to measure (rangeMetrics' NaN, which JSON writes as null).
 */
export function validateOutOfFold(value: unknown): PriceMetrics & { range: RangeMetrics } {
  const m = value as Partial<PriceMetrics & { range: Partial<RangeMetrics> }> | null | undefined;
  if (!m || typeof m !== 'object') throw new TypeError('out-of-fold metrics are missing');
  if (!(Number.isInteger(m.n) && (m.n as number) > 0))
    throw new TypeError(`out-of-fold metrics: n must be a positive integer, found ${JSON.stringify(m.n)}`);
  for (const key of ['mae', 'rmse', 'mape', 'mdape', 'r2'] as const)
    if (!isNumber(m[key]))
      throw new TypeError(`out-of-fold metrics: ${key} must be a number, found ${JSON.stringify(m[key])}`);
  const r = m.range;
  if (!r || typeof r !== 'object') throw new TypeError('out-of-fold metrics lack their range metrics');
  if (!isNumber(r.nominal) || !(Number.isInteger(r.withheld) && (r.withheld as number) >= 0))
    throw new TypeError('out-of-fold range metrics: nominal must be a number and withheld a count');
  for (const key of ['coverage', 'medianRelativeWidth'] as const)
    if (r[key] !== null && !isNumber(r[key]))
      throw new TypeError(`out-of-fold range metrics: ${key} must be a number, found ${JSON.stringify(r[key])}`);
  return m as PriceMetrics & { range: RangeMetrics };
}
