/**
 * From a CSV file to validated rows: the header names the columns (any order, any letter case, extra columns
 * kept aside), every later record becomes one row, accepted or rejected by the diamond schema. Which columns
 * are required and how a row is validated is a RowSchema: appraisals (ten fields, for ingestion and training)
 * by default, or stones (nine fields, for prediction).
 * No database and no duplicate detection here: that is the store's job, in ingestFile.
 */
import {
  suggestField,
  columnKey,
  delimiterMessage,
  otherDelimiter,
  APPRAISAL_FIELDS,
  STONE_FIELDS,
  validateAppraisal,
  validateStone,
  validateStoneToValue,
  FOUR_C_FIELDS,
  MEASUREMENT_FIELDS,
  type Appraisal,
  type StoneToValue,
  type AppraisalFieldName,
  type Stone,
  type Validation,
} from '../diamond/index.js';
import { CsvRecordTooLong, CsvSplitter, MAX_RECORD_CHARS, type CsvRecord } from './csv.js';
import { IngestFileError } from './errors.js';
import { openTextSource } from './source.js';

/** The columns a file must have and how one row of them is validated. */
export interface RowSchema<T> {
  /** Required columns, by field name (matched to the header in any order and letter case). */
  fields: readonly AppraisalFieldName[];
  /** Columns read when the header has them (the validator decides what their absence means). */
  optional?: readonly AppraisalFieldName[];
  /** Validates a row's required columns, given as text by field name. */
  validate(raw: Record<string, string>): Validation<T>;
}

/** Appraisal files: the nine characteristics and the price (what ingestion and training read). */
export const APPRAISAL_ROWS: RowSchema<Appraisal> = { fields: APPRAISAL_FIELDS, validate: validateAppraisal };
/** Stone files: the nine characteristics (what prediction reads); a price column is an extra column there. */
export const STONE_ROWS: RowSchema<Stone> = { fields: STONE_FIELDS, validate: validateStone };
/**
 * Stones to value (what `loupe predict` reads): the 4Cs required, the measurements read when their columns are
 * there; a row with all five empty (or a file without their columns) is valued from its 4Cs alone.
 */
export const STONE_TO_VALUE_ROWS: RowSchema<StoneToValue> = {
  fields: FOUR_C_FIELDS,
  optional: MEASUREMENT_FIELDS,
  validate: validateStoneToValue,
};

export interface ReadRow<T = Appraisal> {
  /** 1-based physical line of the file the row starts on (the header is line 1). */
  line: number;
  /** 0-based index among the data rows, header excluded (the numbering of diamonds.reference-split.txt). */
  dataRow: number;
  /** The row as it stood in the file, without its line ending. */
  rawText: string;
  /** The schema's columns by field name, as text. */
  raw: Record<string, string>;
  /** Every other column, by its header name. */
  extra: Record<string, string>;
  /** Every field of the record in file order, unquoted (empty when the record is not valid CSV). */
  fields: string[];
  result: Validation<T>;
}

/** A batch of rows and how far into the file they reach. */
export interface RowBatch<T = Appraisal> {
  rows: ReadRow<T>[];
  bytesRead: number;
}

export interface RowStream<T = Appraisal> {
  name: string;
  bytes: number;
  /** The header line as it stood in the file (without a byte-order mark). */
  header(): string;
  /** The header's column names as they stood, unquoted, in file order. */
  columns(): string[];
  batches: AsyncGenerator<RowBatch<T>>;
  /** SHA-256 of the file's bytes; known once `batches` is exhausted. */
  sha256(): string;
}

interface Columns {
  headerText: string;
  names: string[];
  width: number;
  /** Column index of each required field, in the schema's order. */
  fieldAt: Array<[AppraisalFieldName, number]>;
  /** Index and name of every other column. */
  extras: Array<[number, string]>;
}

/**
 * The most columns a file may have: the ten of an appraisal and the extra columns kept with each stone. A header
 * wider than that is not an appraisal file (a pivoted sheet, a data dump) and would make every stored row's extra
 * columns huge.
 */
export const MAX_COLUMNS = 500;

/** Header names shown in a message, at most this many, each cut to NAME_CHARS characters. */
const SHOWN_COLUMNS = 12;
const NAME_CHARS = 30;

/** A row the CSV itself did not give whole: one problem on the row, with what is allowed. */
function malformedRow<T>(message: string, allowed: string): Validation<T> {
  return { ok: false, normalised: [], problems: [{ field: 'row', code: 'malformed_row', message, allowed }] };
}

/**
 * What the header holds, for a message. A first line without a comma is not echoed: it is most likely not a CSV
 * header at all (a symlink to another file, say), and its text is none of the message's business.
 */
function foundColumns(fields: readonly string[]): string {
  if (fields.length <= 1) return 'the first line has no comma, so this does not look like a CSV file';
  const shown = fields.slice(0, SHOWN_COLUMNS).map((f) => (f.length > NAME_CHARS ? `${f.slice(0, NAME_CHARS)}…` : f));
  const more = fields.length - shown.length;
  return `found: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function readHeader(
  name: string,
  record: CsvRecord,
  required: readonly AppraisalFieldName[],
  optional: readonly AppraisalFieldName[] = [],
): Columns {
  if (record.error)
    throw new IngestFileError(
      name,
      `the header (line ${record.line}) is ${record.tooLong ? '' : 'not valid CSV: '}${record.error}`,
    );
  if (record.fields.length > MAX_COLUMNS)
    throw new IngestFileError(
      name,
      `the header has ${record.fields.length.toLocaleString('en-US')} columns; at most ${MAX_COLUMNS} are read (the ` +
        'required columns and extra columns kept with each stone), so this does not look like an appraisal file',
    );
  const separatedBy = record.fields.length === 1 ? otherDelimiter(record.text) : undefined;
  if (separatedBy) throw new IngestFileError(name, delimiterMessage(separatedBy));
  const names = record.fields.map(columnKey);
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    if (n === '') return;
    if (seen.has(n))
      throw new IngestFileError(
        name,
        `the header names column "${n}" twice (columns ${seen.get(n)! + 1} and ${i + 1})`,
      );
    seen.set(n, i);
  });
  const missing = required.filter((f) => !seen.has(f));
  if (missing.length > 0) {
    // A column named another way (colour, Carats, clarity grade) is named with the field it probably is.
    const unclaimed = record.fields.map((f) => f.trim()).filter((f) => !required.includes(columnKey(f) as never));
    const meant = unclaimed.flatMap((column) => {
      const field = suggestField(column, missing);
      return field ? [`"${column}" for ${field}`] : [];
    });
    throw new IngestFileError(
      name,
      `required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing from the header ` +
        `(${foundColumns(record.fields)}; required: ${required.join(', ')})` +
        (meant.length > 0 ? `; did you mean ${meant.join(', ')}?` : ''),
    );
  }
  const fieldAt = [...required, ...optional.filter((f) => seen.has(f))].map((f): [AppraisalFieldName, number] => [
    f,
    seen.get(f)!,
  ]);
  const wanted = new Set<number>(fieldAt.map(([, i]) => i));
  const extras: Array<[number, string]> = [];
  record.fields.forEach((f, i) => {
    if (!wanted.has(i)) extras.push([i, f.trim() === '' ? `column_${i + 1}` : f.trim()]);
  });
  return { headerText: record.text, names: record.fields, width: record.fields.length, fieldAt, extras };
}

function toRow<T>(schema: RowSchema<T>, columns: Columns, record: CsvRecord, dataRow: number): ReadRow<T> {
  const { fields } = record;
  const raw: Record<string, string> = {};
  for (const [f, i] of columns.fieldAt) {
    const v = fields[i];
    if (v !== undefined) raw[f] = v;
  }
  // No prototype: a column named __proto__ is a key like any other, not the object's prototype.
  const extra = Object.create(null) as Record<string, string>;
  for (const [i, n] of columns.extras) {
    const v = fields[i];
    if (v !== undefined) extra[n] = v;
  }
  let result: Validation<T>;
  if (record.tooLong)
    result = malformedRow(
      `Line ${record.line} is ${record.error}, so it was not read.`,
      `at most ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters`,
    );
  else if (record.error)
    result = malformedRow(`Line ${record.line} is not valid CSV: ${record.error}.`, 'RFC 4180 CSV');
  else if (fields.length !== columns.width) {
    const few = fields.length < columns.width;
    result = malformedRow(
      `Line ${record.line} has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${columns.width}; ` +
        (few
          ? 'a value or a comma is probably missing.'
          : 'a value probably contains a comma without being quoted ("…").'),
      `${columns.width} comma-separated fields, as in the header`,
    );
  } else result = schema.validate(raw);
  return { line: record.line, dataRow, rawText: record.text, raw, extra, fields, result };
}

/**
 * Streams a file as batches of validated rows; whole-file failures are thrown as IngestFileError while reading.
 * The schema says which columns are required and validates each row (appraisals unless told otherwise).
 */
export async function openRowStream(path: string): Promise<RowStream<Appraisal>>;
export async function openRowStream<T>(path: string, schema: RowSchema<T>): Promise<RowStream<T>>;
export async function openRowStream<T>(path: string, schema?: RowSchema<T>): Promise<RowStream<T>> {
  const rowSchema = schema ?? (APPRAISAL_ROWS as unknown as RowSchema<T>);
  const source = await openTextSource(path);
  const { name } = source;
  let columns: Columns | undefined;

  async function* batches(): AsyncGenerator<RowBatch<T>> {
    const splitter = new CsvSplitter();
    let dataRow = 0;
    const convert = (records: CsvRecord[]): ReadRow<T>[] => {
      const rows: ReadRow<T>[] = [];
      for (const record of records) {
        if (record.text === '') continue; // a blank line holds no row
        if (columns === undefined) {
          columns = readHeader(name, record, rowSchema.fields, rowSchema.optional);
          continue;
        }
        rows.push(toRow(rowSchema, columns, record, dataRow));
        dataRow += 1;
      }
      return rows;
    };
    try {
      for await (const chunk of source.chunks) {
        const rows = convert(splitter.push(chunk.text));
        // The last chunk is yielded even without rows (for progress), but never before the header is read: a
        // consumer may ask for the header as soon as it has a batch.
        if (rows.length > 0 || (chunk.bytesRead === source.bytes && columns !== undefined))
          yield { rows, bytesRead: chunk.bytesRead };
      }
      const last = convert(splitter.end());
      if (columns === undefined)
        throw new IngestFileError(name, 'holds no text (only blank lines); expected a header line and rows');
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
    columns() {
      if (columns === undefined) throw new Error('the header is known only after reading started');
      return columns.names;
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

/** Reads every row of a stone file (the nine characteristics, no price required), validated, one at a time. */
export async function* readStoneRows(path: string): AsyncGenerator<ReadRow<Stone>> {
  const stream = await openRowStream(path, STONE_ROWS);
  for await (const batch of stream.batches) yield* batch.rows;
}

/** Every row of a file, validated, in file order (loads them all: for files that fit in memory). */
export async function readAppraisals(path: string): Promise<ReadRow[]> {
  const rows: ReadRow[] = [];
  for await (const row of readAppraisalRows(path)) rows.push(row);
  return rows;
}
