/**
 * Appraise: the form on one side; the valuation, similar stones and what-if beside it once a stone is appraised.
 * The form is checked with the shared validator before anything is sent; the API's own problems (if any) are shown
 * the same way. While problems are shown they are re-checked as the user types, so they clear as they are fixed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { FOUR_C_FIELDS, STONE_FIELDS, type StoneFieldName, type StoneToValue } from '../../../src/diamond/fields.js';
import { validateStoneToValue } from '../../../src/diamond/validate.js';
import { ApiError, appraise, type FieldProblem, type Valuation } from '../api.js';
import { money } from '../format.js';
import { SimilarStones } from './similar-stones.js';
import { StoneForm } from './stone-form.js';
import { emptyValues, exampleValues, type StoneValues } from './stone-values.js';
import { ValuationResult } from './valuation-result.js';
import { WhatIfPanel } from './what-if-panel.js';

interface Appraised {
  stone: StoneToValue;
  valuation: Valuation;
  at: Date;
}

/** The stone as an address query: the characteristics it has (a 4Cs-only stone names four). */
function stoneQuery(stone: StoneToValue): string {
  return new URLSearchParams(Object.entries(stone).map(([name, value]) => [name, String(value)])).toString();
}

/** The form values an address names, when it names at least the 4Cs (the validator then checks the rest). */
function valuesFromHash(hash: string): StoneValues | null {
  const query = hash.split('?')[1];
  if (!query) return null;
  const params = new URLSearchParams(query);
  if (!FOUR_C_FIELDS.every((f) => params.has(f))) return null;
  const values = emptyValues();
  for (const f of STONE_FIELDS) values[f] = params.get(f) ?? '';
  return values;
}

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
  const [values, setValues] = useState<StoneValues>(emptyValues);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [result, setResult] = useState<Appraised | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const summaryRef = useRef<HTMLDivElement>(null);

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

  const submit = async (typed: StoneValues) => {
    if (busy) return;
    setFailure(null);
    const check = validateStoneToValue(typed);
    if (!check.ok) {
      showProblems(check.problems);
      return;
    }
    setProblems([]);
    setBusy(true);
    setAnnouncement('Appraising…');
    try {
      const valuation = await appraise(check.value);
      setResult({ stone: check.value, valuation, at: new Date() });
      // The address now names this stone: it can be bookmarked, shared, or reopened later.
      history.replaceState(null, '', `#/appraise?${stoneQuery(check.value)}`);
      setAnnouncement(
        `Estimated price ${money(valuation.price)}, ${valuation.range ? `likely between ${money(valuation.range.low)} and ${money(valuation.range.high)}` : 'no range given'}.${valuation.warnings.map((w) => ` ${w.message}`).join('')}`,
      );
    } catch (e) {
      setAnnouncement('');
      if (e instanceof ApiError && e.errors.length > 0) showProblems(e.errors);
      else setFailure(e instanceof ApiError ? `${e.title}: ${e.message}` : String(e));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = () => void submit(values);

  // Opened from an address that names a stone (#/appraise?carat=…): fill the form and appraise it.
  useEffect(() => {
    const named = valuesFromHash(location.hash);
    if (named) {
      setValues(named);
      void submit(named);
    }
  }, []);

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
        <div class="appraise__result">
          {result ? (
            <ValuationResult valuation={result.valuation} stone={result.stone} at={result.at} />
          ) : (
            <EmptyResult />
          )}
        </div>
        {result && (
          <>
            <div class="appraise__similar">
              <SimilarStones stone={result.stone} price={result.valuation.price} />
            </div>
            <div class="appraise__what-if">
              <WhatIfPanel base={result.stone} baseValuation={result.valuation} />
            </div>
          </>
        )}
      </div>
    </div>
  );
}
