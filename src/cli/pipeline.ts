/**
 * `loupe pipeline run [--incoming DIR] [--watch | --schedule CRON]` and `loupe pipeline runs`: retraining,
 * once, on every new file, or on a schedule. Progress bars on a terminal; otherwise structured logs (pino, JSON
 * lines) on stderr. The result goes to stdout (--json for machines).
 *
 * Exit codes (a scheduler can act on them):
 *   0  done: a model was trained (promoted or not), or there was nothing to do
 *   1  failure (the run stopped; the champion and the database are as they were before the failed step)
 *   2  usage error (bad option, unknown kind, invalid cron expression)
 *   3  busy: another run holds the lock (nothing was done)
 *   4  done, but one or more incoming files failed as a whole and were moved to incoming/failed/
 */
import { mkdirSync, statSync, watch } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { Cron } from 'croner';
import { DEFAULT_REFERENCE_DATA, loupePaths, readEnv, type LoupePaths } from '../config/index.js';
import type { LiveAccuracy, PipelineLogger, PipelineResult, RunOptions, StepName } from '../pipeline/index.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { plainNumber } from './numbers.js';
import { CliError, EXIT_OK, EXIT_USAGE, emit, interactive } from './output.js';
import type { RegisterCommand } from './program.js';
import { EXISTING_HOME_HELP, withExistingPipelineStore, withPipelineStore } from './with-store.js';

export const EXIT_BUSY = 3;
export const EXIT_FILES_FAILED = 4;
/** Most runs `pipeline runs` lists at once. */
const MAX_RUNS_LISTED = 1000;

interface RunOpts {
  incoming?: string;
  home?: string;
  data?: string;
  kinds?: string;
  budget?: string;
  trials?: string;
  wait?: boolean;
  watch?: boolean;
  schedule?: string;
  json?: boolean;
  trigger?: string;
  force?: boolean;
}

const n = (v: number): string => v.toLocaleString('en-US');

/** The pipeline's modules, loaded when a subcommand runs: `loupe pipeline --help` needs none of them. */
const pipelineModule = () => import('../pipeline/index.js');

export function describeResult(r: PipelineResult): string {
  const lines: string[] = [];
  for (const f of r.files) {
    if (f.status === 'failed')
      lines.push(`  ${f.file}: FAILED — ${f.message}; moved to ${f.movedTo} (report: ${f.report})`);
    else if (f.status === 'vanished') lines.push(`  ${f.file}: VANISHED — ${f.message}`);
    else if (f.status === 'already_ingested') lines.push(`  ${f.file}: ${f.message}`);
    else {
      const reasons = Object.entries(f.byReason)
        .sort((a, b) => b[1] - a[1])
        .map(([c, k]) => `${c} ${k}`)
        .join(', ');
      lines.push(
        `  ${f.file}: ${n(f.rowsRead)} rows, ${n(f.accepted)} accepted, ${n(f.rejected)} rejected${reasons ? ` (${reasons}; see: loupe rejects list --file ${f.file})` : ''}${f.movedTo === null ? `; ${f.message}` : ''}`,
      );
    }
  }
  if (r.drift && r.drift.features.length > 0) {
    const moved = r.drift.features
      .filter((f) => f.level !== 'stable')
      .map((f) => `${f.feature} ${f.psi.toFixed(2)} (${f.level})`);
    lines.push(
      `  drift (PSI) vs ${r.drift.baseline}'s training data: ${moved.join(', ') || 'every field stable (< 0.1)'}`,
    );
    const p = r.drift.performance;
    if (p?.onNew)
      lines.push(
        `  champion ${p.version} on the ${n(p.onNew.n)} new rows: MAPE ${p.onNew.mape.toFixed(2)}%${p.onReferenceTest ? ` (reference test: ${p.onReferenceTest.mape.toFixed(2)}%)` : ''}`,
      );
  }
  if (r.trigger)
    lines.push(
      `  performance trigger: ${r.trigger.retrain ? 'retrain' : r.trigger.forced ? 'fits, but --force' : 'fits'} — ${r.trigger.reasons.join('; ')}`,
    );
  for (const t of r.trained) {
    const e = t.evaluation.combined;
    lines.push(
      `  ${t.version} (${t.kind}): MAE $${e.mae.toFixed(0)}, MAPE ${e.mape.toFixed(2)}%, R² ${e.r2.toFixed(4)}, range coverage ${e.range.coverage.toFixed(1)}% on ${n(e.n)} rows; ${t.tuning.trials.length} tuning trial(s)`,
    );
  }
  const head = r.status === 'nothing_to_do' ? 'nothing to do' : r.decision?.promote ? 'promoted' : 'champion kept';
  const steps = r.steps.map((s) => `${s.name} ${(s.ms / 1000).toFixed(1)}s`).join(' · ');
  return [
    `pipeline run #${r.runId}: ${head} — ${r.message}`,
    ...lines,
    `  champion: ${r.champion ?? 'none'}   steps: ${steps}`,
  ].join('\n');
}

async function logger(opts: RunOpts): Promise<PipelineLogger> {
  // On a terminal the progress bar and the summary say it all; structured logs are for everything else.
  if (interactive(opts))
    return { info() {}, warn: (o, m) => process.stderr.write(`loupe: ${m ?? ''} ${JSON.stringify(o)}\n`) };
  const { commandLogger } = await import('./log.js');
  return commandLogger({ fd: 2, base: { name: 'loupe-pipeline', pid: process.pid } });
}

function exitCodeOf(r: PipelineResult): number {
  return r.files.some((f) => f.status === 'failed') ? EXIT_FILES_FAILED : EXIT_OK;
}

/** What a caller of the command may hook into a run (the crash tests stop the process at a checkpoint). */
export type PipelineHooks = Pick<RunOptions, 'checkpoint'>;

async function runOnce(paths: LoupePaths, opts: RunOpts, log: PipelineLogger, hooks: PipelineHooks): Promise<number> {
  return withPipelineStore(opts, (store) => runOn(store, paths, opts, log, hooks));
}

async function runOn(
  store: PipelineStore,
  paths: LoupePaths,
  opts: RunOpts,
  log: PipelineLogger,
  hooks: PipelineHooks,
): Promise<number> {
  const { LockBusyError, runPipeline, STEPS } = await pipelineModule();
  const bar = interactive(opts)
    ? new cliProgress.SingleBar(
        {
          format: 'pipeline [{bar}] {value}/{total} {step}',
          stream: process.stderr,
          clearOnComplete: true,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(STEPS.length, 0, { step: '' });
  try {
    const result = await runPipeline(store, paths, {
      incoming: opts.incoming,
      wait: opts.wait,
      log,
      force: opts.force === true,
      config: await configOverrides(paths, opts),
      onStep: (step: StepName, i: number) => bar?.update(i, { step }),
      checkpoint: hooks.checkpoint,
    });
    bar?.stop();
    emit(opts, result, describeResult);
    return exitCodeOf(result);
  } catch (err) {
    bar?.stop();
    if (err instanceof LockBusyError) throw new CliError(err.message, EXIT_BUSY);
    throw err;
  }
}

/** The run's live-accuracy entry (run.ts LiveAccuracy), as one indented line; empty when it has none. */
function accuracyLine(summary: unknown): string {
  const a = (summary as { accuracy?: LiveAccuracy | null } | null)?.accuracy;
  if (!a) return '';
  const reference = a.referenceMape === null ? '' : ` (reference test: ${a.referenceMape.toFixed(2)}%)`;
  return `\n    champion ${a.champion} on ${n(a.rows)} new appraisals: MAE $${n(Math.round(a.mae))}, MAPE ${a.mape.toFixed(2)}%${reference}, range coverage ${a.coverage.toFixed(1)}% of ${a.nominal}%`;
}

async function configOverrides(paths: LoupePaths, opts: RunOpts) {
  const { pipelineConfig, retrainTrigger } = await pipelineModule();
  const budget = opts.budget === undefined ? undefined : plainNumber(opts.budget, { min: 0 });
  if (opts.budget !== undefined && budget === undefined)
    throw new CliError(`--budget ${opts.budget} is not a number of milliseconds ≥ 0`, EXIT_USAGE);
  const trials = opts.trials === undefined ? undefined : plainNumber(opts.trials, { whole: true, min: 1, max: 1000 });
  if (opts.trials !== undefined && trials === undefined)
    throw new CliError(`--trials ${opts.trials} is not a whole number from 1 to 1000`, EXIT_USAGE);
  // Validates kinds (and the environment) before anything runs: a ConfigError is a usage error (cli/run.ts).
  return pipelineConfig(paths, process.env, {
    ...(opts.kinds
      ? {
          kinds: opts.kinds
            .split(',')
            .map((k) => k.trim())
            .filter(Boolean),
        }
      : {}),
    ...(budget !== undefined ? { tuneBudgetMs: budget } : {}),
    ...(trials !== undefined ? { tuneTrials: trials } : {}),
    ...(opts.incoming ? { incoming: opts.incoming } : {}),
    ...(opts.trigger !== undefined ? { trigger: retrainTrigger(opts.trigger) } : {}),
  });
}

/** Runs in the background until SIGINT/SIGTERM: each trigger runs the pipeline once, never two at a time. */
async function runUnattended(
  paths: LoupePaths,
  opts: RunOpts,
  log: PipelineLogger,
  hooks: PipelineHooks,
): Promise<number> {
  const config = await configOverrides(paths, opts);
  const { pendingFiles } = await pipelineModule();
  mkdirSync(config.incoming, { recursive: true });
  let running = false;
  let again = false;
  const trigger = async (why: string): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        log.info({ trigger: why }, 'pipeline triggered');
        try {
          const code = await runOnce(paths, { ...opts, wait: true, incoming: config.incoming }, log, hooks);
          log.info({ exitCode: code }, 'pipeline run finished');
        } catch (err) {
          log.warn(
            { error: err instanceof Error ? err.message : String(err) },
            'pipeline run failed; waiting for the next trigger',
          );
        }
      } while (again);
    } finally {
      running = false;
    }
  };
  const stops: (() => void)[] = [];
  if (opts.schedule) {
    let job: Cron;
    try {
      job = new Cron(opts.schedule, { protect: true }, () => void trigger(`schedule ${opts.schedule}`));
    } catch (err) {
      throw new CliError(
        `--schedule "${opts.schedule}" is not a valid cron expression: ${(err as Error).message}`,
        EXIT_USAGE,
      );
    }
    log.info({ schedule: opts.schedule, next: job.nextRun()?.toISOString() }, 'scheduled');
    stops.push(() => job.stop());
  }
  if (opts.watch) {
    // fs.watch can miss or coalesce events; a rename into the folder is what matters, so any event re-checks.
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(config.incoming, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (pendingFiles(config.incoming).length > 0) void trigger('new file in the landing folder');
      }, 300);
    });
    log.info({ incoming: config.incoming }, 'watching the landing folder');
    stops.push(() => {
      clearTimeout(timer);
      watcher.close();
    });
    // Catch up once at start: files that landed while nothing watched, or no champion yet.
    void trigger('start');
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      log.info({}, 'stopping');
      for (const s of stops) s();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  while (running) await new Promise((r) => setTimeout(r, 100));
  return EXIT_OK;
}

async function run(opts: RunOpts, hooks: PipelineHooks): Promise<void> {
  const paths = loupePaths(process.env, { home: opts.home, data: opts.data });
  const log = await logger(opts);
  if (opts.watch && opts.schedule) throw new CliError('use --watch or --schedule, not both', EXIT_USAGE);
  checkLandingFolder(opts.incoming, '--incoming');
  if (opts.incoming === undefined) checkLandingFolder(readEnv().LOUPE_INCOMING, 'LOUPE_INCOMING');
  process.exitCode =
    opts.watch || opts.schedule ? await runUnattended(paths, opts, log, hooks) : await runOnce(paths, opts, log, hooks);
}

/**
 * A landing folder named on purpose must be one: a mistyped path would otherwise be made empty (and watched, or
 * run on, finding nothing), and a CSV file given in its place fails later as a folder that cannot be made. The
 * default one (LOUPE_HOME/incoming) is made when missing.
 */
function checkLandingFolder(dir: string | undefined, given: string): void {
  if (dir === undefined || dir === '') return;
  let stats: ReturnType<typeof statSync> | undefined;
  try {
    stats = statSync(dir);
  } catch {
    throw new CliError(
      `${given} ${dir}: no such folder (the landing folder, where new appraisal files are put)`,
      EXIT_USAGE,
    );
  }
  if (!stats.isDirectory())
    throw new CliError(
      `${given} ${dir} is not a folder: it names the landing folder; put the appraisal files in a folder and name that`,
      EXIT_USAGE,
    );
}

/** The `loupe pipeline` command, with hooks into its runs (none in Loupe itself; tests pass a checkpoint). */
export const pipelineCommand =
  (hooks: PipelineHooks = {}): RegisterCommand =>
  (program: Command) => {
    const pipeline = program
      .command('pipeline')
      .description(
        'Retraining: ingest new appraisals, check drift, train a challenger, evaluate, promote only if not worse, register, report.',
      );

    pipeline
      .command('run')
      .description('Run the pipeline once (or on every new file with --watch, or on a schedule with --schedule).')
      .option('--incoming <dir>', 'the landing folder (default: $LOUPE_INCOMING or $LOUPE_HOME/incoming)')
      .option(
        '--kinds <list>',
        'model kinds to train, comma-separated (default: $LOUPE_MODEL_KINDS or the default kind)',
      )
      .option('--trials <n>', 'tuning trials per kind, defaults included (default: $LOUPE_TUNE_TRIALS or 8)')
      .option(
        '--budget <ms>',
        'upper bound on tuning time per kind, ms; reported when it cuts the trials (default: $LOUPE_TUNE_BUDGET_MS or 600000)',
      )
      .option('--wait', 'wait for a run in progress to finish instead of exiting with code 3')
      .option('--watch', 'keep running; run whenever a new file lands in the landing folder')
      .option('--schedule <cron>', 'keep running; run on this cron schedule, e.g. "0 3 * * *"')
      .option(
        '--trigger <when>',
        'always: train on any new data; performance: only when the champion no longer fits the new appraisals (default: $LOUPE_RETRAIN_TRIGGER or always)',
      )
      .option(
        '--force',
        'train on new appraisals even when the performance trigger finds the champion fit (with no new data, nothing is trained)',
      )
      .option('--json', 'print the result as JSON')
      .option('--home <dir>', 'where Loupe keeps its data (default: $LOUPE_HOME or ./var)')
      .option(
        '--data <file>',
        `the reference appraisals, ingested when nothing is stored yet; later runs need the same file or a copy (default: $LOUPE_DATA or ${DEFAULT_REFERENCE_DATA})`,
      )
      .addHelpText(
        'after',
        `
Example:
  $ cp ../shared/data/fresh/2026-11.csv var/incoming/
  $ loupe pipeline run
  pipeline run #4: promoted — v0004 replaces v0003: MAE $391 vs $392 (-0.3%, tolerance +2.0%) on 1391 evaluation rows
    2026-11.csv: 2,006 rows, 1,970 accepted, 36 rejected (…)

Ingested files move to incoming/done/; a file that fails as a whole moves to incoming/failed/ with a .report.json.
Exit codes: 0 done or nothing to do · 1 failure · 2 usage · 3 another run holds the lock · 4 done, some files failed.`,
      )
      .action((opts: RunOpts) => run(opts, hooks));

    pipeline
      .command('runs')
      .description('The history of pipeline runs: status, steps with durations, decision.')
      .option('--limit <n>', `how many, newest first (1 to ${MAX_RUNS_LISTED})`, '20')
      .option('--json', 'print JSON')
      .option('--home <dir>', EXISTING_HOME_HELP)
      .action((opts: { limit: string; json?: boolean; home?: string }) => {
        // Bounded: a history of years of runs is not read whole; "abc", 0 or 2.5 is a usage error, not 20 or a crash.
        const limit = plainNumber(opts.limit, { whole: true, min: 1, max: MAX_RUNS_LISTED });
        if (limit === undefined)
          throw new CliError(`--limit ${opts.limit} is not a whole number from 1 to ${MAX_RUNS_LISTED}`, EXIT_USAGE);
        return withExistingPipelineStore(opts, async (store) => {
          const runs = await store.listRuns(limit);
          emit(opts, runs, (rs) =>
            rs.length === 0
              ? 'no runs yet'
              : rs
                  .map(
                    (r) =>
                      `#${r.id} ${r.startedAt.slice(0, 19).replace('T', ' ')} ${r.status.padEnd(13)} ${r.steps.map((s) => `${s.name} ${(s.ms / 1000).toFixed(1)}s`).join(' · ')}\n    ${r.decision ?? r.error ?? ''}${accuracyLine(r.summary)}`,
                  )
                  .join('\n'),
          );
        });
      });
  };

export const registerPipeline: RegisterCommand = pipelineCommand();
