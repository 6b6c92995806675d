/**
 * `loupe features`: writes the model features of an appraisal file as CSV, computed by the very function Loupe
 * trains and serves with — so a model trained elsewhere (XGBoost at scale, say) learns from exactly the features
 * Loupe will compute when it serves that model. No second implementation, no train/serve skew.
 */
import type { Command } from 'commander';
import { FEATURE_NAMES } from '../model/feature-names.js';
import { CliError, EXIT_USAGE, emit, mustNotBeTheInput, OUT_FILE_HELP, outputFile, writeText } from './output.js';
import type { RegisterCommand } from './program.js';

interface FeaturesCliOptions {
  out?: string;
  json?: boolean;
}

async function run(input: string, opts: FeaturesCliOptions): Promise<void> {
  if (opts.json && !opts.out)
    throw new CliError('--json needs --out FILE: without it the CSV itself goes to standard output', EXIT_USAGE);
  if (opts.out) mustNotBeTheInput(opts.out, input, 'the appraisals being read');
  const { readAppraisalRows } = await import('../ingest/index.js');
  const { featureRow } = await import('../model/index.js');
  const rows = readAppraisalRows(input)[Symbol.asyncIterator]();
  // The input's problems (missing, not CSV, a wrong header) surface on the first read: before anything is written.
  let r = await rows.next();
  // With --out (a regular file), a file of its own until the last row is in: a failure leaves no half-written file.
  const file = opts.out ? outputFile(opts.out) : undefined;
  const failed = () => file?.failed();
  const out: NodeJS.WritableStream = file?.stream ?? process.stdout;
  let written = 0;
  let skipped = 0;
  const row = new Float64Array(FEATURE_NAMES.length);
  try {
    await writeText(out, `${[...FEATURE_NAMES, 'log_price', 'price', 'line'].join(',')}\n`, failed);
    for (; !r.done; r = await rows.next()) {
      const { result, line } = r.value;
      if (!result.ok) {
        skipped++;
        continue;
      }
      featureRow(result.value, row);
      const values = Array.from(row, (v) => String(v)).join(',');
      await writeText(out, `${values},${Math.log(result.value.price)},${result.value.price},${line}\n`, failed);
      written++;
    }
    await file?.commit();
  } catch (err) {
    file?.discard();
    throw err;
  }
  const summary = { input, out: opts.out ?? null, rows: written, skipped, features: [...FEATURE_NAMES] };
  if (opts.out) {
    emit(
      opts,
      summary,
      (s) =>
        `${s.rows.toLocaleString('en-US')} rows written to ${s.out}; ${s.skipped} rows failed validation and were left out (see loupe ingest for why)`,
      // --out /dev/stdout: the CSV is on standard output, and the summary must not end up inside it.
      file?.isStandardOutput ? process.stderr : process.stdout,
    );
  } else if (skipped > 0) {
    process.stderr.write(`loupe: ${skipped} rows failed validation and were left out (see loupe ingest for why)\n`);
  }
}

export const registerFeatures: RegisterCommand = (program: Command) => {
  program
    .command('features')
    .description(
      "Write the model features of an appraisal file as CSV (Loupe's own feature code), for training elsewhere.",
    )
    .argument('<input>', 'a CSV of appraisals (carat, cut, color, clarity, depth, table, price, x, y, z)')
    .option('--out <file>', 'write the CSV here instead of standard output')
    .option('--json', 'with --out: print a JSON summary (rows, skipped) for machines')
    .addHelpText(
      'after',
      `
Columns: ${FEATURE_NAMES.join(', ')}, log_price, price, line (the row's line in the input).
Rows that fail validation are left out. Train XGBoost on these columns, in this order, with log_price as the
target (reg:squarederror); then \`loupe import-xgboost\` serves that model with Loupe's explanations and ranges.

${OUT_FILE_HELP}

Example:
  $ loupe features ../shared/data/diamonds.csv --out features.csv
  4,985 rows written to features.csv; 15 rows failed validation and were left out (see loupe ingest for why)`,
    )
    .action(run);
};
