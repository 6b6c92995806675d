/**
 * A valuation for a client: the price, the range it most likely falls in and how sure that is, any warnings,
 * and why — a sentence, the waterfall from the typical price, and the same numbers as a table.
 */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_DISCLAIMER, hasMeasurements, PRICE_BASIS, type StoneToValue } from '../../../src/diamond/fields.js';
import { type Shop, shopDetails, type Valuation } from '../api.js';
import { dateTime, money, rangeText } from '../format.js';
import { ExplanationTable, WaterfallChart } from './waterfall.js';

const SUPPORT_LABEL = { typical: 'Well supported', thin: 'Thin support', beyond: 'Beyond the data' } as const;

/**
 * The price, its range (or why there is none), the support, and every warning beside them, where nobody can miss it.
 * A stone priced from its 4Cs alone says so beside the range, with how wide that range is (the measurements_missing
 * warning says how much wider such ranges are, as measured; for one stone it can be narrower than a measured one's).
 */
export function PriceHeadline({ valuation, fourCsOnly }: { valuation: Valuation; fourCsOnly: boolean }) {
  const { price, range, support, warnings } = valuation;
  return (
    <div class="price-row">
      <div class="price">
        <p class="price__label">Estimated price</p>
        <p class="price__value" data-testid="price">
          {money(price)}
        </p>
        <p class="price__basis" data-testid="price-basis" title={PRICE_BASIS.description}>
          US dollars of {PRICE_BASIS.dollarsOf}, {PRICE_BASIS.kind} (not adjusted for inflation)
        </p>
        {range ? (
          <>
            <p class="price__range" data-testid="range">
              Likely range <strong>{rangeText(range)}</strong>
            </p>
            <p class="price__note">
              {Math.round(range.coverage * (range.coverage <= 1 ? 100 : 1))}% of stones like this one sell within this
              range.
            </p>
            {fourCsOnly && (
              <p class="price__note price__note--basis" data-testid="four-cs-range">
                Priced from the 4Cs only: this range is calibrated for stones valued without their measurements and
                spans {Math.round(((range.high - range.low) / price) * 100)}% of the price (how much wider such ranges
                are than with measurements: see the warning).
              </p>
            )}
          </>
        ) : (
          <p class="price__range" data-testid="range">
            No range given
          </p>
        )}
        <p class={`support support--${support.level}`} data-testid="support" title={support.summary}>
          {SUPPORT_LABEL[support.level]} · {support.comparableStones.toLocaleString('en-US')} comparable training stones
        </p>
      </div>
      {warnings.length > 0 && (
        <ul class="notice-list price__warnings" data-testid="warnings" aria-label="Take care">
          {warnings.map((w) => (
            <li class="notice notice--strong" key={w.code} data-code={w.code}>
              <strong>Take care: </strong>
              {w.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * "0.9 ct", "Ideal cut", "colour G", …, "6.2 × 6.24 × 3.84 mm": the stone as a person reads it, in parts; a stone
 * given by its 4Cs alone ends with "no measurements (priced from the 4Cs only)".
 */
export function describeStone(s: StoneToValue): string[] {
  const fourCs = [`${s.carat} ct`, `${s.cut} cut`, `colour ${s.color}`, `clarity ${s.clarity}`];
  return hasMeasurements(s)
    ? [...fourCs, `depth ${s.depth}%`, `table ${s.table}%`, `${s.x} × ${s.y} × ${s.z} mm`]
    : [...fourCs, 'no measurements (priced from the 4Cs only)'];
}

/** Prints the valuation for a client, with the explanation's table shown (it is folded away on screen). */
function printValuation(): void {
  const folded = [...document.querySelectorAll<HTMLDetailsElement>('details.table-toggle:not([open])')];
  for (const d of folded) d.open = true;
  addEventListener(
    'afterprint',
    () => {
      for (const d of folded) d.open = false;
    },
    { once: true },
  );
  print();
}

/** The shop's letterhead on a printed valuation (screen: hidden); "Loupe" when no shop is configured. */
function PrintedLetterhead({ shop }: { shop: Shop | null }) {
  return (
    <div class="print-only print-letterhead" data-testid="print-letterhead">
      <p class="print-letterhead__name">{shop?.name || 'Loupe'}</p>
      {shop?.address && <p>{shop.address}</p>}
      {shop?.phone && <p>{shop.phone}</p>}
    </div>
  );
}

export function ValuationResult({ valuation, stone, at }: { valuation: Valuation; stone: StoneToValue; at: Date }) {
  const e = valuation.explanation;
  const [shop, setShop] = useState<Shop | null>(null);
  // The shop's stock reference for this stone, typed before printing; printed, not sent anywhere.
  const [stockRef, setStockRef] = useState('');
  // Asked again for every valuation: shopDetails keeps the shop once read, and asks again after a failure.
  useEffect(() => {
    let live = true;
    void shopDetails().then((s) => live && s && setShop(s));
    return () => {
      live = false;
    };
  }, [valuation]);
  return (
    <section class="panel result" aria-labelledby="result-title">
      <PrintedLetterhead shop={shop} />
      <div class="panel__head">
        <h2 id="result-title" class="panel__title">
          Valuation
        </h2>
        <div class="panel__actions">
          <span class="badge" title="The model that made this valuation">
            Model {valuation.modelVersion}
          </span>
          <button type="button" class="button button--quiet no-print" onClick={printValuation}>
            Print
          </button>
        </div>
      </div>
      <p class="result__stone" data-testid="appraised-stone">
        {describeStone(stone).map((part, i) => (
          <Fragment key={part}>
            {i > 0 && ' · '}
            <span class="nowrap">{part}</span>
          </Fragment>
        ))}
      </p>
      <label class="stock-ref no-print">
        <span>Stock reference</span>
        <input
          type="text"
          maxLength={60}
          value={stockRef}
          onInput={(ev) => setStockRef((ev.target as HTMLInputElement).value)}
          placeholder="for the printout"
          data-testid="stock-ref"
        />
      </label>
      <dl class="print-only print-facts" data-testid="print-facts">
        <dt>Stock reference</dt>
        <dd>{stockRef || '—'}</dd>
        <dt>Appraised</dt>
        <dd>{dateTime(at.toISOString())}</dd>
        {valuation.id && (
          <>
            <dt>Valuation</dt>
            <dd>{valuation.id}</dd>
          </>
        )}
        <dt>Model</dt>
        <dd>{valuation.modelVersion}</dd>
      </dl>
      <PriceHeadline valuation={valuation} fourCsOnly={!hasMeasurements(stone)} />
      {e && (
        <div class="explanation">
          <h3 class="section-title">Why this price</h3>
          <p class="explanation__summary" data-testid="summary">
            {e.summary}
          </p>
          <p class="explanation__typical muted" data-testid="typical-stone">
            The typical stone is Loupe's starting point: the geometric mean of its prices for the stones it learned
            from. Each step gives two numbers: on its own, what that characteristic alone does to a typical stone's
            price; and its share of the change, in dollars, of the way from there to this price (in proportion to the
            logarithm of its multiplier), so the shares add up to this price and do not depend on the order they are
            read in.
          </p>
          <WaterfallChart explanation={e} quoted={valuation.price} id="why" />
          <details class="table-toggle">
            <summary>Show the steps as a table</summary>
            <ExplanationTable
              explanation={e}
              quoted={valuation.price}
              caption="From the typical price to this stone's price, step by step"
            />
          </details>
        </div>
      )}
      <footer class="print-only print-footer" data-testid="print-footer">
        <p>
          <strong>Price basis.</strong> {PRICE_BASIS.description}
        </p>
        <p>{shop?.disclaimer || DEFAULT_DISCLAIMER}</p>
      </footer>
    </section>
  );
}
