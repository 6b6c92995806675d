/**
 * Binned distributions and the two drift statistics Loupe reads them with: the population stability index (PSI)
 * over the reference's quantile bins, and the two-sample Kolmogorov–Smirnov statistic (KS). One implementation,
 * used by the pipeline's drift step and the reports (through report/stats), by training (the artifact's summary of
 * its training data, model/distribution.ts) and by the live traffic window (api/traffic-drift.ts). Pure functions.
 *
 * A bin is half-open, [edges[k−1], edges[k]): bin 0 holds everything below the first edge, the last bin everything
 * from the last edge up.
 */

/**
 * The share floor of an empty bin, so PSI stays finite (a share of 0 would give ln 0). A fixed share rather than
 * a fraction of a count (e.g. half a stone) so that PSI depends on the two distributions only, not on how many
 * stones each batch holds: two batches with the same shares get the same index.
 */
export const EMPTY_SHARE = 1e-4;

/** Σ (c − r)·ln(c / r) over matching shares, empty shares floored at EMPTY_SHARE (bins fixed beforehand). */
export function psiOfShares(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let index = 0;
  for (let k = 0; k < reference.length; k++) {
    const r = Math.max(reference[k], EMPTY_SHARE);
    const c = Math.max(current[k], EMPTY_SHARE);
    index += (c - r) * Math.log(c / r);
  }
  return index;
}

/**
 * Bin edges at the reference's quantiles, distinct values only: a field with few distinct values (table, depth,
 * carat at round weights) would otherwise get repeated edges, hence bins empty in both samples, each adding a
 * floored term that is not a shift. Edge k is the value at index ⌊k·n/bins⌋ of the sorted reference.
 */
export function quantileEdges(reference: ArrayLike<number>, bins = 10): number[] {
  const sorted = Float64Array.from(reference).sort();
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins))];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return edges;
}

/** The bin of `value` among `edges` (sorted, distinct): the number of edges at or below it. */
export function binOf(edges: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value < edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** How many values fall in each of the edges.length + 1 bins. */
export function binCounts(values: ArrayLike<number>, edges: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) counts[binOf(edges, values[i])]++;
  return counts;
}

/** The smallest double above a finite `v`. */
export function nextUp(v: number): number {
  if (v === 0) return Number.MIN_VALUE;
  const f = new Float64Array([v]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] += v > 0 ? 1n : -1n;
  return f[0];
}

/**
 * Edges of a grid of `quantiles` reference quantiles on which a binned two-sample KS statistic stays within
 * 1/quantiles of the exact one. The quantile edges (quantileEdges) leave every bin but those starting at a value
 * many reference rows share (table 56, carat 1.00) with at most 1/quantiles of the reference; such a bin gets a
 * second edge just above its first (nextUp), so the shared value is a bin of its own. The KS gap between two
 * distribution functions, read at every edge (binnedKs), then misses the exact largest gap by at most the largest
 * reference share of a bin that holds more than one value, below 1/quantiles (test/engine/distribution.test.ts).
 * When `quantiles` is a multiple of 10, the decile edges of quantileEdges(reference, 10) are among these edges.
 */
export function ksGridEdges(reference: ArrayLike<number>, quantiles = 100): number[] {
  const edges = quantileEdges(reference, quantiles);
  const counts = binCounts(reference, edges);
  const out: number[] = [];
  for (let k = 0; k < edges.length; k++) {
    out.push(edges[k]);
    const up = nextUp(edges[k]);
    const next = k + 1 < edges.length ? edges[k + 1] : Infinity;
    if (counts[k + 1] * quantiles > reference.length && up < next) out.push(up);
  }
  return out;
}

/**
 * The largest gap between the two distribution functions read at the bin edges, from per-bin counts over the same
 * edges (0 = identical, 1 = disjoint). NaN when either side is empty.
 */
export function binnedKs(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let n = 0;
  let m = 0;
  for (let k = 0; k < reference.length; k++) {
    n += reference[k];
    m += current[k];
  }
  if (n === 0 || m === 0) return Number.NaN;
  let a = 0;
  let b = 0;
  let d = 0;
  for (let k = 0; k < reference.length - 1; k++) {
    a += reference[k];
    b += current[k];
    d = Math.max(d, Math.abs(a / n - b / m));
  }
  return d;
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
 * The asymptotic p-value of a two-sample KS statistic `d` of samples of n and m values: the chance of a gap at
 * least this large if both came from one population. Stephens' small-sample correction of the argument (as in
 * Numerical Recipes).
 */
export function ksPValue(d: number, n: number, m: number): number {
  if (!(n > 0 && m > 0) || Number.isNaN(d)) return Number.NaN;
  const en = Math.sqrt((n * m) / (n + m));
  return kolmogorovTail((en + 0.12 + 0.11 / en) * d);
}
