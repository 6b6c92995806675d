/** A valuation as answered: its explanation to the cent (the price and range are already rounded by the model). */
import type { Valuation } from '../model/index.js';

export const cents = (v: number): number => Math.round(v * 100) / 100;
export const fourPlaces = (v: number): number => Math.round(v * 10_000) / 10_000;

export function presentValuation(v: Valuation): Valuation {
  if (!v.explanation) return v;
  const e = v.explanation;
  return {
    ...v,
    explanation: {
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
    },
  };
}
