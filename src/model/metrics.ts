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
