/**
 * Intervals for the figures notebooks and reports state, so a share or an error comes with how sure it is:
 * Wilson's score interval for a proportion (range coverage: k of n prices inside) and a percentile bootstrap
 * for any statistic of a sample (MAE, MAPE, a price ratio). Pure functions; the bootstrap takes its random
 * numbers from the caller, so a seeded generator makes it repeat exactly.
 */
import { quantile } from './stats.js';

export interface Interval {
  /** The statistic on the whole sample. */
  estimate: number;
  low: number;
  high: number;
}

/** The standard normal quantile for a two-sided level (0.95 → 1.96), by Acklam's rational approximation. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must lie strictly between 0 and 1, got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** Wilson's score interval for k successes in n trials; unlike k/n ± z·se it stays inside [0, 1] for small n. */
export function wilsonInterval(successes: number, trials: number, level = 0.95): Interval {
  if (!(trials > 0)) return { estimate: NaN, low: NaN, high: NaN };
  if (successes < 0 || successes > trials) throw new RangeError(`successes must lie in 0..${trials}, got ${successes}`);
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials))) / (1 + z2n);
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface BootstrapOptions {
  /** Uniform numbers in [0, 1): pass a seeded generator for results that repeat. */
  random: () => number;
  /** Resamples drawn (default 200); the cost is resamples × one statistic. */
  resamples?: number;
  level?: number;
}

/**
 * Percentile bootstrap: the statistic on `resamples` samples drawn with replacement, the interval between the
 * (1 − level)/2 and (1 + level)/2 quantiles of those values. Resamples where the statistic is not finite are
 * left out (e.g. a ratio whose strata all fell below their minimum size).
 */
export function bootstrapInterval<T>(
  items: readonly T[],
  statistic: (sample: readonly T[]) => number,
  options: BootstrapOptions,
): Interval {
  const estimate = statistic(items);
  if (items.length === 0) return { estimate, low: NaN, high: NaN };
  const level = options.level ?? 0.95;
  const values: number[] = [];
  const sample: T[] = new Array(items.length);
  for (let r = 0; r < (options.resamples ?? 200); r++) {
    for (let i = 0; i < items.length; i++) sample[i] = items[Math.floor(options.random() * items.length)];
    const v = statistic(sample);
    if (Number.isFinite(v)) values.push(v);
  }
  return { estimate, low: quantile(values, (1 - level) / 2), high: quantile(values, (1 + level) / 2) };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7): enough for binomial coefficients of a few thousand trials. */
function logGamma(x: number): number {
  const g = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = g[0];
  for (let i = 1; i < 9; i++) a += g[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The probability that k of n trials succeed, each with probability p, lands in lowShare ≤ k/n ≤ highShare:
 * how often a segment of n stones whose ranges hold exactly p of the time shows a coverage inside a target band by
 * chance alone (n = 150, p = 0.9, 87–93%: about 0.78).
 */
export function binomialShareProbability(n: number, p: number, lowShare: number, highShare: number): number {
  if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`n must be a positive integer, got ${n}`);
  if (!(p > 0 && p < 1)) throw new RangeError(`p must lie strictly between 0 and 1, got ${p}`);
  const from = Math.max(0, Math.ceil(lowShare * n - 1e-9));
  const to = Math.min(n, Math.floor(highShare * n + 1e-9));
  let sum = 0;
  for (let k = from; k <= to; k++) {
    sum += Math.exp(
      logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log(1 - p),
    );
  }
  return Math.min(1, sum);
}

/**
 * How many groups' shares of successes fall outside [lowShare, highShare] when each of `rows` rows succeeds
 * independently with probability p, simulated `trials` times: the share of trials with 0, 1, 2, … groups
 * outside (index = count). `groups` lists each group's row indices; groups may overlap (a stone is in a carat
 * band and a colour at once), which is why this is simulated and not taken from the groups' own probabilities.
 * The caller's seeded `random` makes it repeat exactly.
 */
export function groupsOutsideByChance(
  rows: number,
  groups: readonly (readonly number[])[],
  p: number,
  lowShare: number,
  highShare: number,
  options: { random: () => number; trials?: number },
): number[] {
  const success = new Uint8Array(rows);
  const trials = options.trials ?? 2000;
  const shares = new Array<number>(groups.length + 1).fill(0);
  for (let t = 0; t < trials; t++) {
    for (let i = 0; i < rows; i++) success[i] = options.random() < p ? 1 : 0;
    let outside = 0;
    for (const g of groups) {
      let k = 0;
      for (const i of g) k += success[i];
      if (k < lowShare * g.length - 1e-9 || k > highShare * g.length + 1e-9) outside++;
    }
    shares[outside] += 1 / trials;
  }
  return shares;
}
