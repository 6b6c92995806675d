/**
 * Appraisals: the expert records appraisals — one stone, or a CSV file — and every row is accepted and stored or
 * rejected with its reasons; rejected rows wait below until fixed in place or dismissed; recorded appraisals are
 * listed with what the model says of each, filtered, and exported as CSV. A client of /v1/appraisals only.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  KEY_SAVED_EVENT,
  exportAppraisals,
  listAppraisals,
  openRejects,
  uploadAppraisals,
  type AppraisalFilter,
  type AppraisalList,
  type OpenReject,
  type SubmissionResult,
} from '../api.js';
import { downloadText } from '../download.js';
import { RecordForm } from './record-form.js';
import { RecordedFilters } from './recorded-filters.js';
import { RecordedTable } from './recorded-table.js';
import { RejectList } from './reject-list.js';
import { LearningNote, UploadSummary } from './upload-summary.js';

type Upload =
  | { kind: 'idle' }
  | { kind: 'sending'; name: string }
  | { kind: 'done'; result: SubmissionResult }
  | { kind: 'failed'; name: string; message: string };

const failure = (error: unknown): string => (error instanceof ApiError ? error.message : String(error));

export function AppraisalsPage() {
  const [filter, setFilter] = useState<AppraisalFilter>({});
  const [list, setList] = useState<AppraisalList | null>(null);
  const [rejects, setRejects] = useState<{ total: number; rejects: OpenReject[] } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [upload, setUpload] = useState<Upload>({ kind: 'idle' });
  const [notice, setNotice] = useState('');

  const reload = useCallback(async () => {
    try {
      const [l, r] = await Promise.all([listAppraisals(filter), openRejects()]);
      setList(l);
      setRejects(r);
      setLoadError(null);
    } catch (error) {
      setLoadError(failure(error));
    }
  }, [filter]);

  useEffect(() => {
    void reload();
    const again = () => void reload();
    addEventListener(KEY_SAVED_EVENT, again);
    return () => removeEventListener(KEY_SAVED_EVENT, again);
  }, [reload]);

  const send = async (file: File) => {
    setUpload({ kind: 'sending', name: file.name });
    try {
      const result = await uploadAppraisals(file.name, file);
      setUpload({ kind: 'done', result });
      await reload();
    } catch (error) {
      setUpload({ kind: 'failed', name: file.name, message: failure(error) });
    }
  };

  const fixed = async (result: SubmissionResult) => {
    setNotice(
      result.rejects.length === 0
        ? 'The corrected row was recorded.'
        : 'The corrected row was rejected again: its new reasons are listed.',
    );
    await reload();
  };

  return (
    <div class="page appraisals">
      <div class="page__head">
        <h1 tabIndex={-1}>Record appraisals</h1>
        <p class="page__lead">
          Every row is checked by the same rules as a file on the server: accepted rows are stored with who recorded
          them and when, and the model learns from them at its next retraining.
        </p>
      </div>
      {loadError && (
        <p class="notice notice--error" role="alert">
          {loadError}
        </p>
      )}
      <div class="appraisals__entry">
        <section class="panel" aria-labelledby="record-title">
          <RecordForm onRecorded={() => void reload()} />
        </section>
        <section class="panel" aria-labelledby="upload-title">
          <h2 id="upload-title" class="panel__title">
            Upload a file of appraisals
          </h2>
          <p class="panel__intro">
            A CSV file with a header row naming the ten columns (the nine characteristics and <code>price</code>), in
            any order; other columns are kept. Up to 8 MiB.
          </p>
          <label for="appraisals-file" class="field__label">
            CSV file of appraisals
          </label>
          <input
            id="appraisals-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              const f = (e.currentTarget as HTMLInputElement).files?.[0];
              if (f) void send(f);
            }}
          />
          <div role="status" aria-live="polite" data-testid="upload-status">
            {upload.kind === 'sending' && <p>Recording {upload.name}…</p>}
            {upload.kind === 'done' && <UploadSummary result={upload.result} />}
          </div>
          {upload.kind === 'failed' && (
            <p class="notice notice--error" role="alert">
              {upload.name} was not recorded: {upload.message}
            </p>
          )}
        </section>
      </div>

      <section class="panel" aria-labelledby="rejects-title">
        <h2 id="rejects-title" class="panel__title">
          Rejected rows{rejects && rejects.total > 0 ? ` (${rejects.total.toLocaleString('en-US')})` : ''}
        </h2>
        <p class="panel__intro">
          Correct a row where it stands (a suggested value is one click away) and resubmit it, or dismiss it. A row
          stays here until one of the two.
        </p>
        <p role="status" aria-live="polite" class="muted">
          {notice}
        </p>
        {rejects && rejects.total > rejects.rejects.length && (
          <p class="muted">
            The newest {rejects.rejects.length.toLocaleString('en-US')} of {rejects.total.toLocaleString('en-US')} are
            shown; the others appear as these are fixed or dismissed.
          </p>
        )}
        {rejects && (
          <RejectList
            rejects={rejects.rejects}
            onFixed={(r) => void fixed(r)}
            onDismissed={() => {
              setNotice('The row was dismissed.');
              void reload();
            }}
          />
        )}
      </section>

      <section class="panel" aria-labelledby="recorded-title">
        <div class="panel__head">
          <h2 id="recorded-title" class="panel__title">
            Recorded appraisals
          </h2>
          <button
            type="button"
            class="button button--quiet"
            onClick={() =>
              void exportAppraisals(filter).then(
                (csv) => downloadText('appraisals.csv', csv),
                (error) => setLoadError(failure(error)),
              )
            }
          >
            Export as CSV
          </button>
        </div>
        {list && <LearningNote learning={list.learning} />}
        <RecordedFilters filter={filter} recorders={list?.recorders ?? []} onChange={setFilter} />
        {list && (
          <>
            <p class="muted" data-testid="recorded-count">
              {list.next !== null && list.examined !== null
                ? `${list.total.toLocaleString('en-US')} of the newest ${list.examined.toLocaleString('en-US')} recorded appraisals match (more were not looked at); the export holds every one.`
                : list.total === 0
                  ? 'No recorded appraisals match.'
                  : list.total > list.appraisals.length
                    ? `The newest ${list.appraisals.length} of ${list.total.toLocaleString('en-US')}; the export holds every one.`
                    : `${list.total.toLocaleString('en-US')} recorded appraisal${list.total === 1 ? '' : 's'}.`}
            </p>
            {list.appraisals.length > 0 && (
              <RecordedTable appraisals={list.appraisals} caption="Recorded appraisals, newest first" />
            )}
          </>
        )}
      </section>
    </div>
  );
}
