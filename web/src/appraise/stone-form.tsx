/**
 * The nine characteristics of a stone: the 4Cs required, the five measurements all or none (without them the stone
 * is priced from its 4Cs alone). Limits, units and grade scales come from the shared schema (src/diamond); problems
 * come from the same validator the API runs, so the messages here are the ones the API would give.
 * Enter in any field submits; a failed submit lists every problem at the top and moves focus there.
 */
import type { Ref } from 'preact';
import { FIELDS, type StoneFieldName } from '../../../src/diamond/fields.js';
import type { FieldProblem } from '../api.js';
import { fieldRenderers } from './field-renderers.js';
import { fieldsOf, inputId, invalidFields, splitProblems, type StoneValues } from './stone-values.js';

interface Props {
  values: StoneValues;
  problems: FieldProblem[];
  busy: boolean;
  summaryRef: Ref<HTMLDivElement>;
  onChange: (name: StoneFieldName, value: string) => void;
  onSubmit: () => void;
  onExample: () => void;
  onClear: () => void;
  /** The served model's carat limit, when known (its hint says it instead of the schema's bound). */
  maxCarat?: number;
}

/** Where a problem's link in the error summary goes: the first field it names (the first option of a grade). */
function targetOf(problem: FieldProblem): string {
  const name = fieldsOf(problem)[0];
  if (!name) return 'stone-form';
  const f = FIELDS[name];
  return f.kind === 'grade'
    ? `${inputId(name)}-${f.scale[0].code.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
    : inputId(name);
}

function ErrorSummary({ problems, summaryRef }: { problems: FieldProblem[]; summaryRef: Ref<HTMLDivElement> }) {
  if (problems.length === 0) return null;
  return (
    <div class="error-summary" ref={summaryRef} tabIndex={-1} role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title" class="error-summary__title">
        {problems.length === 1
          ? 'There is a problem with this stone'
          : `There are ${problems.length} problems with this stone`}
      </h2>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>
            <a
              href={`#${targetOf(p)}`}
              onClick={(e) => {
                e.preventDefault();
                document.getElementById(targetOf(p))?.focus();
              }}
            >
              {p.message}
            </a>
            {p.allowed && <span class="error-summary__allowed"> Allowed: {p.allowed}.</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function StoneForm({
  values,
  problems,
  busy,
  summaryRef,
  onChange,
  onSubmit,
  onExample,
  onClear,
  maxCarat,
}: Props) {
  const { byField, shared } = splitProblems(problems);
  const invalid = invalidFields(problems);
  const { number, grade } = fieldRenderers({ values, byField, invalid, onChange, maxima: { carat: maxCarat } });
  return (
    <form
      id="stone-form"
      class="stone-form"
      noValidate
      aria-labelledby="stone-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <div class="panel__head">
        <h2 id="stone-form-title" class="panel__title">
          The stone
        </h2>
        <div class="panel__actions">
          <button type="button" class="button button--quiet" onClick={onExample}>
            Fill in an example
          </button>
          <button type="button" class="button button--quiet" onClick={onClear}>
            Clear
          </button>
        </div>
      </div>
      <ErrorSummary problems={problems} summaryRef={summaryRef} />
      <div class="form-group">
        {number('carat')}
        {grade('cut')}
        {grade('color')}
        {grade('clarity')}
      </div>
      <fieldset class="form-group form-group--measurements">
        <legend class="form-group__title">Proportions and measurements (optional)</legend>
        <p class="form-group__hint" id="measurements-hint">
          As on the grading report; depth % should match 2·z / (x + y). All five or none: left empty, the stone is
          priced from its 4Cs alone: a less sure price, its ranges wider on the whole.
        </p>
        <div class="measurements">
          {number('depth')}
          {number('table')}
          {number('x')}
          {number('y')}
          {number('z')}
        </div>
        {shared.length > 0 && (
          <p class="field__error" id="stone-shared-error">
            {shared.map((p) => p.message).join(' ')}
          </p>
        )}
      </fieldset>
      <div class="form-actions">
        <button type="submit" class="button button--primary" aria-disabled={busy ? 'true' : undefined}>
          {busy ? 'Appraising…' : 'Appraise'}
        </button>
      </div>
    </form>
  );
}
