/**
 * One run of the retraining pipeline: under the run lock, recorded in pipeline_runs, the steps of ./steps/index.ts
 * in order, each logged, timed and recorded as it finishes.
 *
 * Crash safety comes from the order: nothing the champion depends on changes before the one transaction of
 * `register`; ingestion is per-file transactional; a resumed run recomputes everything from the database and
 * finds the same snapshot, so it completes the work of a killed one. Registered models lacking a card get one.
 */
import type { LoupePaths } from '../config/index.js';
import { loadValuer, type SegmentAccuracy } from '../model/index.js';
import { readArtifact, type ModelRecord } from '../registry/index.js';
import type { Db } from '../store/db.js';
import { asPipelineStore, type PipelineStore } from '../store/pipeline-store.js';
import type { AccuracyFigures, LiveAccuracy, StepRecord } from '../store/runs.js';
import { pipelineConfig, type PipelineConfig } from './config.js';
import { acquireRunLock, waitForRunLock, type RunLock } from './lock.js';
import { PIPELINE_STEPS, type StepName } from './steps/index.js';
import type { LoadResult, PipelineLogger, PipelineResult, RunContext, RunState, Step } from './steps/step.js';

export { CRASH_POINTS, STEPS, type StepName } from './steps/index.js';
export type { DriftReport, PipelineLogger, PipelineResult, TrainedModel } from './steps/step.js';
export type { LiveAccuracy } from '../store/runs.js';

export interface RunOptions {
  /** The landing folder; null: none (bootstrap). Default: config.incoming. */
  incoming?: string | null;
  config?: Partial<PipelineConfig>;
  /** Wait for another run to finish instead of refusing (LockBusyError). */
  wait?: boolean;
  log?: PipelineLogger;
  /** Train even when the performance trigger finds the champion fit (`--force`). */
  force?: boolean;
  /** Called as each step starts (progress bars). */
  onStep?(step: StepName, index: number): void;
  /**
   * Called at every crash point (CRASH_POINTS): as each step starts, and at the points inside steps where a crash
   * matters most. The crash tests stop the process there; Loupe itself passes nothing.
   */
  checkpoint?(point: string): void;
}

const silent: PipelineLogger = { info() {}, warn() {} };

/** One run on a pipeline store (SQLite or PostgreSQL), or on an SQLite connection. */
export async function runPipeline(
  on: Db | PipelineStore,
  paths: LoupePaths,
  options: RunOptions = {},
): Promise<PipelineResult> {
  const store = asPipelineStore(on);
  const config = pipelineConfig(paths, process.env, options.config);
  const log = options.log ?? silent;
  const lock: RunLock = options.wait
    ? await waitForRunLock(store, 'pipeline run', {
        onWait: (h) => log.info({ holder: h }, 'waiting for another pipeline run to finish'),
      })
    : await acquireRunLock(store, 'pipeline run');
  try {
    if (lock.tookOverFrom)
      log.warn({ previous: lock.tookOverFrom }, 'took over the lock of a run that is no longer alive');
    const interrupted = await store.markInterrupted();
    if (interrupted > 0)
      log.warn({ runs: interrupted }, 'earlier run(s) were interrupted; this run completes their work');
    const runId = await store.startRun();
    try {
      const incoming = options.incoming === undefined ? config.incoming : options.incoming;
      const result = await runSteps(
        { store, paths, config, runId, lock, log, incoming, force: options.force === true },
        options,
      );
      await store.finishRun(runId, result.status, {
        decision: result.decision?.reason ?? result.message,
        summary: summarise(result),
      });
      return result;
    } catch (err) {
      await store
        .finishRun(runId, 'failed', { error: err instanceof Error ? err.message : String(err) })
        .catch((e: unknown) => log.warn({ error: String(e) }, 'the failed run could not be recorded'));
      throw err;
    }
  } finally {
    // A lock that cannot be freed (a full disk refuses even a DELETE) must not replace the error that ended the run:
    // its row is stale for this process and for any other once this one exits (lock.ts), so the next run takes it.
    await Promise.resolve()
      .then(() => lock.release())
      .catch((err: unknown) =>
        log.warn({ error: String(err) }, 'the run lock could not be freed; the next run takes it over'),
      );
  }
}

function summarise(r: PipelineResult): unknown {
  return {
    files: r.files.map((f) => ({
      file: f.file,
      status: f.status,
      accepted: f.accepted,
      rejected: f.rejected,
      byReason: f.byReason,
      message: f.message,
    })),
    snapshot: r.snapshot,
    trained: r.trained.map((t) => ({
      version: t.version,
      kind: t.kind,
      promoted: t.promoted,
      combined: t.evaluation.combined,
    })),
    champion: r.champion,
    drift: r.drift && {
      newRows: r.drift.newRows,
      large: r.drift.features.filter((f) => f.level === 'large').map((f) => f.feature),
    },
    trigger: r.trigger,
    accuracy: liveAccuracy(r),
    message: r.message,
  };
}

/**
 * The live accuracy history, one entry per run (store/runs.ts LiveAccuracy): the champion on the appraisals new
 * since its training data beside the same champion on the reference test rows, overall and by segment. Null when
 * there were none or it could not be measured.
 */
function liveAccuracy(r: PipelineResult): LiveAccuracy | null {
  const p = r.drift?.performance;
  if (!p?.onNew) return null;
  const { n, mae, mape, range } = p.onNew;
  const ref = p.onReferenceTest;
  const figures = (s: SegmentAccuracy): AccuracyFigures => ({
    rows: s.rows,
    mae: s.mae,
    mape: s.mape,
    coverage: s.coverage,
  });
  const atPromotion = p.segments?.onReferenceTest ?? [];
  return {
    champion: p.version,
    rows: n,
    mae,
    mape,
    coverage: range.coverage,
    nominal: range.nominal,
    referenceMape: ref?.mape ?? null,
    reference: ref && {
      rows: ref.n,
      mae: ref.mae,
      mape: ref.mape,
      coverage: Number.isNaN(ref.range.coverage) ? null : ref.range.coverage,
    },
    segments: p.segments?.onNew.map((s) => {
      const then = atPromotion.find((t) => t.partition === s.partition && t.group === s.group);
      return { partition: s.partition, group: s.group, ...figures(s), reference: then ? figures(then) : null };
    }),
  };
}

function emptyState(runId: number): RunState {
  return {
    result: {
      runId,
      status: 'succeeded',
      files: [],
      drift: null,
      snapshot: null,
      trained: [],
      decision: null,
      champion: null,
      steps: [],
      message: '',
      trigger: null,
    },
    newFiles: [],
    kindsToTrain: [],
    challengers: [],
    failedKinds: [],
    newestFiles: [],
    evaluated: [],
    registered: [],
    cards: [],
  };
}

/** Loads models from the registry at most once per run: every run re-checks the files it uses. */
function modelLoader(): (record: ModelRecord) => LoadResult {
  const loaded = new Map<string, LoadResult>();
  return (record) => {
    const key = `${record.version}:${record.artifactSha256}`;
    let result = loaded.get(key);
    if (!result) {
      try {
        result = { model: loadValuer(readArtifact(record), record.version) };
      } catch (err) {
        result = { error: err instanceof Error ? err.message : String(err) };
      }
      loaded.set(key, result);
    }
    return result;
  };
}

async function runSteps(
  run: Omit<RunContext, 'state' | 'load' | 'checkpoint'>,
  options: RunOptions,
): Promise<PipelineResult> {
  let current: Step = PIPELINE_STEPS[0];
  const ctx: RunContext = {
    ...run,
    state: emptyState(run.runId),
    load: modelLoader(),
    checkpoint(point) {
      if (!current.checkpoints?.includes(point))
        throw new Error(`step ${current.name} has no checkpoint "${point}"; declare it in its checkpoints`);
      options.checkpoint?.(`${current.name}:${point}`);
    },
  };
  const records: StepRecord[] = ctx.state.result.steps;
  for (let i = 0; i < PIPELINE_STEPS.length; i++) {
    current = PIPELINE_STEPS[i];
    const step: Step = current;
    options.onStep?.(step.name as StepName, i);
    ctx.lock.heartbeat();
    ctx.log.info({ run: ctx.runId, step: step.name }, `${step.name}: started`);
    options.checkpoint?.(step.name);
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const outcome = await step.run(ctx);
    const record: StepRecord = {
      name: step.name,
      startedAt,
      ms: Math.round(performance.now() - t0),
      detail: step.describe(ctx),
    };
    records.push(record);
    await ctx.store.recordSteps(ctx.runId, records);
    ctx.log.info({ run: ctx.runId, step: step.name, ms: record.ms }, `${step.name}: ${record.detail}`);
    if (outcome) {
      const next = PIPELINE_STEPS.findIndex((s) => s.name === outcome.skipTo);
      if (next <= i) throw new Error(`step ${step.name} cannot skip to "${outcome.skipTo}": not a later step`);
      i = next - 1;
    }
  }
  return ctx.state.result;
}
