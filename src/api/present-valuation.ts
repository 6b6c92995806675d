/** A valuation as answered: its explanation to the cent (the price and range are already rounded by the model). */
import type { Explanation, Valuation } from '../model/index.js';

export const cents = (v: number): number => Math.round(v * 100) / 100;
export const fourPlaces = (v: number): number => Math.round(v * 10_000) / 10_000;

/** A valuation's explanation to the cent and its multipliers to four places, fields in the schema's order. */
export function roundExplanation(e: Explanation): Explanation {
  return {
    typicalPrice: cents(e.typicalPrice),
    steps: e.steps.map((s) => ({
      factor: s.factor,
      label: s.label,
      multiplier: fourPlaces(s.multiplier),
      dollars: cents(s.dollars),
      priceAfter: cents(s.priceAfter),
    })),
    price: cents(e.price),
    summary: e.summary,
  };
}

export function presentValuation(v: Valuation): Valuation {
  return v.explanation ? { ...v, explanation: roundExplanation(v.explanation) } : v;
}
