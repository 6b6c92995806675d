/**
 * Turns a model's additive log-price contributions into the story a client hears: start at the typical price,
 * then each characteristic's effect, ending exactly at the price. Each effect is told two ways: a multiplier, what
 * the characteristic alone does to a typical stone's price ("1.21 carat: ×3.4", "colour G: ×0.93"; the typical
 * price times all of them is the price), and dollars, its share of the gap from the typical price to this price
 * (dollarSteps). The two are not chained: the running total before a step times its multiplier is not the total
 * after it. The typical stone is the model's base value: the geometric mean of its prices over the stones it learned
 * from (the mean of its log prices), so a multiplier says how far a characteristic moves a stone from there. Features that describe the same thing are told together: size (carat and the measurements), the three
 * grades, and the proportions (depth and table); the model gives one contribution per such factor (kinds/kind.ts
 * says why that is the Shapley value of the factor, not a sum of per-feature values).
 */
import { hasMeasurements, type StoneToValue } from '../diamond/index.js';
import { FACTORS, NUM_FACTORS } from './features.js';
import type { Explanation, ExplanationStep } from './valuation.js';

const ORDER = FACTORS;

export function labelOf(factor: ExplanationStep['factor'], stone: StoneToValue): string {
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
      return hasMeasurements(stone)
        ? `depth ${stone.depth}%, table ${stone.table}%`
        : 'typical proportions (not measured)';
  }
}

function formatUsd(v: number): string {
  return `$${Math.round(v).toLocaleString('en-US')}`;
}

/**
 * The logarithmic mean of two prices: (b − a) / (ln b − ln a), and a when they are equal. Multiplying a log
 * contribution by it gives that contribution's share of the dollar gap from a to b.
 */
export function logarithmicMean(a: number, b: number): number {
  const gap = Math.log(b) - Math.log(a);
  return Math.abs(gap) < 1e-12 ? (a + b) / 2 : (b - a) / gap;
}

/**
 * Each factor's dollars: its share of the gap between the typical price and this price, in proportion to its log
 * contribution (the logarithmic-mean allocation, Sato–Vartia). The shares add up to the gap exactly, do not depend
 * on the order the steps are read in, and the factor with the biggest multiplier (in either direction) gets the
 * biggest dollar step. A factor's dollars depend only on its own contribution and on the two end prices.
 */
export function dollarSteps(typicalPrice: number, price: number, logContributions: ArrayLike<number>): number[] {
  const perLog = logarithmicMean(typicalPrice, price);
  return Array.from(logContributions, (c) => perLog * c);
}

/**
 * @param base the model's base value (log price of the typical stone)
 * @param contributions per factor (NUM_FACTORS, in FACTORS order), in log space, adding up with `base` to the
 *   stone's log price
 */
export function tellExplanation(stone: StoneToValue, base: number, contributions: ArrayLike<number>): Explanation {
  if (contributions.length !== NUM_FACTORS)
    throw new RangeError(
      `expected ${NUM_FACTORS} factor contributions (${FACTORS.join(', ')}), found ${contributions.length}`,
    );
  const typicalPrice = Math.exp(base);
  let logPrice = base;
  for (let k = 0; k < NUM_FACTORS; k++) logPrice += contributions[k];
  const price = Math.exp(logPrice);
  const dollars = dollarSteps(typicalPrice, price, contributions);
  let running = typicalPrice;
  const steps: ExplanationStep[] = ORDER.map((factor, k) => {
    // the last step lands exactly on the price, whatever rounding the running sum picked up
    running = k === NUM_FACTORS - 1 ? price : running + dollars[k];
    return {
      factor,
      label: labelOf(factor, stone),
      multiplier: Math.exp(contributions[k]),
      dollars: dollars[k],
      priceAfter: running,
    };
  });
  return { typicalPrice, steps, price, summary: summarise(typicalPrice, steps, price) };
}

/**
 * A multiplier in words, as what the characteristic alone does to a typical stone: "83% lower", "81% higher",
 * "3.4 times as high". Alone, not in the waterfall: there its dollars are a share of the gap (dollarSteps), and
 * the price before a step times its multiplier is not the running total after it.
 */
function effectInWords(multiplier: number): string {
  if (multiplier >= 2) return `${multiplier.toFixed(1)} times as high`;
  const pct = Math.round(Math.abs(multiplier - 1) * 100);
  if (pct === 0) return 'about the same';
  return `${pct}% ${multiplier >= 1 ? 'higher' : 'lower'}`;
}

function summarise(typical: number, steps: ExplanationStep[], price: number): string {
  const ranked = [...steps].sort((a, b) => Math.abs(Math.log(b.multiplier)) - Math.abs(Math.log(a.multiplier)));
  const main = ranked[0];
  const second = ranked[1];
  const effect = (s: ExplanationStep) => `${effectInWords(s.multiplier)} (×${s.multiplier.toFixed(2)})`;
  return (
    `Loupe starts from the typical stone, ${formatUsd(typical)} (the geometric mean of the model's prices for the stones it learned from). ` +
    `The biggest effect is ${main.label}: on its own it would make a typical stone's price ${effect(main)}. ` +
    `Next is ${second.label}: on its own, ${effect(second)}. ` +
    `Together the characteristics bring it to ${formatUsd(price)}.`
  );
}
