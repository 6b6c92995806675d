/**
 * Threshold tables: per feature, the sorted distinct thresholds a model's splits (or a binning) use, and where a
 * value falls among them. Binning, the compiled predictor and TreeSHAP all make "value < threshold" an integer
 * comparison this way: with code = countAtMost(cuts, value) and position = countBelow(cuts, threshold),
 * "value < threshold" is "code ≤ position" — branch-free arithmetic instead of a mispredicted jump.
 */
import type { Tree } from './tree.js';

/** Number of entries ≤ value in the sorted `cuts` (value not NaN): the value's code. */
export function countAtMost(cuts: Float64Array, value: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of entries < value in the sorted `cuts`: a threshold's position (its index, when it is one of them). */
export function countBelow(cuts: Float64Array, value: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Per feature 0..numFeatures−1, the sorted distinct thresholds of the trees' splits on it. */
export function thresholdTables(trees: readonly Tree[], numFeatures: number): Float64Array[] {
  const perFeature: Set<number>[] = Array.from({ length: numFeatures }, () => new Set<number>());
  for (const tree of trees) {
    for (let i = 0; i < tree.feature.length; i++)
      if (tree.feature[i] >= 0) perFeature[tree.feature[i]].add(tree.threshold[i]);
  }
  return perFeature.map((set) => Float64Array.from(set).sort());
}
