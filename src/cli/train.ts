/**
 * `loupe train`: trains a model from the stored appraisals (or given files) and saves its artifact.
 *
 * From the database it learns from the pipeline's training rows only: the frozen evaluation rows (the reference
 * test split, the holdout of every later file) are left out exactly as the pipeline leaves them out, so a model
 * registered this way can later be compared with the pipeline's on rows neither saw. From files given with
 * --data Loupe cannot tell which rows those are: registering such a model says so loudly, and its record says
 * it is not known (the Models screen shows it).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Appraisal } from '../diamond/index.js';
import { loupePaths } from '../config/index.js';
import type { ModelArtifact } from '../model/index.js';
import { DEFAULT_KIND, KIND_NAMES } from '../model/kinds/names.js';
import type { Origin } from '../registry/index.js';
import { plainNumber } from './numbers.js';
import { CliError, EXIT_USAGE, emit, interactive } from './output.js';
import type { RegisterCommand } from './program.js';
import { withPipelineStore } from './with-store.js';

/** The largest seed: the engine's random numbers are seeded with 32 bits (engine/random.ts). */
const MAX_SEED = 0xffff_ffff;

interface TrainCliOptions {
  data?: string[];
  kind: string;
  out?: string;
  seed: string;
  json?: boolean;
  home?: string;
}

interface TrainingRows {
  rows: Appraisal[];
  source: string;
  /** Evaluation rows left out (from the database), or undefined when training on given files. */
  leftOut?: number;
}

async function loadRows(opts: TrainCliOptions): Promise<TrainingRows> {
  if (opts.data && opts.data.length > 0) {
    const { readAppraisals } = await import('../ingest/index.js');
    const rows: Appraisal[] = [];
    for (const file of opts.data) {
      for (const r of await readAppraisals(file)) if (r.result.ok) rows.push(r.result.value);
    }
    return { rows, source: opts.data.join(', ') };
  }
  const paths = loupePaths(process.env, { home: opts.home });
  const { redactUrl } = await import('../store/postgres/connect.js');
  const { appraisals, partitionData } = await import('../pipeline/index.js');
  const where = paths.databaseUrl === null ? paths.database : redactUrl(paths.databaseUrl);
  return withPipelineStore(opts, async (store) => {
    const part = await partitionData(store, paths);
    const rows = appraisals(part.training);
    if (rows.length === 0)
      throw new CliError(
        `no appraisals are stored in ${where} outside the frozen evaluation rows; run "loupe ingest FILE" first, or pass --data FILE`,
      );
    const leftOut = part.referenceTest.length + [...part.holdout.values()].reduce((n, h) => n + h.length, 0);
    return { rows, source: where, leftOut };
  });
}

/** With --out, writes the file (atomically); otherwise registers the model, unpromoted, in the registry. */
export async function saveArtifact(
  artifact: ModelArtifact,
  opts: { out?: string; home?: string },
  durationMs: number,
  registered: { origin: Omit<Origin, 'run'>; decision: string },
): Promise<{ file: string; version?: string }> {
  const { registerModelIn, writeFileAtomic } = await import('../registry/index.js');
  if (opts.out) {
    const { serializeArtifact } = await import('../model/index.js');
    const file = resolve(opts.out);
    writeFileAtomic(file, serializeArtifact(artifact));
    return { file };
  }
  const paths = loupePaths(process.env, { home: opts.home });
  return withPipelineStore(opts, async (store) => {
    const record = await store.writeTransaction((w) =>
      registerModelIn(w, paths, artifact, { durationMs, ...registered }),
    );
    return { file: record.artifactPath, version: record.version };
  });
}

async function run(opts: TrainCliOptions): Promise<void> {
  if (!KIND_NAMES.includes(opts.kind))
    throw new CliError(`unknown --kind "${opts.kind}"; choose one of ${KIND_NAMES.join(', ')}`, EXIT_USAGE);
  const seed = plainNumber(opts.seed, { whole: true, min: 0, max: MAX_SEED });
  if (seed === undefined)
    throw new CliError(`--seed must be a whole number from 0 to ${MAX_SEED}, got "${opts.seed}"`, EXIT_USAGE);
  const { rows, source, leftOut } = await loadRows(opts);
  const { trainModelAsync } = await import('../model/index.js');
  const started = performance.now();
  const artifact: ModelArtifact = await trainModelAsync(rows, {
    kind: opts.kind,
    seed,
    onStage: interactive(opts) ? (stage) => process.stderr.write(`  ${stage}…\n`) : undefined,
  });
  const durationMs = performance.now() - started;
  const seconds = durationMs / 1000;
  const fromFiles = leftOut === undefined;
  const saved = await saveArtifact(artifact, opts, durationMs, {
    origin: { by: 'loupe train', evaluationRowsLeftOut: fromFiles ? null : true },
    decision: fromFiles
      ? 'registered by hand (loupe train --data): trained on given files, which may hold the frozen evaluation rows'
      : `registered by hand (loupe train): trained on the pipeline's training rows (${leftOut.toLocaleString('en-US')} evaluation rows left out)`,
  });
  if (fromFiles && saved.version)
    process.stderr.write(
      `WARNING: ${saved.version} learned from ${source}, given by hand: Loupe cannot tell whether it holds the frozen ` +
        'evaluation rows (the reference test split, the holdout of each ingested file). If it does, no figure of this ' +
        "model on those rows is held out, and comparing it with the pipeline's models there flatters it. Its record " +
        'and the Models screen say so. To keep them out, ingest the files and run "loupe train" without --data.\n',
    );
  const m = artifact.metrics.outOfFold;
  emit(
    opts,
    {
      ...saved,
      kind: artifact.kind,
      rows: rows.length,
      source,
      evaluationRowsLeftOut: leftOut ?? null,
      seconds,
      trainingDataSha256: artifact.trainingData.sha256,
      metrics: artifact.metrics,
    },
    () =>
      [
        `Trained a ${artifact.kind} model on ${rows.length.toLocaleString('en-US')} appraisals from ${source} in ${seconds.toFixed(1)} s` +
          (fromFiles
            ? '.'
            : ` (${leftOut.toLocaleString('en-US')} frozen evaluation rows left out, as the pipeline does).`),
        saved.version
          ? `  registered as ${saved.version} (${saved.file}), not promoted: loupe models promote ${saved.version}`
          : `  saved to ${saved.file}`,
        `  cross-validation inside the training rows (not held out): MAE $${m.mae.toFixed(0)}, MAPE ${m.mape.toFixed(2)}%, R² ${m.r2.toFixed(4)}; ` +
          `${(m.range.nominal).toFixed(0)}% ranges cover ${m.range.coverage.toFixed(1)}% (median width ${m.range.medianRelativeWidth.toFixed(0)}% of price)`,
      ].join('\n'),
  );
}

export const registerTrain: RegisterCommand = (program: Command) => {
  program
    .command('train')
    .description(
      "Train a model from the stored appraisals (the pipeline's training rows: the frozen evaluation rows are left out) or from the given files, and save its artifact.",
    )
    .option(
      '--data <file...>',
      'train on these CSV files instead of the database (rows that fail validation are left out; registering such a model warns that it may have learned from the frozen evaluation rows)',
    )
    .option('--kind <kind>', `model kind: ${KIND_NAMES.join(' or ')}`, DEFAULT_KIND)
    .option('--out <file>', 'write the model to this file (default: register it in the model registry, not promoted)')
    .option(
      '--seed <n>',
      `seed of every random choice, a whole number from 0 to ${MAX_SEED}; the same data and seed give the same file`,
      '42',
    )
    .option('--json', 'print a JSON summary for machines')
    .option('--home <dir>', 'where Loupe keeps its data (default: $LOUPE_HOME or ./var)')
    .addHelpText(
      'after',
      `
Example:
  $ loupe train --kind gbdt --out model.json
  Trained a gbdt model on 3,987 appraisals from var/loupe.db in 9.8 s (997 frozen evaluation rows left out, as the pipeline does).
    saved to /home/me/loupe/model.json
  $ loupe train --kind hedonic
  Trained a hedonic model on 3,987 appraisals from var/loupe.db in 1.3 s (997 frozen evaluation rows left out, as the pipeline does).
    registered as v0002 (var/models/v0002/model.json), not promoted: loupe models promote v0002

Exit code 0 on success, 1 when training fails (e.g. no data), 2 on a usage error.`,
    )
    .action(run);
};
