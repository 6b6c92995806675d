/**
 * Turns a model's additive log-price contributions into the story a client hears: start at the typical price,
 * then each characteristic multiplies it ("1.21 carat: ×3.4", "colour G: ×0.93", …), ending exactly at the
 * price. Features that describe the same thing are told together: size (carat and the measurements), the three
 * grades, and the proportions (depth and table); the model gives one contribution per such factor (kinds/kind.ts
 * says why that is the Shapley value of the factor, not a sum of per-feature values).
 */
import type { Stone } from '../diamond/index.js';
import { FACTORS, NUM_FACTORS } from './features.js';
import type { Explanation, ExplanationStep } from './valuation.js';

const ORDER = FACTORS;

export function labelOf(factor: ExplanationStep['factor'], stone: Stone): string {
  switch (factor) {
    case 'carat':
      return `${stone.carat} carat`;
    case 'cut':
      return `${stone.cut} cut`;
    case 'color':
      return `colour ${stone.color}`;
    case 'clarity':
      return `clarity ${stone.clarity}`;
    case 'proportions':
      return `depth ${stone.depth}%, table ${stone.table}%`;
  }
}

function formatUsd(v: number): string {
  return `$${Math.round(v).toLocaleString('en-US')}`;
}

/**
 * @param base the model's base value (log price of the typical stone)
 * @param contributions per factor (NUM_FACTORS, in FACTORS order), in log space, adding up with `base` to the
 *   stone's log price
 */
export function tellExplanation(stone: Stone, base: number, contributions: ArrayLike<number>): Explanation {
  if (contributions.length !== NUM_FACTORS) throw new RangeError(`expected ${NUM_FACTORS} factor contributions (${FACTORS.join(', ')}), found ${contributions.length}`);
  const logEffect = contributions;
  const typicalPrice = Math.exp(base);
  let logRunning = base;
  let before = typicalPrice;
  const steps: ExplanationStep[] = ORDER.map((factor, k) => {
    logRunning += logEffect[k];
    const after = Math.exp(logRunning);
    const step: ExplanationStep = {
      factor,
      label: labelOf(factor, stone),
      multiplier: Math.exp(logEffect[k]),
      dollars: after - before,
      priceAfter: after,
    };
    before = after;
    return step;
  });
  const price = before;
  return { typicalPrice, steps, price, summary: summarise(typicalPrice, steps, price) };
}

function summarise(typical: number, steps: ExplanationStep[], price: number): string {
  const ranked = [...steps].sort((a, b) => Math.abs(Math.log(b.multiplier)) - Math.abs(Math.log(a.multiplier)));
  const main = ranked[0];
  const second = ranked[1];
  const direction = (s: ExplanationStep) => (s.multiplier >= 1 ? 'raises' : 'lowers');
  const pct = (s: ExplanationStep) =>
    s.multiplier >= 1 ? `×${s.multiplier.toFixed(2)}` : `by ${Math.round((1 - s.multiplier) * 100)}%`;
  return (
    `A typical stone sells for about ${formatUsd(typical)}. ` +
    `The biggest effect is ${main.label}, which ${direction(main)} the price ${pct(main)}; ` +
    `next is ${second.label} (${direction(second)} it ${pct(second)}). ` +
    `Together the characteristics bring it to ${formatUsd(price)}.`
  );
}
