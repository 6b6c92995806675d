/**
 * Batch: choose (or drop) a CSV of stones, see a price or an error for every row, download the results.
 * Rows with problems are checked in the browser with the shared validator and never sent; the rest go to the
 * batch endpoint. The table can be narrowed to the rows with errors, which is what a person has to fix.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { columnKey } from '../../../src/diamond/columns.js';
import { FIELDS, STONE_FIELDS, type StoneFieldName } from '../../../src/diamond/fields.js';
import { normalisationMessage } from '../../../src/diamond/validate.js';
import { proposedValue } from '../appraisals/appraisal-values.js';
import { downloadText } from '../download.js';
import { money, rangeText, signedMoney } from '../format.js';
import { ScrollRegion } from '../scroll-region.js';
import {
  appraiseRows,
  batchTotals,
  errorText,
  filePrice,
  fixedRow,
  readBatchFile,
  resultsCsv,
  resultsName,
  templateCsv,
  unansweredRows,
  type BatchFile,
  type BatchRow,
} from './batch.js';
import { type SortKey, type SortOrder, sortRows } from './sort.js';

const SHOWN_ROWS = 500;

type Stage =
  | { kind: 'idle' }
  | { kind: 'failed'; message: string }
  | { kind: 'working'; file: BatchFile; done: number; total: number }
  | { kind: 'done'; file: BatchFile };

function templateHref(): string {
  const example: Record<string, string | number> = {};
  for (const f of STONE_FIELDS) example[f] = FIELDS[f].example;
  return `data:text/csv;charset=utf-8,${encodeURIComponent(templateCsv(example))}`;
}

/** The file's own reference for a stone (a stock number, an id): its first column that is not a characteristic. */
function referenceColumn(columns: string[]): number {
  return columns.findIndex(
    (c) => !(STONE_FIELDS as readonly string[]).includes(c.trim().toLowerCase()) && c.trim().toLowerCase() !== 'price',
  );
}

/** The file's price for a row and Loupe's price minus it ("—" when either is missing). */
function OwnPriceCells({ file, row }: { file: BatchFile; row: BatchRow }) {
  const own = filePrice(file, row);
  return (
    <>
      <td class="num batch-table__own">{own === undefined ? '—' : money(own)}</td>
      <td class="num batch-table__difference">
        {own === undefined || !row.valuation ? '—' : signedMoney(row.valuation.price - own)}
      </td>
    </>
  );
}

/** A column header that sorts the table by it: ascending first, then descending; `aria-sort` says which. */
function SortHeader({
  label,
  sortKey,
  order,
  onSort,
  numeric = false,
}: {
  label: string;
  sortKey: SortKey;
  order: SortOrder;
  onSort: (order: SortOrder) => void;
  numeric?: boolean;
}) {
  const active = order.key === sortKey;
  return (
    <th
      scope="col"
      class={numeric ? 'num' : undefined}
      aria-sort={active ? (order.descending ? 'descending' : 'ascending') : 'none'}
    >
      <button
        type="button"
        class="sort-button"
        onClick={() => onSort({ key: sortKey, descending: active && !order.descending })}
      >
        {label}
        <span aria-hidden="true" class="sort-button__mark">
          {active ? (order.descending ? ' ▼' : ' ▲') : ''}
        </span>
      </button>
    </th>
  );
}

/** The fixes a row's problems propose that one click can accept ("Use 0.36 for carat"). */
function SuggestedFixes({ row, onFix }: { row: BatchRow; onFix: (field: StoneFieldName, value: string) => void }) {
  const fixes = (row.problems ?? []).flatMap((p) => {
    const field = STONE_FIELDS.find((f) => f === p.field);
    const value = field && proposedValue(p, field);
    return field && value !== undefined ? [{ field, value }] : [];
  });
  if (fixes.length === 0) return null;
  return (
    <div class="batch-table__fixes">
      {fixes.map(({ field, value }) => (
        <button
          type="button"
          class="button button--quiet button--small"
          key={field}
          onClick={() => onFix(field, value)}
        >
          Use {value} for {FIELDS[field].label.toLowerCase()}
        </button>
      ))}
    </div>
  );
}

function ResultTable({
  file,
  onlyErrors,
  onFix,
}: {
  file: BatchFile;
  onlyErrors: boolean;
  onFix: (row: BatchRow, field: StoneFieldName, value: string) => void;
}) {
  const [order, setOrder] = useState<SortOrder>({ key: 'line', descending: false });
  const reference = referenceColumn(file.columns);
  const rows = sortRows(file, onlyErrors ? file.rows.filter((r) => !r.valuation) : file.rows, order, reference);
  // The file carries its own price: shown beside Loupe's, with Loupe's minus the file's.
  const ownPrice = file.columns.some((c) => c.trim().toLowerCase() === 'price');
  const shown = rows.slice(0, SHOWN_ROWS);
  const header = (label: string, sortKey: SortKey, numeric = false) => (
    <SortHeader label={label} sortKey={sortKey} order={order} onSort={setOrder} numeric={numeric} />
  );
  return (
    <ScrollRegion label="Results, row by row">
      <table class="data-table batch-table" data-testid="batch-table">
        <caption class="visually-hidden">
          {onlyErrors ? 'Rows with errors' : 'Every row of the file'} and its result
        </caption>
        <thead>
          <tr>
            {header('Row', 'line', true)}
            {reference >= 0 && header(file.columns[reference], 'reference')}
            {header('Carat', 'carat', true)}
            {header('Cut', 'cut')}
            {header('Colour', 'color')}
            {header('Clarity', 'clarity')}
            {header('Price', 'price', true)}
            {ownPrice && (
              <>
                {header("File's price", 'own', true)}
                {header('Loupe − file', 'difference', true)}
              </>
            )}
            {header('Range or error', 'result')}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => {
            const at = (name: string) => {
              const i = file.columns.findIndex((c) => columnKey(c) === name);
              return i >= 0 ? (r.fields[i] ?? '') : '';
            };
            return (
              <tr key={r.line} class={r.valuation ? undefined : 'row--error'} data-line={r.line}>
                <th scope="row" class="num batch-table__line">
                  {r.line}
                </th>
                {reference >= 0 && <td class="batch-table__reference">{r.fields[reference] ?? ''}</td>}
                <td class="num batch-table__carat">{at('carat')}</td>
                <td>{at('cut')}</td>
                <td>{at('color')}</td>
                <td>{at('clarity')}</td>
                <td class="num batch-table__price">{r.valuation ? money(r.valuation.price) : '—'}</td>
                {ownPrice && <OwnPriceCells file={file} row={r} />}
                <td class={r.valuation ? 'batch-table__result' : 'batch-table__result batch-table__error'}>
                  {r.valuation ? rangeText(r.valuation.range) : r.problems ? errorText(r) : 'Waiting…'}
                  {!r.valuation && <SuggestedFixes row={r} onFix={(field, value) => onFix(r, field, value)} />}
                  {r.normalised && (
                    <div class="muted batch-table__note">{r.normalised.map(normalisationMessage).join(' ')}</div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length > SHOWN_ROWS && (
        <p class="muted">
          Showing the first {SHOWN_ROWS} of {rows.length.toLocaleString('en-US')} rows; the download holds every row.
        </p>
      )}
    </ScrollRegion>
  );
}

export function BatchPage() {
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [onlyErrors, setOnlyErrors] = useState(false);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const running = useRef<AbortController | null>(null);

  const start = async (f: File) => {
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    setOnlyErrors(false);
    const read = readBatchFile(f.name, await f.text());
    if (!read.ok) {
      setStage({ kind: 'failed', message: read.message });
      return;
    }
    const file = read.file;
    setStage({ kind: 'working', file, done: 0, total: 0 });
    try {
      await appraiseRows(
        file.rows,
        (done, total) => setStage({ kind: 'working', file, done, total }),
        controller.signal,
      );
      setStage({ kind: 'done', file });
    } catch {
      // Aborted because another file was chosen: that file's run owns the screen now.
    }
  };

  // A suggested fix accepted in the table: the row is checked again and, when it is now valid, appraised alone.
  const fix = async (row: BatchRow, field: StoneFieldName, value: string) => {
    if (stage.kind !== 'done') return;
    const file = stage.file;
    const fixed = fixedRow(file, row, field, value);
    const withRow = (r: BatchRow): BatchFile => ({ ...file, rows: file.rows.map((x) => (x === row ? r : x)) });
    setStage({ kind: 'done', file: withRow(fixed) });
    if (fixed.stone) {
      await appraiseRows([fixed], () => {});
      setStage({ kind: 'done', file: withRow({ ...fixed }) });
    }
  };

  // The rows the server never answered for, sent again; the table's other rows (and fixes made in it) stay.
  const retry = async () => {
    if (stage.kind !== 'done') return;
    const controller = new AbortController();
    running.current = controller;
    const file = { ...stage.file, rows: [...stage.file.rows] };
    setStage({ kind: 'working', file, done: 0, total: 0 });
    try {
      await appraiseRows(
        unansweredRows(file.rows),
        (done, total) => setStage({ kind: 'working', file, done, total }),
        controller.signal,
      );
      setStage({ kind: 'done', file: { ...file } });
    } catch {
      // Aborted because another file was chosen: that file's run owns the screen now.
    }
  };

  const counts = useMemo(() => {
    if (stage.kind !== 'done' && stage.kind !== 'working') return null;
    const t = batchTotals(stage.file);
    const unanswered = unansweredRows(stage.file.rows).length;
    return { total: t.stones, priced: t.valued, errors: t.failed, sumOfPrices: t.sumOfPrices, unanswered };
  }, [stage]);

  return (
    <div class="page">
      <div class="page__head">
        <h1 tabIndex={-1}>Appraise a batch</h1>
        <p class="page__lead">
          Upload a CSV file of stones and get a price and range — or the reason why not — for every row.
        </p>
      </div>
      <section class="panel" aria-labelledby="upload-title">
        <h2 id="upload-title" class="panel__title">
          Upload stones
        </h2>
        <p class="panel__intro">
          The first row names the columns: <code>{STONE_FIELDS.join(', ')}</code>, in any order; without the five
          measurements (no such columns, or a row's five cells empty) a stone is valued from its 4Cs alone. Other
          columns (a stock number, a date) are kept and come back in the download.{' '}
          <a href={templateHref()} download="loupe-template.csv">
            Download a template
          </a>
          .
        </p>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target only; the file input inside it is the way in by keyboard */}
        <div
          class={`dropzone${dragging ? ' dropzone--active' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            const f = e.dataTransfer?.files[0];
            if (f) void start(f);
          }}
        >
          <label for="batch-file" class="dropzone__label">
            CSV file of stones
          </label>
          <input
            ref={input}
            id="batch-file"
            type="file"
            accept=".csv,text/csv"
            aria-describedby="batch-file-hint"
            onChange={(e) => {
              const f = (e.currentTarget as HTMLInputElement).files?.[0];
              if (f) void start(f);
            }}
          />
          <p id="batch-file-hint" class="field__hint">
            Or drop the file here. Up to 1,000 stones go in each request; larger files are sent in parts.
          </p>
        </div>
        {stage.kind === 'failed' && (
          <p class="notice notice--error" role="alert">
            {stage.message}
          </p>
        )}
      </section>

      {(stage.kind === 'working' || stage.kind === 'done') && counts && (
        <section class="panel" aria-labelledby="results-title">
          <div class="panel__head">
            <h2 id="results-title" class="panel__title">
              Results for {stage.file.name}
            </h2>
            {stage.kind === 'done' && (
              <button
                type="button"
                class="button button--primary"
                onClick={() => downloadText(resultsName(stage.file.name), resultsCsv(stage.file))}
              >
                Download results (CSV)
              </button>
            )}
          </div>
          <div class="batch-summary" role="status" aria-live="polite" data-testid="batch-summary">
            {stage.kind === 'working' ? (
              <p>
                Appraising… {stage.done.toLocaleString('en-US')} of {stage.total.toLocaleString('en-US')} valid rows
                done.
              </p>
            ) : (
              <dl class="stats">
                <div>
                  <dt>Rows</dt>
                  <dd>{counts.total.toLocaleString('en-US')}</dd>
                </div>
                <div>
                  <dt>Appraised</dt>
                  <dd>{counts.priced.toLocaleString('en-US')}</dd>
                </div>
                <div class={counts.errors > 0 ? 'stats--bad' : undefined}>
                  <dt>With errors</dt>
                  <dd>{counts.errors.toLocaleString('en-US')}</dd>
                </div>
                <div>
                  <dt>Sum of prices</dt>
                  <dd data-testid="batch-sum">{money(counts.sumOfPrices)}</dd>
                </div>
              </dl>
            )}
          </div>
          {stage.kind === 'done' && counts.unanswered > 0 && (
            <p class="notice notice--error" data-testid="batch-unanswered">
              {counts.unanswered.toLocaleString('en-US')} {counts.unanswered === 1 ? 'row was' : 'rows were'} not
              appraised because the server did not answer.{' '}
              <button type="button" class="button" onClick={() => void retry()}>
                Try the failed rows again
              </button>
            </p>
          )}
          {stage.kind === 'done' && counts.errors > 0 && (
            <label class="checkbox">
              <input
                type="checkbox"
                checked={onlyErrors}
                onChange={(e) => setOnlyErrors((e.currentTarget as HTMLInputElement).checked)}
              />
              <span>Show only the rows with errors</span>
            </label>
          )}
          <ResultTable file={stage.file} onlyErrors={onlyErrors} onFix={fix} />
        </section>
      )}
    </div>
  );
}
