/**
 * Adaptive price ranges: log price ± q·σ(x), where σ(x) is the difficulty model's estimate of how surely stones
 * like this one are priced and q is the split-conformal quantile of |residual| / σ on rows the model did not
 * learn from. The range is symmetric in log price, so in dollars it is multiplicative: ×e^(−qσ) to ×e^(qσ).
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

/**
 * Split-conformal quantile with the finite-sample correction: the ⌈(n+1)·coverage⌉-th smallest score, which
 * guarantees at least `coverage` on exchangeable new rows.
 */
export function conformalQuantile(scores: Float64Array, coverage: number): number {
  if (!(coverage > 0 && coverage < 1)) throw new RangeError(`coverage must be between 0 and 1, got ${coverage}`);
  const n = scores.length;
  const rank = Math.ceil((n + 1) * coverage);
  if (rank > n) throw new RangeError(`${n} calibration rows are too few for ${coverage * 100}% coverage`);
  const sorted = Float64Array.from(scores).sort();
  return sorted[rank - 1];
}
