/**
 * A batch file's journey: CSV text → one row per record, each either a stone or the problems the shared validator
 * (or the CSV reader) found → the valid stones appraised by the API in chunks → a CSV to download with a price,
 * its range or the error on every row. No row is dropped: every record of the file comes back, in its order.
 */
import {
  FOUR_C_FIELDS,
  MEASUREMENT_FIELDS,
  STONE_FIELDS,
  type Stone,
  type StoneFieldName,
  type StoneToValue,
} from '../../../src/diamond/fields.js';
import { normalisationMessage, validateStoneToValue, type Normalisation } from '../../../src/diamond/validate.js';
import { columnKey, delimiterMessage, otherDelimiter } from '../../../src/diamond/columns.js';
import { ApiError, BATCH_LIMIT, appraiseBatch, type FieldProblem, type Valuation } from '../api.js';
import { parseCsv, toCsv } from './csv.js';

export interface BatchRow {
  /** Line of the file where the row starts (the header is line 1). */
  line: number;
  /** The record's fields as in the file. */
  fields: string[];
  /** All nine characteristics, or the 4Cs alone (the row's five measurements empty, or the file has no such columns). */
  stone?: StoneToValue;
  /** Grades read in another spelling (`ideal` as Ideal), under the shared leniency policy; said in the results. */
  normalised?: Normalisation[];
  valuation?: Valuation;
  problems?: FieldProblem[];
}

export interface BatchFile {
  name: string;
  columns: string[];
  rows: BatchRow[];
}

export type ReadResult = { ok: true; file: BatchFile } | { ok: false; message: string };

// Header names as ingestion reads them: any letter case, `Colour` as color (src/diamond/columns.ts).
const normalise = columnKey;

/** Each column's position by its name as ingestion reads it (the first, when a name repeats). */
function columnIndex(columns: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  columns.forEach((c, i) => {
    if (!index.has(normalise(c))) index.set(normalise(c), i);
  });
  return index;
}

const MEASUREMENTS = MEASUREMENT_FIELDS.join(', ');
const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');

/**
 * The rule of the form and the API (validateStoneToValue): the 4Cs columns are needed, the five measurement columns
 * all or none; a row whose five measurement cells are empty is valued from its 4Cs alone.
 */
export function readBatchFile(name: string, text: string): ReadResult {
  const records = parseCsv(text);
  if (records.length === 0)
    return { ok: false, message: `${name} is empty: a header row and at least one stone are needed.` };
  const [header, ...body] = records;
  const columns = header.fields;
  const separatedBy = columns.length === 1 ? otherDelimiter(columns[0]) : undefined;
  if (separatedBy) return { ok: false, message: `${name}: ${delimiterMessage(separatedBy)}.` };
  const index = columnIndex(columns);
  const missing = FOUR_C_FIELDS.filter((f) => !index.has(f));
  if (missing.length > 0) {
    return {
      ok: false,
      message:
        `${name} has no column ${quoted(missing)}. The first row must name the columns; ` +
        `needed are ${FOUR_C_FIELDS.join(', ')}, and ${MEASUREMENTS} all or none ` +
        '(any order, other columns are kept as they are).',
    };
  }
  const measured = MEASUREMENT_FIELDS.filter((f) => index.has(f));
  if (measured.length > 0 && measured.length < MEASUREMENT_FIELDS.length) {
    const absent = MEASUREMENT_FIELDS.filter((f) => !index.has(f));
    return {
      ok: false,
      message: `${name} has the measurement columns ${quoted(measured)} but no ${quoted(absent)}: give all five (${MEASUREMENTS}) or none, to value the stones from their 4Cs alone.`,
    };
  }
  if (body.length === 0) return { ok: false, message: `${name} has a header but no stones.` };
  const rows = body.map((record): BatchRow => {
    const row: BatchRow = { line: record.line, fields: record.fields };
    if (record.error || record.fields.length !== columns.length) {
      row.problems = [
        {
          field: '',
          code: 'malformed_row',
          message:
            record.error ??
            `The row has ${record.fields.length} fields but the header has ${columns.length}; its values cannot be matched to the columns.`,
          allowed: `${columns.length} comma-separated fields, quoted with " when a field holds a comma`,
        },
      ];
      return row;
    }
    return checkRow(row, index);
  });
  return { ok: true, file: { name, columns, rows } };
}

/** Validates a well-formed row's stone with the shared validator: it gets its stone, or its problems. */
function checkRow(row: BatchRow, index: Map<string, number>): BatchRow {
  const raw: Partial<Record<StoneFieldName, string>> = {};
  for (const f of STONE_FIELDS) if (index.has(f)) raw[f] = row.fields[index.get(f)!];
  const check = validateStoneToValue(raw);
  if (check.ok) {
    row.stone = check.value;
    if (check.normalised.length > 0) row.normalised = check.normalised;
  } else row.problems = check.problems;
  return row;
}

/**
 * The row with one field replaced (a suggested fix the person accepted), checked again: a new row, with a stone
 * to appraise or its remaining problems. The file's other rows are not touched.
 */
export function fixedRow(file: BatchFile, row: BatchRow, field: StoneFieldName, value: string): BatchRow {
  const index = columnIndex(file.columns);
  const fields = [...row.fields];
  fields[index.get(field)!] = value;
  return checkRow({ line: row.line, fields }, index);
}

/** The problem of a valid row whose request got no answer (the server unreachable, or it failed): worth retrying. */
const NOT_REACHED = 'request_failed';

/** The valid rows the server never answered for: what "Try the failed rows again" sends, and nothing else. */
export function unansweredRows(rows: readonly BatchRow[]): BatchRow[] {
  return rows.filter((r) => r.stone !== undefined && r.problems?.some((p) => p.code === NOT_REACHED));
}

/**
 * Appraises every valid row, BATCH_LIMIT at a time, reporting progress; the rows are updated in place (a row
 * tried again loses the problem of its earlier try).
 */
export async function appraiseRows(
  rows: BatchRow[],
  onProgress: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const pending = rows.filter((r) => r.stone !== undefined);
  onProgress(0, pending.length);
  for (let start = 0; start < pending.length; start += BATCH_LIMIT) {
    const chunk = pending.slice(start, start + BATCH_LIMIT);
    try {
      // The batch endpoint values 4Cs-only stones too (its schema: the measurements all or none); appraiseBatch's
      // parameter type is narrower than what the API accepts.
      const items = await appraiseBatch(
        chunk.map((r) => r.stone as Stone),
        signal,
      );
      items.forEach((item, i) => {
        if (item.ok) {
          chunk[i].valuation = item.valuation;
          delete chunk[i].problems;
        } else chunk[i].problems = item.errors;
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      const message = e instanceof ApiError ? `Not appraised: ${e.title}. ${e.message}` : `Not appraised: ${String(e)}`;
      for (const r of chunk) r.problems = [{ field: '', code: NOT_REACHED, message }];
    }
    onProgress(Math.min(start + BATCH_LIMIT, pending.length), pending.length);
  }
}

export function errorText(row: BatchRow): string {
  return (row.problems ?? []).map((p) => p.message).join(' ');
}

/** What was read in another spelling, then the valuation's warnings: the sentences a person should see. */
export function notesText(row: BatchRow): string {
  const read = (row.normalised ?? []).map(normalisationMessage);
  const warned = row.valuation?.warnings.map((w) => w.message) ?? [];
  return [...read, ...warned].join(' ');
}

const RESULT_COLUMNS = ['price', 'price_low', 'price_high', 'model_version', 'error', 'notes'];

/** The file as uploaded with the result columns added; prefixed "loupe_" if the file already has such a column. */
export function resultsCsv(file: BatchFile): string {
  const taken = new Set(file.columns.map(normalise));
  const clash = RESULT_COLUMNS.some((c) => taken.has(c));
  const added = RESULT_COLUMNS.map((c) => (clash ? `loupe_${c}` : c));
  const rows: string[][] = [[...file.columns, ...added]];
  for (const r of file.rows) {
    const fields = file.columns.map((_, i) => r.fields[i] ?? '');
    const v = r.valuation;
    rows.push([
      ...fields,
      v ? String(v.price) : '',
      v?.range ? String(v.range.low) : '',
      v?.range ? String(v.range.high) : '',
      v ? v.modelVersion : '',
      v ? '' : errorText(r),
      notesText(r),
    ]);
  }
  return toCsv(rows);
}

/** "stones.csv" → "stones-appraised.csv" */
export function resultsName(name: string): string {
  return `${name.replace(/\.csv$/i, '') || 'stones'}-appraised.csv`;
}

/** A file to start from: the header and the schema's example stone. */
export function templateCsv(example: Record<string, string | number>): string {
  return toCsv([[...STONE_FIELDS], STONE_FIELDS.map((f) => String(example[f]))]);
}

/** The file's own price for a row (its `price` column, a plain number), to show beside Loupe's; else undefined. */
export function filePrice(file: BatchFile, row: BatchRow): number | undefined {
  const i = file.columns.findIndex((c) => normalise(c) === 'price');
  const text = i >= 0 ? (row.fields[i] ?? '').trim() : '';
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

export interface BatchTotals {
  stones: number;
  valued: number;
  failed: number;
  /** Loupe's prices of the valued stones, added up. */
  sumOfPrices: number;
}

export function batchTotals(file: BatchFile): BatchTotals {
  let valued = 0;
  let failed = 0;
  let sumOfPrices = 0;
  for (const r of file.rows) {
    if (r.valuation) {
      valued++;
      sumOfPrices += r.valuation.price;
    } else if (r.problems) failed++;
  }
  return { stones: file.rows.length, valued, failed, sumOfPrices };
}
