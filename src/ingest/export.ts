/**
 * Rejected rows back to CSV, to be fixed and ingested again: the file's own header and each row's raw text
 * unchanged, plus a `reasons` column saying what is wrong (ignored as an extra column when re-ingested).
 *
 * Two exceptions to "unchanged", both so that the export is safe to open and to ingest again:
 * - a row or header with a formula-like cell (`=…`, `@…`) is written cell by cell with csvCell, which neutralises it;
 * - a header that already has a `reasons` column (a file that was itself an export) loses that column, in the
 *   header and in every row, so the export has one `reasons` column, with the reasons of this ingestion.
 */
import { csvCell, isFormulaLike } from '../diamond/index.js';
import type { RejectRecord } from '../store/rejects.js';
import { splitRecord } from './csv.js';

export const REASONS_COLUMN = 'reasons';

/** The fields of a record, or undefined when it is not valid CSV. */
function fieldsOf(text: string): string[] | undefined {
  const split = splitRecord(text);
  return 'error' in split ? undefined : split.fields;
}

/**
 * A record as it will be written: its raw text when that is safe and complete, else its cells one by one (without
 * the column at `drop`, -1 for none). A record that is not valid CSV stays as it is, unless a piece of it between
 * commas looks like a formula: it is then written as one neutralised cell.
 */
function exportRecord(text: string, fields: string[] | undefined, drop: number): string {
  if (fields === undefined) {
    const risky = text.split(',').some((piece) => isFormulaLike(piece.replace(/^\s*"/, '')));
    return risky ? csvCell(text) : text;
  }
  if (drop === -1) return safeCsvRecord(text, fields);
  return fields
    .filter((_, i) => i !== drop)
    .map(csvCell)
    .join(',');
}

/** A record as it stood, unless a cell of it is formula-like: then cell by cell, neutralised (see csvCell). */
export function safeCsvRecord(text: string, fields: readonly string[]): string {
  return fields.some(isFormulaLike) ? fields.map(csvCell).join(',') : text;
}

/** The lines (without line endings) of a CSV of rejected rows that share one header. */
export function* toRejectsCsv(header: string, rejects: Iterable<RejectRecord>): Generator<string> {
  const columns = fieldsOf(header);
  const drop = columns?.findIndex((c) => c.trim().toLowerCase() === REASONS_COLUMN) ?? -1;
  yield `${exportRecord(header, columns, drop)},${REASONS_COLUMN}`;
  for (const r of rejects) {
    const fields = fieldsOf(r.rawText);
    // A row of another width than the header (malformed) has no column to drop: it is kept as it stood.
    const dropHere = fields?.length === columns?.length ? drop : -1;
    yield `${exportRecord(r.rawText, fields, dropHere)},${csvCell(r.reasons.map((p) => p.message).join(' | '))}`;
  }
}
