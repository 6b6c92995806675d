/**
 * From a CSV file to validated appraisal rows: the header names the columns (any order, any letter case,
 * extra columns kept aside), every later record becomes one row, accepted or rejected by the diamond schema.
 * No database and no duplicate detection here: that is the store's job, in ingestFile.
 */
import {
  APPRAISAL_FIELDS,
  validateAppraisal,
  type Appraisal,
  type AppraisalFieldName,
  type Validation,
} from '../diamond/index.js';
import { CsvRecordTooLong, CsvSplitter, type CsvRecord } from './csv.js';
import { IngestFileError } from './errors.js';
import { openTextSource } from './source.js';

export interface ReadRow {
  /** 1-based physical line of the file the row starts on (the header is line 1). */
  line: number;
  /** 0-based index among the data rows, header excluded (the numbering of diamonds.reference-split.txt). */
  dataRow: number;
  /** The row as it stood in the file, without its line ending. */
  rawText: string;
  /** The ten appraisal columns by field name, as text. */
  raw: Record<string, string>;
  /** Every other column, by its header name. */
  extra: Record<string, string>;
  result: Validation<Appraisal>;
}

/** A batch of rows and how far into the file they reach. */
export interface RowBatch {
  rows: ReadRow[];
  bytesRead: number;
}

export interface RowStream {
  name: string;
  bytes: number;
  /** The header line as it stood in the file (without a byte-order mark). */
  header(): string;
  batches: AsyncGenerator<RowBatch>;
  /** SHA-256 of the file's bytes; known once `batches` is exhausted. */
  sha256(): string;
}

interface Columns {
  headerText: string;
  width: number;
  /** Column index of each appraisal field. */
  fieldAt: Record<AppraisalFieldName, number>;
  /** Index and name of every other column. */
  extras: Array<[number, string]>;
}

function readHeader(name: string, record: CsvRecord): Columns {
  if (record.error) throw new IngestFileError(name, `the header (line ${record.line}) is not valid CSV: ${record.error}`);
  const names = record.fields.map((f) => f.trim().toLowerCase());
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    if (n === '') return;
    if (seen.has(n)) throw new IngestFileError(name, `the header names column "${n}" twice (columns ${seen.get(n)! + 1} and ${i + 1})`);
    seen.set(n, i);
  });
  const missing = APPRAISAL_FIELDS.filter((f) => !seen.has(f));
  if (missing.length > 0) {
    throw new IngestFileError(
      name,
      `required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing from the header ` +
        `(found: ${record.fields.join(', ') || 'nothing'}; required: ${APPRAISAL_FIELDS.join(', ')})`,
    );
  }
  const fieldAt = {} as Record<AppraisalFieldName, number>;
  for (const f of APPRAISAL_FIELDS) fieldAt[f] = seen.get(f)!;
  const wanted = new Set<number>(Object.values(fieldAt));
  const extras: Array<[number, string]> = [];
  record.fields.forEach((f, i) => {
    if (!wanted.has(i)) extras.push([i, f.trim() === '' ? `column_${i + 1}` : f.trim()]);
  });
  return { headerText: record.text, width: record.fields.length, fieldAt, extras };
}

function toRow(columns: Columns, record: CsvRecord, dataRow: number): ReadRow {
  const { fields } = record;
  const raw: Record<string, string> = {};
  for (const f of APPRAISAL_FIELDS) {
    const v = fields[columns.fieldAt[f]];
    if (v !== undefined) raw[f] = v;
  }
  const extra: Record<string, string> = {};
  for (const [i, n] of columns.extras) {
    const v = fields[i];
    if (v !== undefined) extra[n] = v;
  }
  let result: Validation<Appraisal>;
  if (record.error) {
    result = {
      ok: false,
      normalised: [],
      problems: [{ field: 'row', code: 'malformed_row', message: `Line ${record.line} is not valid CSV: ${record.error}.`, allowed: 'RFC 4180 CSV' }],
    };
  } else if (fields.length !== columns.width) {
    const few = fields.length < columns.width;
    result = {
      ok: false,
      normalised: [],
      problems: [{
        field: 'row',
        code: 'malformed_row',
        message:
          `Line ${record.line} has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${columns.width}; ` +
          (few ? 'a value or a comma is probably missing.' : 'a value probably contains a comma without being quoted ("…").'),
        allowed: `${columns.width} comma-separated fields, as in the header`,
      }],
    };
  } else {
    result = validateAppraisal(raw);
  }
  return { line: record.line, dataRow, rawText: record.text, raw, extra, result };
}

/** Streams a file as batches of validated rows; whole-file failures are thrown as IngestFileError while reading. */
export async function openRowStream(path: string): Promise<RowStream> {
  const source = await openTextSource(path);
  const { name } = source;
  let columns: Columns | undefined;

  async function* batches(): AsyncGenerator<RowBatch> {
    const splitter = new CsvSplitter();
    let dataRow = 0;
    const convert = (records: CsvRecord[]): ReadRow[] => {
      const rows: ReadRow[] = [];
      for (const record of records) {
        if (record.text === '' ) continue; // a blank line holds no row
        if (columns === undefined) {
          columns = readHeader(name, record);
          continue;
        }
        rows.push(toRow(columns, record, dataRow));
        dataRow += 1;
      }
      return rows;
    };
    try {
      for await (const chunk of source.chunks) {
        const rows = convert(splitter.push(chunk.text));
        if (rows.length > 0 || chunk.bytesRead === source.bytes) yield { rows, bytesRead: chunk.bytesRead };
      }
      const last = convert(splitter.end());
      if (columns === undefined) throw new IngestFileError(name, 'holds no text (only blank lines); expected a header line and rows');
      if (dataRow === 0) throw new IngestFileError(name, 'has a header but no rows');
      if (last.length > 0) yield { rows: last, bytesRead: source.bytes };
    } catch (err) {
      if (err instanceof CsvRecordTooLong) throw new IngestFileError(name, err.message);
      throw err;
    }
  }

  return {
    name,
    bytes: source.bytes,
    header() {
      if (columns === undefined) throw new Error('the header is known only after reading started');
      return columns.headerText;
    },
    batches: batches(),
    sha256: () => source.sha256(),
  };
}

/** Reads and validates every row of a file, one at a time; throws IngestFileError if the file fails as a whole. */
export async function* readAppraisalRows(path: string): AsyncGenerator<ReadRow> {
  const stream = await openRowStream(path);
  for await (const batch of stream.batches) yield* batch.rows;
}

/** Every row of a file, validated, in file order (loads them all: for files that fit in memory). */
export async function readAppraisals(path: string): Promise<ReadRow[]> {
  const rows: ReadRow[] = [];
  for await (const row of readAppraisalRows(path)) rows.push(row);
  return rows;
}
