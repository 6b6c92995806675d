/**
 * Appraise: the form on one side; the valuation, similar stones and what-if beside it once a stone is appraised.
 * The form is checked with the shared validator before anything is sent; the API's own problems (if any) are shown
 * the same way. While problems are shown they are re-checked as the user types, so they clear as they are fixed.
 *
 * The screen always shows what the address names: `#/appraise?quote=val_…` a stored valuation (the quote a client
 * was given, exactly as answered, which can be valued again under the current model), `#/appraise?carat=…` a stone
 * to appraise now. Every appraisal adds an address to the history, and any change of address (another link in the
 * same tab, Back, Forward) loads what it names; the bare `#/appraise` names no valuation, so Back to it shows the form
 * as being worked on and no result. Leaving for another screen and coming back (by the nav link, or by Back to the
 * address it left) restores the stone being worked on, edits included. Once the form no longer names the stone
 * appraised, the result is marked as being for that stone, until the two agree again; while they agree, Appraise
 * sends nothing (the stone shown is valued already).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { FOUR_C_FIELDS, STONE_FIELDS, type StoneFieldName, type StoneToValue } from '../../../src/diamond/fields.js';
import { validateStoneToValue } from '../../../src/diamond/validate.js';
import {
  ApiError,
  appraise,
  servedCaratLimit,
  shopDetails,
  storedValuation,
  type FieldProblem,
  type Valuation,
} from '../api.js';
import { dateTime, money } from '../format.js';
import { SimilarStones } from './similar-stones.js';
import { StoneForm } from './stone-form.js';
import { emptyValues, exampleValues, namesStone, type StoneValues, valuesOf } from './stone-values.js';
import { describeStone, ValuationResult } from './valuation-result.js';
import { WhatIfPanel } from './what-if-panel.js';

interface Appraised {
  stone: StoneToValue;
  valuation: Valuation;
  at: Date;
  /** Opened as a stored quote: when it was answered (the valuation is then exactly as it was). */
  quotedAt?: string;
  /** Valued again under the current model: the quote it started from. */
  requoted?: { from: Valuation; at: string };
}

/** The stone as an address query: the characteristics it has (a 4Cs-only stone names four). */
function stoneQuery(stone: StoneToValue): string {
  return new URLSearchParams(Object.entries(stone).map(([name, value]) => [name, String(value)])).toString();
}

/** The address of a valuation: its stored quote when it has an id, else the stone itself. */
function addressOf(stone: StoneToValue, valuation: Valuation): string {
  return valuation.id ? `#/appraise?quote=${encodeURIComponent(valuation.id)}` : `#/appraise?${stoneQuery(stone)}`;
}

/** What an address names: a stored quote, a stone (at least its 4Cs; the validator checks the rest), or nothing. */
type Named = { quote: string } | { values: StoneValues } | null;

function namedBy(hash: string): Named {
  const query = hash.split('?')[1];
  if (!query) return null;
  const params = new URLSearchParams(query);
  const quote = params.get('quote');
  if (quote) return { quote };
  if (!FOUR_C_FIELDS.every((f) => params.has(f))) return null;
  const values = emptyValues();
  for (const f of STONE_FIELDS) values[f] = params.get(f) ?? '';
  return { values };
}

/** The history state of an entry this screen left by appraising (a new address was pushed after it). */
const LEFT_BY_APPRAISING = { left: 'appraised' } as const;

/** The stone being worked on, kept while another screen is shown (the page is made anew when it comes back). */
let remembered: { values: StoneValues; result: Appraised | null; address: string } | null = null;

function EmptyResult() {
  return (
    <section class="panel empty-result" aria-labelledby="empty-title">
      <h2 id="empty-title" class="panel__title">
        Valuation
      </h2>
      <p>
        Enter the stone's characteristics from its grading report and press <strong>Appraise</strong>. With only carat,
        cut, colour and clarity, Loupe prices it from the 4Cs alone: a less sure price, its ranges wider on the whole.
      </p>
      <ul class="checklist">
        <li>The estimated price and the range it most likely falls in</li>
        <li>Why: from the typical stone's price, what each characteristic adds or takes away</li>
        <li>The most similar stones appraised so far, with their prices</li>
        <li>What if: how a grade up or a little more weight would change the price</li>
      </ul>
    </section>
  );
}

export function AppraisePage() {
  const [values, setValues] = useState<StoneValues>(() => remembered?.values ?? emptyValues());
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [result, setResult] = useState<Appraised | null>(() => remembered?.result ?? null);
  /** The address whose stone this page was restored with, coming back from another screen. */
  const [restoredAt] = useState(() => (remembered?.result ? remembered.address : null));
  /** The result is of another stone than the form names now (edited since, or the form is not yet valid). */
  const stale = useMemo(() => result !== null && !namesStone(values, result.stone), [values, result]);
  const [announcement, setAnnouncement] = useState('');
  const summaryRef = useRef<HTMLDivElement>(null);
  /** What was asked for last: an answer that arrives after the address moved on is not shown. */
  const asked = useRef(0);
  // The shop's letterhead is asked for now, while the stone is typed, so a valuation prints with it at once.
  useEffect(() => void shopDetails(), []);
  // The served model's carat limit, for the carat hint and the what-if steps; asked again with each valuation, since
  // the model (and its limit) can change while the page is open.
  const [maxCarat, setMaxCarat] = useState<number | undefined>(undefined);
  useEffect(() => {
    const abort = new AbortController();
    void servedCaratLimit(abort.signal).then((limit) => !abort.signal.aborted && setMaxCarat(limit));
    return () => abort.abort();
  }, [result]);

  useEffect(() => {
    // the address that names this stone (the bare screen's address names none: the last one that did stays)
    const address = namedBy(location.hash) || !remembered ? location.hash : remembered.address;
    remembered = { values, result, address };
  }, [values, result]);

  const showProblems = (list: FieldProblem[]) => {
    setProblems(list);
    // After the summary renders, take the user to it.
    requestAnimationFrame(() => summaryRef.current?.focus());
  };

  const onChange = (name: StoneFieldName, value: string) => {
    const next = { ...values, [name]: value };
    setValues(next);
    if (problems.length > 0) {
      const check = validateStoneToValue(next);
      setProblems(check.ok ? [] : check.problems);
    }
  };

  const announce = (valuation: Valuation) =>
    setAnnouncement(
      `Estimated price ${money(valuation.price)}, ${valuation.range ? `likely between ${money(valuation.range.low)} and ${money(valuation.range.high)}` : 'no range given'}.${valuation.warnings.map((w) => ` ${w.message}`).join('')}`,
    );

  /** Runs one request for the screen; its result is shown only if nothing was asked for since. */
  const run = async (work: (isCurrent: () => boolean) => Promise<void>) => {
    const mine = ++asked.current;
    const isCurrent = () => mine === asked.current;
    setFailure(null);
    setBusy(true);
    try {
      await work(isCurrent);
    } catch (e) {
      if (!isCurrent()) return;
      setAnnouncement('');
      if (e instanceof ApiError && e.errors.length > 0) showProblems(e.errors);
      else setFailure(e instanceof ApiError ? `${e.title}: ${e.message}` : String(e));
    } finally {
      if (isCurrent()) setBusy(false);
    }
  };

  /** Appraises the typed stone; `push`: a new address in the history (false when the address named it already). */
  const submit = async (typed: StoneValues, push = true, from?: Appraised) => {
    const check = validateStoneToValue(typed);
    if (!check.ok) {
      showProblems(check.problems);
      return;
    }
    setProblems([]);
    setAnnouncement('Appraising…');
    await run(async (isCurrent) => {
      const valuation = await appraise(check.value);
      if (!isCurrent()) return;
      const requoted = from?.quotedAt ? { from: from.valuation, at: from.quotedAt } : undefined;
      setResult({ stone: check.value, valuation, at: new Date(), requoted });
      // The address now names this valuation: it can be bookmarked, shared, or reopened later.
      const address = addressOf(check.value, valuation);
      if (push) {
        // The entry left stays what it was: coming back to it by Back is then told from the screen's link.
        history.replaceState(LEFT_BY_APPRAISING, '');
        history.pushState(null, '', address);
      } else history.replaceState(null, '', address);
      announce(valuation);
    });
  };

  /** Opens a stored quote exactly as it was answered. */
  const openQuote = async (id: string) => {
    setProblems([]);
    setAnnouncement('Opening the quote…');
    await run(async (isCurrent) => {
      const quote = await storedValuation(id).catch((e: unknown) => {
        // The address names this quote: the stone shown before is not what it names.
        if (isCurrent()) setResult(null);
        throw e;
      });
      if (!isCurrent()) return;
      const stone = quote.stone as StoneToValue;
      setValues(valuesOf(stone));
      setResult({
        stone,
        valuation: quote.valuation,
        at: new Date(quote.valuation.valuedAt ?? Date.now()),
        quotedAt: quote.valuation.valuedAt,
      });
      announce(quote.valuation);
    });
  };

  const onSubmit = () => {
    if (busy) return;
    // The stone shown is already valued: another request would store the same quote again under a new address
    // (hunt-web #19). Its price is said again, for whoever pressed to hear it.
    if (result && !stale) announce(result.valuation);
    else void submit(values);
  };

  /** Values the quote's own stone again (not what the form holds now), and shows that stone in the form. */
  const revalue = (quoted: Appraised) => {
    const shown = valuesOf(quoted.stone);
    setValues(shown);
    void submit(shown, true, quoted);
  };

  /**
   * Shows what the address names now: on opening, and on every change of address (a link, Back, Forward).
   * `opening`: the page was just made; coming back to the address it was restored with shows that work as it was.
   */
  const follow = (opening: boolean) => {
    // the app's own address for this screen (another screen's address is the router's to follow)
    if (!/^(#\/?appraise\b|#?\/?$)/.test(location.hash)) return;
    // Back to the address left for another screen: the result is what it names, and the edits since are kept.
    if (opening && restoredAt === location.hash) return;
    const named = namedBy(location.hash);
    if (named && 'quote' in named) void openQuote(named.quote);
    else if (named) {
      setValues(named.values);
      void submit(named.values, false);
    } else if (!opening || history.state?.left === LEFT_BY_APPRAISING.left) {
      // Back to the bare screen (the entry before an appraisal), or its link followed here: it names no valuation, so
      // none is shown (the entry is not made the quote's: Back would meet that twice); the form keeps the stone being
      // worked on, and any answer still awaited is not shown.
      asked.current++;
      setBusy(false);
      setFailure(null);
      setResult(null);
    } else if (remembered?.result && remembered.address !== location.hash) {
      // the bare screen's link from another one: the stone being worked on, under its own address
      history.replaceState(null, '', remembered.address);
    }
  };

  useEffect(() => {
    follow(true);
    // Back and Forward between addresses of this screen, or another link opened in this tab, change the hash.
    const onHashChange = () => follow(false);
    addEventListener('hashchange', onHashChange);
    return () => {
      removeEventListener('hashchange', onHashChange);
      // Another screen is shown now: an answer still on its way must not put its quote's address over that screen's.
      asked.current++;
    };
  }, []);
  const staleClass = stale ? ' is-stale' : '';

  return (
    <div class="page">
      <div class="page__head">
        <h1 tabIndex={-1}>Appraise a stone</h1>
        <p class="page__lead">A price, the range it most likely falls in, and why — in words a client understands.</p>
      </div>
      <p class="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </p>
      <div class={`appraise${result ? ' appraise--done' : ''}`}>
        <div class="appraise__form panel">
          <StoneForm
            values={values}
            problems={problems}
            busy={busy}
            summaryRef={summaryRef}
            maxCarat={maxCarat}
            onChange={onChange}
            onSubmit={onSubmit}
            onExample={() => {
              setValues(exampleValues());
              setProblems([]);
            }}
            onClear={() => {
              setValues(emptyValues());
              setProblems([]);
            }}
          />
          {failure && (
            <p class="notice notice--error" role="alert">
              {failure}
            </p>
          )}
        </div>
        <div class={`appraise__result${staleClass}`}>
          <div role="status" class="stale-status">
            {result && stale && (
              <p class="notice notice--strong stale-note no-print" data-testid="stale-note">
                For the stone as appraised: {describeStone(result.stone).join(' · ')} — press Appraise to value the
                edited stone.
              </p>
            )}
          </div>
          {result?.quotedAt && (
            <div class="notice quote-note" data-testid="quote-note">
              <p>
                The quote of {dateTime(result.quotedAt)}, exactly as it was given (model {result.valuation.modelVersion}
                ).
              </p>
              <button
                type="button"
                class="button button--quiet no-print"
                disabled={busy}
                onClick={() => revalue(result)}
              >
                Value it again under the current model
              </button>
            </div>
          )}
          {result?.requoted && (
            <p class="notice quote-note" data-testid="requote-note">
              The same stone valued again: {money(result.valuation.price)} under model {result.valuation.modelVersion},
              against {money(result.requoted.from.price)} quoted on {dateTime(result.requoted.at)} by model{' '}
              {result.requoted.from.modelVersion} (
              {result.valuation.price === result.requoted.from.price
                ? 'unchanged'
                : `${result.valuation.price > result.requoted.from.price ? '+' : '−'}${money(Math.abs(result.valuation.price - result.requoted.from.price))}`}
              ).
            </p>
          )}
          {result ? (
            <ValuationResult valuation={result.valuation} stone={result.stone} at={result.at} />
          ) : (
            <EmptyResult />
          )}
        </div>
        {result && (
          <>
            <div class={`appraise__similar${staleClass}`}>
              <SimilarStones stone={result.stone} price={result.valuation.price} />
            </div>
            <div class={`appraise__what-if${staleClass}`}>
              <WhatIfPanel base={result.stone} baseValuation={result.valuation} maxCarat={maxCarat} />
            </div>
          </>
        )}
      </div>
    </div>
  );
}
