/**
 * A valuation for a client: the price, the range it most likely falls in and how sure that is, any warnings,
 * and why — a sentence, the waterfall from the typical price, and the same numbers as a table.
 */
import type { Valuation } from '../api.js';
import { money } from '../format.js';
import { ExplanationTable, WaterfallChart } from './waterfall.js';

export function PriceHeadline({ valuation }: { valuation: Valuation }) {
  const { price, range } = valuation;
  return (
    <div class="price">
      <p class="price__label">Estimated price</p>
      <p class="price__value" data-testid="price">{money(price)}</p>
      <p class="price__range" data-testid="range">
        Likely range <strong>{money(range.low)} – {money(range.high)}</strong>
      </p>
      <p class="price__note">
        {Math.round(range.coverage * (range.coverage <= 1 ? 100 : 1))}% of stones like this one sell within this range.
      </p>
    </div>
  );
}

export function Warnings({ valuation }: { valuation: Valuation }) {
  if (valuation.warnings.length === 0) return null;
  return (
    <ul class="notice-list">
      {valuation.warnings.map((w, i) => (
        <li class="notice" key={i}>
          <strong>Take care: </strong>
          {w.message}
        </li>
      ))}
    </ul>
  );
}

export function ValuationResult({ valuation }: { valuation: Valuation }) {
  const e = valuation.explanation;
  return (
    <section class="panel result" aria-labelledby="result-title">
      <div class="panel__head">
        <h2 id="result-title" class="panel__title">Valuation</h2>
        <span class="badge" title="The model that made this valuation">Model {valuation.modelVersion}</span>
      </div>
      <PriceHeadline valuation={valuation} />
      <Warnings valuation={valuation} />
      {e && (
        <div class="explanation">
          <h3 class="section-title">Why this price</h3>
          <p class="explanation__summary" data-testid="summary">{e.summary}</p>
          <WaterfallChart explanation={e} quoted={valuation.price} id="why" />
          <details class="table-toggle">
            <summary>Show the steps as a table</summary>
            <ExplanationTable explanation={e} quoted={valuation.price} caption="From the typical price to this stone's price, step by step" />
          </details>
        </div>
      )}
    </section>
  );
}
