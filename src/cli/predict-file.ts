/**
 * The work of `loupe predict` (./predict.ts): a saved model loaded, and every row of a CSV file priced into a
 * stream, one batch at a time. A module of its own so that the command's help loads none of it.
 */
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import {
  IngestFileError,
  STONE_TO_VALUE_ROWS,
  openRowStream,
  readWholeFile,
  safeCsvRecord,
  type ReadRow,
} from '../ingest/index.js';
import {
  ArtifactError,
  caratLimitProblem,
  loadValuer,
  MAX_MODEL_FILE_BYTES,
  type LoadedModel,
} from '../model/index.js';
import { columnKey, csvCell, normalisationMessage, type StoneToValue } from '../diamond/index.js';
import { plainNumber } from './numbers.js';
import { CliError, EXIT_USAGE, writeText } from './output.js';

export interface PredictSummary {
  input: string;
  out: string | null;
  model: string;
  coverage: number;
  rows: number;
  priced: number;
  errors: number;
  /** Rows with a grade read in another spelling (said in their notes column). */
  normalised: number;
}

const RESULT_COLUMNS = ['price', 'price_low', 'price_high', 'range_withheld', 'error', 'notes'];

/**
 * The added columns' names: RESULT_COLUMNS as they are, or, when the input already has a column of one of those
 * names (a price column is carried along as it is), each prefixed "loupe_" as the web app's batch download does —
 * or "loupe2_", "loupe3_" …, the first prefix that gives no name the input has (a file Loupe priced before): the
 * output never names a column twice, so Loupe can read it again. Names compare as the reader compares them.
 */
export function resultColumns(inputColumns: readonly string[]): string[] {
  const taken = new Set(inputColumns.map(columnKey));
  for (let n = 0; ; n++) {
    const prefix = n === 0 ? '' : n === 1 ? 'loupe_' : `loupe${n}_`;
    const names = RESULT_COLUMNS.map((c) => `${prefix}${c}`);
    if (!names.some((c) => taken.has(columnKey(c)))) return names;
  }
}

export function loadModel(file: string): LoadedModel {
  let text: string;
  try {
    // A FIFO, a folder or a device is refused before it is opened, as an input CSV is: reading a FIFO would block.
    text = readWholeFile(file, { bytes: MAX_MODEL_FILE_BYTES, of: 'a model file' });
  } catch (err) {
    if (err instanceof IngestFileError) throw new CliError(`model ${file}: ${err.reason}`);
    throw err;
  }
  try {
    return loadValuer(text, basename(file));
  } catch (err) {
    if (err instanceof ArtifactError) throw new CliError(`model ${file}: ${err.message}`);
    throw err;
  }
}

export function parseCoverage(text: string | undefined, model: LoadedModel): number {
  const levels = model.artifact.calibration.levels.map((l) => l.coverage);
  if (text === undefined) return model.coverage;
  const coverage = plainNumber(text);
  if (coverage === undefined || !levels.some((c) => Math.abs(c - coverage) < 1e-12)) {
    throw new CliError(
      `--coverage must be one the model was calibrated for (${levels.join(', ')}), got "${text}"`,
      EXIT_USAGE,
    );
  }
  return coverage;
}

/** The output line of one row: its input columns as they stood, then the result columns. */
function outputLine(
  row: ReadRow<StoneToValue>,
  width: number,
  model: LoadedModel,
  coverage: number,
  maxCarat: number | undefined,
): { line: string; priced: boolean } {
  let input: string;
  if (row.fields.length === width) input = safeCsvRecord(row.rawText, row.fields);
  else {
    // A record of another width than the header: its cells in order, as many as there are columns (those of a row
    // too short are empty; those past the last column, which has no column to go in, are dropped: the row's error
    // says how many it had). A record that could not be split (not valid CSV, too long) has no fields: all empty.
    const fields: string[] = [];
    for (let i = 0; i < width; i++) fields.push(csvCell(row.fields[i] ?? ''));
    input = fields.join(',');
  }
  const notes = csvCell(row.result.normalised.map(normalisationMessage).join(' '));
  if (!row.result.ok) {
    const error = row.result.problems.map((p) => p.message).join(' ');
    return { line: `${input},,,,,${csvCell(error)},${notes}\n`, priced: false };
  }
  const beyond = caratLimitProblem(model.artifact, row.result.value, maxCarat);
  if (beyond) return { line: `${input},,,,,${csvCell(beyond.message)},${notes}\n`, priced: false };
  const p = model.price(row.result.value, coverage);
  // no range: both range columns stay empty and the reason says why (nothing in them pretends)
  const range = p.range ? `${Math.round(p.range.low)},${Math.round(p.range.high)},` : `,,${csvCell(p.withheld ?? '')}`;
  return { line: `${input},${Math.round(p.price)},${range},,${notes}\n`, priced: true };
}

/** output.ts writeText, the stream's own error standing for a failure seen before. */
function write(out: Writable, text: string): Promise<void> {
  return writeText(out, text, () => out.errored ?? undefined);
}

/** Prices every row of `input` into `out`; `maxCarat` is the carat limit (caratLimit's default when undefined). */
export async function predictFile(
  input: string,
  model: LoadedModel,
  coverage: number,
  out: Writable,
  maxCarat?: number,
): Promise<Omit<PredictSummary, 'out' | 'model' | 'coverage'>> {
  const stream = await openRowStream(input, STONE_TO_VALUE_ROWS);
  const summary = { input: stream.name, rows: 0, priced: 0, errors: 0, normalised: 0 };
  let width = -1;
  for await (const batch of stream.batches) {
    let text = '';
    if (width === -1) {
      const columns = stream.columns();
      width = columns.length;
      text += `${safeCsvRecord(stream.header(), columns)},${resultColumns(columns).join(',')}\n`;
    }
    for (const row of batch.rows) {
      const { line, priced } = outputLine(row, width, model, coverage, maxCarat);
      text += line;
      summary.rows += 1;
      if (row.result.normalised.length > 0) summary.normalised += 1;
      if (priced) summary.priced += 1;
      else summary.errors += 1;
    }
    await write(out, text);
  }
  return summary;
}
