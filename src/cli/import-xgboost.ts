/**
 * `loupe import-xgboost`: makes a servable Loupe model of a model trained by XGBoost on Loupe's features, with
 * price ranges calibrated on appraisals it did not learn from.
 */
import type { Command } from 'commander';
import type { Appraisal } from '../diamond/index.js';
import { CliError, emit } from './output.js';
import type { RegisterCommand } from './program.js';
import { saveArtifact } from './train.js';

interface ImportCliOptions {
  calibrate: string[];
  out?: string;
  home?: string;
  json?: boolean;
}

async function run(modelFile: string, opts: ImportCliOptions): Promise<void> {
  const { IngestFileError, readAppraisals, readWholeFile } = await import('../ingest/index.js');
  const { importXGBoost, MAX_MODEL_FILE_BYTES } = await import('../model/index.js');
  let text: string;
  try {
    // A FIFO, a folder or a device is refused before it is opened, as the CSV files are: reading a FIFO would block.
    text = readWholeFile(modelFile, { bytes: MAX_MODEL_FILE_BYTES, of: 'a model file' });
  } catch (err) {
    if (err instanceof IngestFileError) throw new CliError(`${modelFile}: ${err.reason}`);
    throw err;
  }
  const rows: Appraisal[] = [];
  for (const file of opts.calibrate)
    for (const r of await readAppraisals(file)) if (r.result.ok) rows.push(r.result.value);
  const started = performance.now();
  let artifact: ReturnType<typeof importXGBoost>;
  try {
    artifact = importXGBoost(text, rows);
  } catch (err) {
    throw new CliError(`${modelFile}: ${(err as Error).message}`);
  }
  const saved = await saveArtifact(artifact, opts, performance.now() - started, {
    origin: { by: 'loupe import-xgboost', evaluationRowsLeftOut: null },
    decision: 'registered by hand (loupe import-xgboost): trained outside Loupe, ranges calibrated on the given files',
  });
  const m = artifact.metrics.outOfFold;
  emit(opts, { ...saved, calibrationRows: rows.length, metrics: artifact.metrics }, () =>
    [
      saved.version
        ? `Imported ${modelFile} as ${saved.version} (${saved.file}), not promoted: loupe models promote ${saved.version}`
        : `Imported ${modelFile} as a Loupe model: ${saved.file}`,
      `  on ${rows.length.toLocaleString('en-US')} appraisals it did not learn from: MAE $${m.mae.toFixed(0)}, MAPE ${m.mape.toFixed(2)}%; ` +
        `${m.range.nominal.toFixed(0)}% ranges cover ${m.range.coverage.toFixed(1)}%`,
    ].join('\n'),
  );
}

export const registerImportXGBoost: RegisterCommand = (program: Command) => {
  program
    .command('import-xgboost')
    .description(
      "Serve a model trained by XGBoost on Loupe's features: calibrate its price ranges and save it as a Loupe model.",
    )
    .argument(
      '<model>',
      "XGBoost's JSON model (booster.save_model('model.json')), trained on `loupe features` columns with log_price as target",
    )
    .requiredOption(
      '--calibrate <file...>',
      'appraisal CSV files the XGBoost model did NOT learn from (at least 50 valid rows)',
    )
    .option(
      '--out <file>',
      'write the Loupe model to this file (default: register it in the model registry, not promoted)',
    )
    .option('--home <dir>', 'where Loupe keeps its data (default: $LOUPE_HOME or ./var)')
    .option('--json', 'print a JSON summary for machines')
    .addHelpText(
      'after',
      `
Example:
  $ loupe features train.csv --out features.csv      # train XGBoost on these columns, target log_price
  $ loupe import-xgboost model.json --calibrate holdout.csv
  Imported model.json as v0003 (var/models/v0003/model.json), not promoted: loupe models promote v0003

Exit code 0 on success, 1 when the model cannot be served faithfully (other features, another objective,
dart or linear boosters…) or the files cannot be read, 2 on a usage error.`,
    )
    .action(run);
};
