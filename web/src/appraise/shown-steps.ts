/**
 * The explanation's steps as the screen shows them, in whole dollars that add up: the typical price (rounded),
 * plus every step's shown share, is the quoted price, to the dollar. Rounding each share on its own left the sum
 * $1–2 off in about half the stones, right under a sentence saying the steps add up (hunt-web #12).
 */
import type { Explanation } from '../api.js';

export interface ShownStep {
  /** The step's share of the change from the typical price to this price, in whole dollars. */
  share: number;
  /** The typical price (rounded) plus the shares so far, in whole dollars; the last one is the quoted price. */
  runningTotal: number;
}

/**
 * Whole-dollar shares adding up to `total` exactly: each share rounded down, then the dollars left over go one
 * each to the shares that lost the most to rounding down (largest remainder), so no share is more than $1 from its
 * exact value when the total is the exact sum rounded. Given a total further off, the difference is spread over
 * the shares in the same order, a dollar at a time.
 */
export function wholeDollarShares(shares: readonly number[], total: number): number[] {
  const out = shares.map((s) => Math.floor(s));
  if (out.length === 0) return out;
  let left = Math.round(total) - out.reduce((a, b) => a + b, 0);
  const byRemainder = shares.map((_, i) => i).sort((a, b) => shares[b] - out[b] - (shares[a] - out[a]) || a - b);
  const step = left > 0 ? 1 : -1;
  // taking dollars away (a total below the floors' sum), the shares that lost least to rounding down go first
  const order = left > 0 ? byRemainder : [...byRemainder].reverse();
  for (let k = 0; left !== 0; k++, left -= step) out[order[k % order.length]] += step;
  return out;
}

/** Each step's shown share and running total, for a price quoted as `quoted` (whole dollars). */
export function shownSteps(explanation: Explanation, quoted: number): ShownStep[] {
  const start = Math.round(explanation.typicalPrice);
  const shares = wholeDollarShares(
    explanation.steps.map((s) => s.dollars),
    Math.round(quoted) - start,
  );
  let running = start;
  return shares.map((share) => {
    running += share;
    return { share, runningTotal: running };
  });
}
