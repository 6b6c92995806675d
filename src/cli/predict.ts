/**
 * `loupe predict --model FILE INPUT.csv`: prices every stone of a CSV file with a saved model and writes the
 * file back with price, price_low and price_high added (or an error, for a row that fails validation), and a notes
 * column that says what was read in another spelling (a grade in any letter case: the one leniency policy).
 * Rows are read, priced and written one batch at a time, so memory stays bounded whatever the file's size.
 */
import { createWriteStream, readFileSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { IngestFileError, STONE_TO_VALUE_ROWS, openRowStream, safeCsvRecord, type ReadRow } from '../ingest/index.js';
import { ArtifactError, caratLimitProblem, loadValuer, type LoadedModel } from '../model/index.js';
import { csvCell, normalisationMessage, type StoneToValue } from '../diamond/index.js';
import { CliError, EXIT_USAGE, emit, parseMaxCarat } from './output.js';
import type { RegisterCommand } from './program.js';

interface PredictCliOptions {
  model: string;
  out?: string;
  coverage?: string;
  maxCarat?: string;
  json?: boolean;
}

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
 * The added columns; prefixed "loupe_" when the input already has a column of one of their names (a price column
 * is carried along as it is), as the web app's batch download does.
 */
export function resultColumns(inputColumns: readonly string[]): string[] {
  const taken = new Set(inputColumns.map((c) => c.trim().toLowerCase()));
  const clash = RESULT_COLUMNS.some((c) => taken.has(c));
  return RESULT_COLUMNS.map((c) => (clash ? `loupe_${c}` : c));
}

function loadModel(file: string): LoadedModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : (err as Error).message;
    throw new CliError(`model ${file}: ${why}`);
  }
  try {
    return loadValuer(text, basename(file));
  } catch (err) {
    if (err instanceof ArtifactError) throw new CliError(`model ${file}: ${err.message}`);
    throw err;
  }
}

function parseCoverage(text: string | undefined, model: LoadedModel): number {
  const levels = model.artifact.calibration.levels.map((l) => l.coverage);
  if (text === undefined) return model.coverage;
  const coverage = Number(text);
  if (!Number.isFinite(coverage) || !levels.some((c) => Math.abs(c - coverage) < 1e-12)) {
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
    // A malformed record: keep what fits the header's columns (nothing, if it could not be split at all).
    const fields: string[] = [];
    for (let i = 0; i < width; i++) fields.push(csvCell(row.fields.length < width ? (row.fields[i] ?? '') : ''));
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

async function write(out: Writable, text: string): Promise<void> {
  if (out.errored) throw out.errored;
  if (!out.write(text)) await once(out, 'drain');
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

async function run(input: string, opts: PredictCliOptions): Promise<void> {
  if (opts.json && !opts.out)
    throw new CliError('--json needs --out FILE: without it the CSV itself goes to standard output', EXIT_USAGE);
  const model = loadModel(opts.model);
  const coverage = parseCoverage(opts.coverage, model);
  const maxCarat = parseMaxCarat(opts.maxCarat ?? process.env.LOUPE_MAX_CARAT);
  let target: Writable = process.stdout;
  let file: WriteStream | undefined;
  let tmp = '';
  const outPath = opts.out === undefined ? null : resolve(opts.out);
  if (outPath) {
    // Written beside the target and renamed when complete, so a failure never leaves a half-written file.
    tmp = `${outPath}.${process.pid}.tmp`;
    file = createWriteStream(tmp, { flush: true });
    target = file;
  }
  // A write error is raised by the next write (see write()); without a listener it would end the process at once.
  const ignore = (): void => {};
  target.on('error', ignore);
  let done = false;
  try {
    const s = await predictFile(input, model, coverage, target, maxCarat);
    if (file) {
      file.end();
      await once(file, 'finish');
      renameSync(tmp, outPath!);
    }
    done = true;
    if (outPath) {
      const summary: PredictSummary = { ...s, out: outPath, model: basename(opts.model), coverage };
      emit(
        opts,
        summary,
        () =>
          `${s.input}: ${s.rows.toLocaleString('en-US')} rows, ${s.priced.toLocaleString('en-US')} priced, ` +
          `${s.errors.toLocaleString('en-US')} with an error (see the error column)` +
          (s.normalised > 0
            ? `, ${s.normalised.toLocaleString('en-US')} with a grade read leniently (see notes)`
            : '') +
          ` → ${outPath}`,
      );
    }
  } catch (err) {
    if (err instanceof IngestFileError) throw new CliError(err.message);
    // The reader of standard output has gone (`loupe predict … | head`): nothing more to write it for.
    if (!outPath && (err as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw err;
  } finally {
    target.off('error', ignore);
    if (file && !done) {
      file.destroy();
      rmSync(tmp, { force: true });
    }
  }
}

export const registerPredict: RegisterCommand = (program: Command) => {
  program
    .command('predict')
    .description(
      'Price every stone of a CSV file with a saved model: the file comes back with price, price_low and price_high added.',
    )
    .argument(
      '<input>',
      'CSV with the columns carat, cut, color, clarity and, optionally, depth, table, x, y, z (any order; other columns are kept as they are)',
    )
    .requiredOption('--model <file>', 'the model file to price with (as written by loupe train)')
    .option('--out <file>', 'write the CSV to this file instead of standard output')
    .option(
      '--coverage <p>',
      "coverage of the range price_low–price_high, one the model was calibrated for (default: the model's first, usually 0.9)",
    )
    .option(
      '--max-carat <ct>',
      'refuse to price stones heavier than this (default LOUPE_MAX_CARAT, else 1.5 × the heaviest stone the model learned from)',
    )
    .option('--json', 'with --out: print a JSON summary (rows, priced, errors) for machines')
    .addHelpText(
      'after',
      `
Every input row is written out with its columns as they stood, then price, price_low and price_high in whole
US dollars; a row that fails validation, or is heavier than the carat limit, gets its reasons in the error
column instead, and the run goes on. price_low and price_high are empty when Loupe gives no range, and
range_withheld says why: the stone lies beyond the data the model learned from, or a 90% range would span more
than 4× from low to high. The measurements (depth, table, x, y, z) may be left out, as columns or as five
empty cells of a row: such a stone is valued from its 4Cs alone, with a wider range calibrated for that case.
If the input already has a column named price (or price_low, price_high, range_withheld, error), it is kept as
it is and the added columns are called loupe_price, loupe_price_low, … and loupe_error.

Example (a hedonic model trained on diamonds.csv; prices depend on the model):
  $ loupe predict --model model.json stones.csv
  carat,cut,color,clarity,depth,table,x,y,z,price,price_low,price_high,range_withheld,error
  0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84,4956,4363,5631,,
  $ loupe predict --model model.json november.csv --out priced.csv
  november.csv: 2,006 rows, 1,989 priced, 17 with an error (see the error column) → /home/me/priced.csv

Exit code 0 when the file was read to the end (rows with an error included), 1 when the model or the input
cannot be used (unreadable, corrupt, a required column missing), 2 on a usage error.`,
    )
    .action(run);
};
