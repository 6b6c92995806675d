/**
 * `loupe train`: trains a model from the stored appraisals (or given files) and saves its artifact.
 */
import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Appraisal } from '../diamond/index.js';
import { loupePaths } from '../config/index.js';
import { readAppraisals } from '../ingest/index.js';
import { DEFAULT_KIND, KIND_NAMES, serializeArtifact, trainModel, type ModelArtifact } from '../model/index.js';
import { openDatabase } from '../store/db.js';
import { listAppraisals } from '../store/diamonds.js';
import { CliError, EXIT_USAGE, emit, interactive } from './output.js';
import type { RegisterCommand } from './program.js';

interface TrainCliOptions {
  data?: string[];
  kind: string;
  out?: string;
  seed: string;
  json?: boolean;
  home?: string;
}

async function loadRows(opts: TrainCliOptions): Promise<{ rows: Appraisal[]; source: string }> {
  if (opts.data && opts.data.length > 0) {
    const rows: Appraisal[] = [];
    for (const file of opts.data) {
      for (const r of await readAppraisals(file)) if (r.result.ok) rows.push(r.result.value);
    }
    return { rows, source: opts.data.join(', ') };
  }
  const paths = loupePaths(process.env, { home: opts.home });
  const db = openDatabase(paths.database);
  try {
    const rows = listAppraisals(db).map(({ carat, cut, color, clarity, depth, table, price, x, y, z }) => ({ carat, cut, color, clarity, depth, table, price, x, y, z }));
    if (rows.length === 0) throw new CliError(`no appraisals are stored in ${paths.database}; run "loupe ingest FILE" first, or pass --data FILE`);
    return { rows, source: paths.database };
  } finally {
    db.close();
  }
}

/** Writes beside the target and renames, so a crash never leaves a half-written model file. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { flush: true });
  renameSync(tmp, file);
}

async function run(opts: TrainCliOptions): Promise<void> {
  if (!KIND_NAMES.includes(opts.kind)) throw new CliError(`unknown --kind "${opts.kind}"; choose one of ${KIND_NAMES.join(', ')}`, EXIT_USAGE);
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new CliError(`--seed must be a whole number ≥ 0, got "${opts.seed}"`, EXIT_USAGE);
  const { rows, source } = await loadRows(opts);
  const started = performance.now();
  const artifact: ModelArtifact = trainModel(rows, {
    kind: opts.kind,
    seed,
    onStage: interactive(opts) ? (stage) => process.stderr.write(`  ${stage}…\n`) : undefined,
  });
  const seconds = (performance.now() - started) / 1000;
  const home = loupePaths(process.env, { home: opts.home }).models;
  const out = resolve(opts.out ?? join(home, `${artifact.kind}-${artifact.trainingData.sha256.slice(0, 12)}-seed${seed}.json`));
  writeAtomically(out, serializeArtifact(artifact));
  const m = artifact.metrics.outOfFold;
  emit(opts, { file: out, kind: artifact.kind, rows: rows.length, source, seconds, trainingDataSha256: artifact.trainingData.sha256, metrics: artifact.metrics }, () =>
    [
      `Trained a ${artifact.kind} model on ${rows.length.toLocaleString('en-US')} appraisals from ${source} in ${seconds.toFixed(1)} s.`,
      `  saved to ${out}`,
      `  out-of-fold: MAE $${m.mae.toFixed(0)}, MAPE ${m.mape.toFixed(2)}%, R² ${m.r2.toFixed(4)}; ` +
        `${(m.range.nominal).toFixed(0)}% ranges cover ${m.range.coverage.toFixed(1)}% (median width ${m.range.medianRelativeWidth.toFixed(0)}% of price)`,
    ].join('\n'),
  );
}

export const registerTrain: RegisterCommand = (program: Command) => {
  program
    .command('train')
    .description('Train a model from the stored appraisals (or the given files) and save its artifact.')
    .option('--data <file...>', 'train on these CSV files instead of the database (rows that fail validation are left out)')
    .option('--kind <kind>', `model kind: ${KIND_NAMES.join(' or ')}`, DEFAULT_KIND)
    .option('--out <file>', 'where to write the model (default: $LOUPE_HOME/models/<kind>-<data hash>-seed<seed>.json)')
    .option('--seed <n>', 'seed of every random choice; the same data and seed give the same file', '42')
    .option('--json', 'print a JSON summary for machines')
    .option('--home <dir>', 'where Loupe keeps its data (default: $LOUPE_HOME or ./var)')
    .addHelpText(
      'after',
      `
Example:
  $ loupe train --kind gbdt --out model.json
  Trained a gbdt model on 4,984 appraisals from var/loupe.db in 9.8 s.
    saved to /home/me/loupe/model.json

Exit code 0 on success, 1 when training fails (e.g. no data), 2 on a usage error.`,
    )
    .action(run);
};
