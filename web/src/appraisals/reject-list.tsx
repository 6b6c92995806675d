/**
 * Rejected rows of recorded submissions, each corrected in place: its cells as they stood, its reasons beside the
 * cells they name, a one-click fix where the reason suggests a value, then Resubmit (recorded as the fix of this
 * row) or Dismiss. A row stays listed until one of the two succeeds.
 */
import { useState } from 'preact/hooks';
import { APPRAISAL_FIELDS, FIELDS } from '../../../src/diamond/fields.js';
import { ApiError, dismissReject, fixReject, type OpenReject, type SubmissionResult } from '../api.js';
import { dateTime } from '../format.js';
import {
  fieldsNamed,
  inputOf,
  proposedValue,
  reasonsByField,
  valuesOfRow,
  type AppraisalValues,
} from './appraisal-values.js';

interface RowProps {
  reject: OpenReject;
  onFixed: (result: SubmissionResult) => void;
  onDismissed: (id: number) => void;
}

function RejectRow({ reject, onFixed, onDismissed }: RowProps) {
  const [values, setValues] = useState<AppraisalValues>(() => valuesOfRow(reject.fields));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const { byField } = reasonsByField(reject.reasons);
  const invalid = fieldsNamed(reject.reasons);
  const id = (field: string) => `reject-${reject.id}-${field}`;

  const act = async (what: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setFailure(null);
    try {
      await what();
    } catch (error) {
      setFailure(error instanceof ApiError ? error.message : String(error));
      setBusy(false);
    }
  };

  return (
    <li class="reject" data-testid="reject" data-line={reject.line}>
      <form
        aria-label={`Line ${reject.line} of ${reject.submissionName}`}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => onFixed(await fixReject(reject.id, inputOf(values))));
        }}
      >
        <p class="reject__where">
          <strong>
            Line {reject.line} of {reject.submissionName}
          </strong>{' '}
          <span class="muted">
            recorded by {reject.recordedBy}, {dateTime(reject.recordedAt)}
          </span>
        </p>
        <ul class="reject__reasons">
          {reject.reasons.map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
        <div class="reject__cells">
          {APPRAISAL_FIELDS.map((f) => {
            const fix = (byField.get(f) ?? []).map((p) => proposedValue(p, f)).find((v) => v !== undefined);
            return (
              <div key={f} class={`reject__cell${invalid.has(f) ? ' field--invalid' : ''}`}>
                <label for={id(f)}>{FIELDS[f].label}</label>
                <input
                  id={id(f)}
                  type="text"
                  autoComplete="off"
                  spellcheck={false}
                  value={values[f]}
                  aria-invalid={invalid.has(f) ? 'true' : undefined}
                  onInput={(e) => setValues((v) => ({ ...v, [f]: (e.currentTarget as HTMLInputElement).value }))}
                />
                {fix !== undefined && fix !== values[f] && (
                  <button
                    type="button"
                    class="button button--quiet reject__fix"
                    onClick={() => setValues((v) => ({ ...v, [f]: fix }))}
                  >
                    Use {fix}
                  </button>
                )}
              </div>
            );
          })}
        </div>
        <div class="reject__actions">
          <button type="submit" class="button button--primary" aria-disabled={busy ? 'true' : undefined}>
            Resubmit
          </button>
          <button
            type="button"
            class="button button--quiet"
            aria-disabled={busy ? 'true' : undefined}
            onClick={() =>
              void act(async () => {
                await dismissReject(reject.id);
                onDismissed(reject.id);
              })
            }
          >
            Dismiss
          </button>
        </div>
        {failure && (
          <p class="notice notice--error" role="alert">
            {failure}
          </p>
        )}
      </form>
    </li>
  );
}

interface Props {
  rejects: OpenReject[];
  onFixed: (result: SubmissionResult) => void;
  onDismissed: (id: number) => void;
}

export function RejectList({ rejects, onFixed, onDismissed }: Props) {
  if (rejects.length === 0) return <p class="muted">No rejected rows are waiting.</p>;
  return (
    <ul class="rejects" data-testid="rejects">
      {rejects.map((r) => (
        <RejectRow key={r.id} reject={r} onFixed={onFixed} onDismissed={onDismissed} />
      ))}
    </ul>
  );
}
