/**
 * `loupe predict --model FILE INPUT.csv`: prices every stone of a CSV file with a saved model and writes the
 * file back with price, price_low and price_high added (or an error, for a row that fails validation), and a notes
 * column that says what was read in another spelling (a grade in any letter case: the one leniency policy).
 * Rows are read, priced and written one batch at a time, so memory stays bounded whatever the file's size.
 */
import { basename, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { readEnv } from '../config/index.js';
import { parseMaxCarat } from './numbers.js';
import { CliError, EXIT_USAGE, emit, mustNotBeTheInput, OUT_FILE_HELP, outputFile, type OutputFile } from './output.js';
import type { PredictSummary } from './predict-file.js';
import type { RegisterCommand } from './program.js';

interface PredictCliOptions {
  model: string;
  out?: string;
  coverage?: string;
  maxCarat?: string;
  json?: boolean;
}

async function run(input: string, opts: PredictCliOptions): Promise<void> {
  if (opts.json && !opts.out)
    throw new CliError('--json needs --out FILE: without it the CSV itself goes to standard output', EXIT_USAGE);
  const { loadModel, parseCoverage, predictFile } = await import('./predict-file.js');
  const model = loadModel(opts.model);
  const coverage = parseCoverage(opts.coverage, model);
  const maxCarat =
    opts.maxCarat === undefined
      ? parseMaxCarat(readEnv().LOUPE_MAX_CARAT)
      : parseMaxCarat(opts.maxCarat, '--max-carat');
  const outPath = opts.out === undefined ? null : resolve(opts.out);
  if (opts.out !== undefined) mustNotBeTheInput(opts.out, input, 'the stones being priced');
  // A regular file is written beside the target and renamed when complete: a failure never leaves it half-written.
  const file: OutputFile | undefined = outPath ? outputFile(outPath) : undefined;
  const target: Writable = file?.stream ?? process.stdout;
  // A write error is raised by the next write (write() in ./predict-file.ts); unheard, it would end the process.
  const ignore = (): void => {};
  target.on('error', ignore);
  let done = false;
  try {
    const s = await predictFile(input, model, coverage, target, maxCarat);
    await file?.commit();
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
        // --out /dev/stdout: the CSV is on standard output, and the summary must not end up inside it.
        file?.isStandardOutput ? process.stderr : process.stdout,
      );
    }
  } catch (err) {
    // The reader of standard output has gone (`loupe predict … | head`): nothing more to write it for.
    if (!outPath && (err as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw err;
  } finally {
    target.off('error', ignore);
    if (!done) file?.discard();
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
column instead, and the run goes on. A row with more cells than the header is such a row too, written with its
first cells, one per column (the rest dropped); one with fewer, with the missing cells empty; and one that cannot
be split into cells (a quote never closed, text after a closing quote, more than 65,536 characters) with empty
columns. price_low and price_high are empty when Loupe gives no range, and
range_withheld says why: the stone lies beyond the data the model learned from, or a 90% range would span more
than 4× from low to high. The measurements (depth, table, x, y, z) may be left out, as columns or as five
empty cells of a row: such a stone is valued from its 4Cs alone, with a wider range calibrated for that case.
The added columns are price, price_low, price_high, range_withheld, error and notes (a grade read in another
spelling, e.g. ideal as Ideal). If the input already has a column of one of those names, it is kept as it is
and the added columns are called loupe_price … loupe_notes; if it has one of those too (a file priced before),
loupe2_price … loupe2_notes, and so on: the output never names a column twice.

${OUT_FILE_HELP}

Example (a hedonic model trained on diamonds.csv; prices depend on the model):
  $ loupe predict --model model.json stones.csv
  carat,cut,color,clarity,depth,table,x,y,z,price,price_low,price_high,range_withheld,error,notes
  0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84,4956,4363,5631,,,
  $ loupe predict --model model.json november.csv --out priced.csv
  november.csv: 2,006 rows, 1,989 priced, 17 with an error (see the error column) → /home/me/priced.csv

Exit code 0 when the file was read to the end (rows with an error included), 1 when the model or the input
cannot be used (unreadable, corrupt, a required column missing), 2 on a usage error.`,
    )
    .action(run);
};
