/** What an upload did (rows read, accepted, rejected, with its recorded stones), and when the model last learned. */
import type { AppraisalList, SubmissionResult } from '../api.js';
import { dateTime } from '../format.js';
import { RecordedTable } from './recorded-table.js';

export function UploadSummary({ result }: { result: SubmissionResult }) {
  const s = result.submission;
  return (
    <div data-testid="upload-summary">
      <dl class="stats">
        <div>
          <dt>Rows read</dt>
          <dd>{s.rowsRead.toLocaleString('en-US')}</dd>
        </div>
        <div>
          <dt>Recorded</dt>
          <dd>{s.accepted.toLocaleString('en-US')}</dd>
        </div>
        <div class={s.rejected > 0 ? 'stats--bad' : undefined}>
          <dt>Rejected</dt>
          <dd>{s.rejected.toLocaleString('en-US')}</dd>
        </div>
      </dl>
      {s.rejected > 0 && (
        <p>
          {s.name}: {s.rejected === 1 ? 'one row was' : `${s.rejected} rows were`} rejected: fix or dismiss them under
          Rejected rows, below.
        </p>
      )}
      {result.appraisals.length > 0 && (
        <details class="upload-summary__rows">
          <summary>The recorded rows of {s.name}</summary>
          <RecordedTable appraisals={result.appraisals} caption={`Rows of ${s.name} recorded`} />
        </details>
      )}
    </div>
  );
}

export function LearningNote({ learning }: { learning: AppraisalList['learning'] }) {
  return (
    <p class="learning" data-testid="learning">
      {learning
        ? `Last learned from by model ${learning.version} (trained ${dateTime(learning.createdAt)}), on the appraisals recorded up to ${dateTime(learning.upTo)}: ${learning.trainedOn.toLocaleString('en-US')} of them in its training rows.`
        : 'No model has learned from appraisals recorded here yet: the next retraining will.'}
    </p>
  );
}
