/**
 * What if: move carat or a grade one notch and watch the price and the explanation move. Each click appraises the
 * changed stone through the API (an earlier request still in flight is cancelled); the panel compares it with the
 * stone as appraised, step by step.
 */
import { useEffect, useState } from 'preact/hooks';
import { FIELDS, hasMeasurements, type StoneToValue } from '../../../src/diamond/fields.js';
import { validateStoneToValue } from '../../../src/diamond/validate.js';
import { ApiError, appraise, type Valuation } from '../api.js';
import { capitalise, money, rangeText, signedMoney, signedPercent } from '../format.js';
import { shownSteps } from './shown-steps.js';
import { WaterfallChart } from './waterfall.js';
import { WHAT_IF_FIELDS, differences, nudge, type WhatIfField } from './what-if.js';

interface Props {
  base: StoneToValue;
  baseValuation: Valuation;
  /** The served model's carat limit, when known: no step goes past it. */
  maxCarat?: number;
}

function Stepper({
  name,
  stone,
  maxCarat,
  onChange,
}: {
  name: WhatIfField;
  stone: StoneToValue;
  maxCarat: number | undefined;
  onChange: (s: StoneToValue) => void;
}) {
  const label = FIELDS[name].label;
  const down = nudge(stone, name, -1, maxCarat);
  const up = nudge(stone, name, 1, maxCarat);
  const value = name === 'carat' ? `${stone.carat} ct` : stone[name];
  const describe = (s: StoneToValue | undefined, word: string) =>
    s === undefined
      ? `${label}: no ${word} step`
      : name === 'carat'
        ? `${label} ${word === 'up' ? '+' : '−'}0.1 ct (to ${s.carat} ct)`
        : `${label} one grade ${word} (to ${s[name]})`;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would bring its own border and minimum width; role=group says the same to assistive technology
    <div class="stepper" role="group" aria-label={`${label}: ${value}`}>
      <span class="stepper__label" aria-hidden="true">
        {label}
      </span>
      <button
        type="button"
        class="stepper__button"
        disabled={!down}
        aria-label={describe(down, 'down')}
        onClick={() => down && onChange(down)}
      >
        <span aria-hidden="true">{name === 'carat' ? '−0.1' : '−'}</span>
      </button>
      <output class="stepper__value" aria-hidden="true">
        {value}
      </output>
      <button
        type="button"
        class="stepper__button"
        disabled={!up}
        aria-label={describe(up, 'up')}
        onClick={() => up && onChange(up)}
      >
        <span aria-hidden="true">{name === 'carat' ? '+0.1' : '+'}</span>
      </button>
    </div>
  );
}

function Comparison({ base, changed }: { base: Valuation; changed: Valuation }) {
  const a = base.explanation;
  const b = changed.explanation;
  if (!a || !b) return null;
  const shownA = shownSteps(a, base.price);
  const shownB = shownSteps(b, changed.price);
  return (
    <table class="data-table comparison">
      <caption>How the explanation moved</caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col" class="num">
            As appraised
          </th>
          <th scope="col" class="num">
            What if
          </th>
          <th scope="col" class="num">
            Difference
          </th>
        </tr>
      </thead>
      <tbody>
        {a.steps.map((s, i) => {
          const t = b.steps[i];
          // the shares as the waterfall shows them (whole dollars that add up to each price)
          const before = shownA[i].share;
          const after = shownB[i].share;
          const moved = after - before;
          return (
            <tr key={s.factor} class={s.label !== t.label ? 'changed' : undefined}>
              <th scope="row">{s.label === t.label ? capitalise(s.label) : `${capitalise(s.label)} → ${t.label}`}</th>
              <td class="num">{signedMoney(before)}</td>
              <td class="num">{signedMoney(after)}</td>
              <td class={`num ${moved > 0 ? 'up' : moved < 0 ? 'down' : ''}`}>{signedMoney(moved)}</td>
            </tr>
          );
        })}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Price</th>
          <td class="num">{money(base.price)}</td>
          <td class="num">{money(changed.price)}</td>
          <td class="num">{signedMoney(changed.price - base.price)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

export function WhatIfPanel({ base, baseValuation, maxCarat }: Props) {
  const [stone, setStone] = useState<StoneToValue>(base);
  const [valuation, setValuation] = useState<Valuation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setStone(base);
    setValuation(null);
    setError(null);
  }, [base]);

  const changes = differences(base, stone);
  useEffect(() => {
    if (changes.length === 0) {
      setValuation(null);
      setError(null);
      return;
    }
    const check = validateStoneToValue(stone);
    if (!check.ok) {
      setValuation(null);
      setError(check.problems.map((p) => p.message).join(' '));
      return;
    }
    const controller = new AbortController();
    setBusy(true);
    appraise(check.value, controller.signal)
      .then((v) => {
        setValuation(v);
        setError(null);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setValuation(null);
        setError(e instanceof ApiError ? [e.message, ...e.errors.map((p) => p.message)].join(' ') : String(e));
      })
      .finally(() => {
        if (!controller.signal.aborted) setBusy(false);
      });
    return () => controller.abort();
  }, [stone]);

  const delta = valuation ? valuation.price - baseValuation.price : 0;
  // A carat change scales x, y and z with it; name the carat change only.
  const caratChanged = changes.some((c) => c.field === 'carat');
  const shown = changes.filter((c) => !(caratChanged && (c.field === 'x' || c.field === 'y' || c.field === 'z')));
  return (
    <section class="panel what-if" aria-labelledby="what-if-title">
      <div class="panel__head">
        <h2 id="what-if-title" class="panel__title">
          What if…
        </h2>
        <button
          type="button"
          class="button button--quiet"
          disabled={changes.length === 0}
          onClick={() => setStone(base)}
        >
          Back to the stone as appraised
        </button>
      </div>
      <p class="panel__intro">Move one characteristic a notch and see how the price and its explanation change.</p>
      <div class="steppers">
        {WHAT_IF_FIELDS.map((name) => (
          <Stepper key={name} name={name} stone={stone} maxCarat={maxCarat} onChange={setStone} />
        ))}
      </div>
      {/* A short announcement for screen readers; the comparison below is read when they move to it. */}
      <p class="visually-hidden" role="status">
        {changes.length > 0 && valuation && !busy
          ? `What if ${shown.map((c) => `${FIELDS[c.field].label.toLowerCase()} ${c.to}`).join(', ')}: ${money(valuation.price)}, ${signedMoney(delta)} (${signedPercent((delta / baseValuation.price) * 100)}).`
          : ''}
      </p>
      <section
        class="what-if__result"
        aria-label="What-if result"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls sideways on a phone; keyboard users must reach it
        tabIndex={0}
        aria-busy={busy ? 'true' : 'false'}
        data-testid="what-if-result"
      >
        {changes.length === 0 ? (
          <p class="muted">Change a characteristic above to compare.</p>
        ) : error ? (
          <p class="field__error">{error}</p>
        ) : valuation ? (
          <>
            <p class="what-if__change">
              {shown.map((c) => `${FIELDS[c.field].label} ${c.from} → ${c.to}`).join(', ')}
              {caratChanged && hasMeasurements(base) && hasMeasurements(stone) && (
                <span class="what-if__scaled" data-testid="what-if-measurements">
                  Measurements scaled to the new weight: {base.x} × {base.y} × {base.z} mm → {stone.x} × {stone.y} ×{' '}
                  {stone.z} mm
                </span>
              )}
            </p>
            <div class="what-if__prices">
              <div>
                <p class="price__label">As appraised</p>
                <p class="what-if__price">{money(baseValuation.price)}</p>
              </div>
              <div class="what-if__arrow" aria-hidden="true">
                →
              </div>
              <div>
                <p class="price__label">What if</p>
                <p class="what-if__price" data-testid="what-if-price">
                  {money(valuation.price)}
                </p>
              </div>
              <div class={`what-if__delta ${delta > 0 ? 'up' : delta < 0 ? 'down' : ''}`} data-testid="what-if-delta">
                {signedMoney(delta)} <span>({signedPercent((delta / baseValuation.price) * 100)})</span>
              </div>
            </div>
            <p class="muted">Likely range {rangeText(valuation.range)}</p>
            {valuation.explanation && (
              <>
                <WaterfallChart
                  explanation={valuation.explanation}
                  quoted={valuation.price}
                  id="what-if-chart"
                  before={
                    baseValuation.explanation && { explanation: baseValuation.explanation, quoted: baseValuation.price }
                  }
                />
                <p class="legend" aria-hidden="true">
                  <span class="legend__ghost" /> Outline: the stone as appraised
                </p>
              </>
            )}
            <Comparison base={baseValuation} changed={valuation} />
          </>
        ) : (
          <p class="muted">Appraising…</p>
        )}
      </section>
    </section>
  );
}
