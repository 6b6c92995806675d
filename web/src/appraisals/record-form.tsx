/**
 * Record one stone with the expert's price. The row is checked by the server's ingestion (one schema, one leniency
 * policy, the same messages as a file); a rejected row comes back with its reasons, shown on its fields with a
 * one-click fix where one is suggested, and pressing Record again resubmits it as the fix of that rejected row.
 * Only fields left empty are caught in the browser (with the shared validator's messages), before anything is sent:
 * the server would keep such a row as a rejected one for someone to dismiss, and a second Enter after a record (on
 * the form it cleared) would send exactly that.
 */
import { useRef, useState } from 'preact/hooks';
import type { AppraisalFieldName } from '../../../src/diamond/fields.js';
import { validateAppraisal } from '../../../src/diamond/validate.js';
import { ApiError, fixReject, recordAppraisal, type FieldProblem, type SubmissionResult } from '../api.js';
import { fieldRenderers } from '../appraise/field-renderers.js';
import { rangeText, money } from '../format.js';
import {
  emptyAppraisal,
  fieldsNamed,
  inputOf,
  reasonsByField,
  stoneText,
  type AppraisalValues,
} from './appraisal-values.js';

interface Props {
  /** Told of every submission, so the lists of recorded and rejected rows can be read again. */
  onRecorded: (result: SubmissionResult) => void;
}

type Outcome =
  | { kind: 'none' }
  | { kind: 'stored'; result: SubmissionResult }
  | { kind: 'rejected'; rejectId: number; reasons: FieldProblem[] }
  | { kind: 'failed'; message: string };

/** The fields left empty, as the shared validator words them; the rest of the row is the server's to check. */
function missingFields(values: AppraisalValues): FieldProblem[] {
  const check = validateAppraisal(inputOf(values));
  return check.ok ? [] : check.problems.filter((p) => p.code === 'missing');
}

const untouched = (values: AppraisalValues): boolean => Object.values(values).every((v) => v.trim() === '');

function StoredNote({ result }: { result: SubmissionResult }) {
  const a = result.appraisals[0];
  if (!a) return null;
  const m = a.model;
  return (
    <p class="notice notice--ok" data-testid="record-stored">
      Recorded: {stoneText(a)} at {money(a.price)}.{' '}
      {m
        ? `The model (${m.version}) says ${money(m.price)}, range ${rangeText(m.range)}${
            m.inside === null ? '' : m.inside ? ': your price is inside it.' : ': your price is outside it.'
          }`
        : 'No model is loaded to compare it with.'}
    </p>
  );
}

export function RecordForm({ onRecorded }: Props) {
  const [values, setValues] = useState<AppraisalValues>(emptyAppraisal);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'none' });
  const [busy, setBusy] = useState(false);
  /** Fields found empty on the last press of Record (nothing was sent); re-checked as the user types. */
  const [missing, setMissing] = useState<FieldProblem[]>([]);
  const summary = useRef<HTMLDivElement>(null);

  const reasons = missing.length > 0 ? missing : outcome.kind === 'rejected' ? outcome.reasons : [];
  const { byField, row } = reasonsByField(reasons);
  const invalid = fieldsNamed(reasons);
  const set = (name: AppraisalFieldName | 'ref', value: string) => {
    const next = { ...values, [name]: value };
    setValues(next);
    if (missing.length > 0) setMissing(missingFields(next));
  };

  const submit = async () => {
    if (busy) return;
    // Record pressed again on the form a record just cleared: that stone is stored; nothing new to send.
    if (outcome.kind === 'stored' && untouched(values)) return;
    const empty = missingFields(values);
    setMissing(empty);
    if (empty.length > 0) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setBusy(true);
    try {
      const input = inputOf(values);
      const result =
        outcome.kind === 'rejected' ? await fixReject(outcome.rejectId, input) : await recordAppraisal(input);
      onRecorded(result);
      const reject = result.rejects[0];
      if (reject) {
        setOutcome({ kind: 'rejected', rejectId: reject.id, reasons: reject.reasons });
        requestAnimationFrame(() => summary.current?.focus());
      } else {
        setOutcome({ kind: 'stored', result });
        setValues(emptyAppraisal());
      }
    } catch (error) {
      setOutcome({ kind: 'failed', message: error instanceof ApiError ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  const { number, grade } = fieldRenderers({ values, byField, invalid, onChange: set });

  return (
    <form
      class="stone-form record-form"
      noValidate
      aria-labelledby="record-title"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div class="panel__head">
        <h2 id="record-title" class="panel__title">
          Record one stone
        </h2>
      </div>
      {reasons.length > 0 && (
        <div
          class="error-summary"
          ref={summary}
          tabIndex={-1}
          role="alert"
          data-testid={missing.length > 0 ? 'record-missing' : 'record-rejected'}
        >
          <h3 class="error-summary__title">
            {missing.length > 0
              ? 'Not sent: fill in the missing fields and press Record again'
              : 'Not recorded yet: correct the row and press Record again'}
          </h3>
          <ul>
            {reasons.map((p, i) => (
              <li key={i}>
                {p.message}
                {p.allowed && <span class="error-summary__allowed"> Allowed: {p.allowed}.</span>}
              </li>
            ))}
          </ul>
          {missing.length === 0 && row.length > 0 && (
            <p class="muted">The row stays listed under Rejected rows until fixed or dismissed.</p>
          )}
        </div>
      )}
      <div class="form-group">
        {number('carat')}
        {grade('cut')}
        {grade('color')}
        {grade('clarity')}
      </div>
      <fieldset class="form-group form-group--measurements">
        <legend class="form-group__title">Proportions and measurements</legend>
        <div class="measurements">
          {number('depth')}
          {number('table')}
          {number('x')}
          {number('y')}
          {number('z')}
        </div>
      </fieldset>
      <div class="form-group record-form__price">
        {number('price')}
        <div class="field">
          <label class="field__label" for="record-ref">
            Stock reference
          </label>
          <div class="field__control">
            <input
              id="record-ref"
              type="text"
              autoComplete="off"
              maxLength={100}
              value={values.ref}
              onInput={(e) => set('ref', (e.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <p class="field__hint">Optional; kept with the stone.</p>
        </div>
      </div>
      <div class="form-actions">
        <button type="submit" class="button button--primary" aria-disabled={busy ? 'true' : undefined}>
          {busy ? 'Recording…' : outcome.kind === 'rejected' ? 'Record the corrected row' : 'Record'}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {outcome.kind === 'stored' && <StoredNote result={outcome.result} />}
        {outcome.kind === 'failed' && <p class="notice notice--error">{outcome.message}</p>}
      </div>
    </form>
  );
}
