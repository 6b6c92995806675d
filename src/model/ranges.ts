/**
 * Adaptive price ranges: log price ± q·σ(x), where σ(x) is the difficulty model's estimate of how surely stones
 * like this one are priced and q is the split-conformal quantile (engine/conformal.ts) of |residual| / σ on rows
 * the model did not learn from. The range is symmetric in log price, so in dollars it is multiplicative.
 */

/** Added to |residual| before its log, so a perfect out-of-fold guess does not give log 0. */
export const DIFFICULTY_EPSILON = 1e-3;

/**
 * The smallest σ served: half the 5th percentile of σ over the training rows, so no stone gets a range of
 * near-zero width just because the difficulty model extrapolates.
 */
export function difficultyFloor(sigmas: Float64Array): number {
  const sorted = Float64Array.from(sigmas).sort();
  return 0.5 * sorted[Math.floor(0.05 * (sorted.length - 1))];
}
