/**
 * One run of the retraining pipeline, step by step, each logged, timed and recorded in pipeline_runs:
 *
 *   ingest    every new file of the landing folder (and the reference data, if nothing is stored yet)
 *   drift     each field's drift (PSI, KS) from the champion's training data to the new appraisals, and the
 *             champion's error on them (performance drift)
 *   snapshot  the training rows by content hash; if every configured kind already has a model on exactly this
 *             snapshot, there is nothing to do and the run says so
 *   train     per kind: tuning by CV inside the training rows, a fixed number of seeded trials (the time budget
 *             only an upper bound), then the final fit
 *   evaluate  challenger(s) and champion on the same rows: reference test split + holdout of the newest files
 *   promote   the decision: the best challenger (by CV) against the champion, by the promotion rule
 *   register  every trained model, and the promotion if decided, in one transaction (artifacts written first)
 *   report    a model card for every model that lacks one
 *
 * Crash safety comes from the order: nothing the champion depends on changes before the one transaction of
 * `register`; ingestion is per-file transactional; a resumed run recomputes everything from the database and
 * finds the same snapshot, so it completes the work of a killed one. Registered models lacking a card get one.
 */
import type { LoupePaths } from '../config/index.js';
import { loadValuer, createValuer, type Evaluation, type LoadedModel, type ModelArtifact } from '../model/index.js';
import { getChampion, getModel, listModels, pausePoint, promoteModel, readArtifact, registerModel, setDecision, type ModelRecord } from '../registry/index.js';
import { writeTransaction, type Db } from '../store/db.js';
import { countFiles } from '../store/files.js';
import { ingestFile } from '../ingest/index.js';
import { pipelineConfig, type PipelineConfig } from './config.js';
import { getSnapshot, partitionData, saveSnapshot, snapshotRows, type Row, type Snapshot } from './data.js';
import { decide, type Decision } from './decide.js';
import { featureDrift, type FeatureDrift } from './drift.js';
import { evaluateOnSets, type ModelEvaluation } from './evaluate.js';
import { gitCommit } from './git.js';
import { ingestIncoming, type IncomingOutcome } from './incoming.js';
import { acquireLock, waitForLock, type RunLock } from './lock.js';
import { writeMissingCards } from './report.js';
import { finishRun, markInterrupted, recordSteps, startRun, type StepRecord } from '../store/runs.js';
import { tune, type TuneResult } from './tune.js';
import { evaluateModel } from '../model/index.js';

export const STEPS = ['ingest', 'drift', 'snapshot', 'train', 'evaluate', 'promote', 'register', 'report'] as const;
export type StepName = (typeof STEPS)[number];

/** Structured log lines (pino's signature); the CLI passes a pino logger writing to stderr. */
export interface PipelineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RunOptions {
  /** The landing folder; null: none (bootstrap). Default: config.incoming. */
  incoming?: string | null;
  config?: Partial<PipelineConfig>;
  /** Wait for another run to finish instead of refusing (LockBusyError). */
  wait?: boolean;
  log?: PipelineLogger;
  /** Called as each step starts (progress bars). */
  onStep?(step: StepName, index: number): void;
}

export interface DriftReport {
  /** Champion's version the baseline comes from (its training data). */
  baseline: string | null;
  baselineRows: number;
  newRows: number;
  newFiles: string[];
  features: FeatureDrift[];
  /** The champion's error on all new appraisals beside its error on the reference test rows. */
  performance: { version: string; onNew: Evaluation | null; onReferenceTest: Evaluation | null } | null;
  note?: string;
}

export interface TrainedModel {
  kind: string;
  tuning: TuneResult;
  trainMs: number;
  evaluation: ModelEvaluation;
  version?: string;
  promoted?: boolean;
}

export interface PipelineResult {
  runId: number;
  status: 'succeeded' | 'nothing_to_do';
  files: IncomingOutcome[];
  drift: DriftReport | null;
  snapshot: Snapshot | null;
  trained: TrainedModel[];
  decision: (Decision & { challenger: string | null; champion: string | null }) | null;
  champion: string | null;
  steps: StepRecord[];
  message: string;
}

const silent: PipelineLogger = { info() {}, warn() {} };

function pick(rows: readonly Row[]) {
  return rows.map(({ carat, cut, color, clarity, depth, table, price, x, y, z }) => ({ carat, cut, color, clarity, depth, table, price, x, y, z }));
}

export async function runPipeline(db: Db, paths: LoupePaths, options: RunOptions = {}): Promise<PipelineResult> {
  const config = pipelineConfig(paths, process.env, options.config);
  const log = options.log ?? silent;
  const lock: RunLock = options.wait
    ? await waitForLock(db, 'pipeline run', { onWait: (h) => log.info({ holder: h }, 'waiting for another pipeline run to finish') })
    : acquireLock(db, 'pipeline run');
  try {
    if (lock.tookOverFrom) log.warn({ previous: lock.tookOverFrom }, 'took over the lock of a run that is no longer alive');
    const interrupted = markInterrupted(db);
    if (interrupted > 0) log.warn({ runs: interrupted }, 'earlier run(s) were interrupted; this run completes their work');
    const runId = startRun(db);
    try {
      const result = await runSteps(db, paths, config, runId, lock, log, options);
      finishRun(db, runId, result.status, { decision: result.decision?.reason ?? result.message, summary: summarise(result) });
      return result;
    } catch (err) {
      finishRun(db, runId, 'failed', { error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  } finally {
    lock.release();
    loaded.clear();
  }
}

function summarise(r: PipelineResult): unknown {
  return {
    files: r.files.map((f) => ({ file: f.file, status: f.status, accepted: f.accepted, rejected: f.rejected, byReason: f.byReason, message: f.message })),
    snapshot: r.snapshot,
    trained: r.trained.map((t) => ({ version: t.version, kind: t.kind, promoted: t.promoted, combined: t.evaluation.combined })),
    champion: r.champion,
    drift: r.drift && { newRows: r.drift.newRows, large: r.drift.features.filter((f) => f.level === 'large').map((f) => f.feature) },
    message: r.message,
  };
}

async function runSteps(
  db: Db, paths: LoupePaths, config: PipelineConfig, runId: number, lock: RunLock, log: PipelineLogger, options: RunOptions,
): Promise<PipelineResult> {
  loaded.clear();
  const steps: StepRecord[] = [];
  const step = async <T>(name: StepName, fn: () => T | Promise<T>, detail: (v: T) => string): Promise<T> => {
    options.onStep?.(name, STEPS.indexOf(name));
    lock.heartbeat();
    log.info({ run: runId, step: name }, `${name}: started`);
    pausePoint(name);
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const value = await fn();
    const record: StepRecord = { name, startedAt, ms: Math.round(performance.now() - t0), detail: detail(value) };
    steps.push(record);
    recordSteps(db, runId, steps);
    log.info({ run: runId, step: name, ms: record.ms }, `${name}: ${record.detail}`);
    return value;
  };
  const result: PipelineResult = {
    runId, status: 'succeeded', files: [], drift: null, snapshot: null, trained: [], decision: null, champion: null, steps, message: '',
  };

  // 1. ingest
  result.files = await step('ingest', async () => {
    const outcomes: IncomingOutcome[] = [];
    if (countFiles(db) === 0) {
      const s = await ingestFile(db, paths.referenceData);
      if (s.status === 'failed') throw new Error(`the reference data ${paths.referenceData} could not be ingested: ${s.message}`);
      outcomes.push({ ...s, movedTo: paths.referenceData });
    }
    const incoming = options.incoming === undefined ? config.incoming : options.incoming;
    if (incoming) outcomes.push(...(await ingestIncoming(db, incoming, (o) => log.info({ file: o.file, status: o.status, accepted: o.accepted, rejected: o.rejected, byReason: o.byReason, message: o.message }, `ingest: ${o.file} ${o.status}`))));
    return outcomes;
  }, (o) => {
    const count = (s: string) => o.filter((f) => f.status === s).length;
    return o.length === 0 ? 'no new files' : `${o.length} file(s): ${count('ingested')} ingested, ${count('already_ingested')} already ingested, ${count('failed')} failed (moved aside)`;
  });

  // 2. drift
  const champion = getChampion(db);
  // A champion this version of Loupe cannot load (damaged file, or an artifact of an older feature spec) cannot
  // serve: it is not compared against, and any loadable challenger replaces it.
  const loadedChampion = champion ? tryLoad(champion) : undefined;
  if (loadedChampion && 'error' in loadedChampion) log.warn({ champion: champion!.version, error: loadedChampion.error }, 'the champion cannot be loaded');
  const championModel = loadedChampion && 'model' in loadedChampion ? loadedChampion.model : undefined;
  const partition = partitionData(db, paths, config.holdoutFraction);
  const baselineSnapshot = champion ? getSnapshot(db, champion.trainingDataSha256) : undefined;
  const baselineMaxFile = baselineSnapshot?.maxFileId ?? 0;
  const newFiles = partition.files.filter((f) => f.id > baselineMaxFile && f.id !== partition.referenceFileId);
  const newRows = newFiles.flatMap((f) => partition.byFile.get(f.id) ?? []);
  result.drift = await step('drift', () => driftReport(db, champion, championModel, loadedChampion && 'error' in loadedChampion ? loadedChampion.error : undefined, baselineSnapshot, newFiles.map((f) => f.name), newRows, partition.referenceTest), (d) =>
    d.note ?? `${d.newRows} new rows; PSI large on: ${d.features.filter((f) => f.level === 'large').map((f) => f.feature).join(', ') || 'none'}` +
      (d.performance?.onNew ? `; champion MAPE ${d.performance.onNew.mape.toFixed(2)}% on new rows vs ${d.performance.onReferenceTest?.mape.toFixed(2) ?? '—'}% on reference test` : ''));

  // 3. snapshot
  const snapshot = await step('snapshot', () => saveSnapshot(db, partition.training), (s) => `${s.rows} training rows, sha256 ${s.sha256.slice(0, 12)}…`);
  result.snapshot = snapshot;
  const models = listModels(db);
  const kindsToTrain = champion && !championModel
    ? config.kinds
    : config.kinds.filter((k) => !models.some((m) => m.kind === k && m.trainingDataSha256 === snapshot.sha256 && 'model' in tryLoad(m)));
  if (champion && championModel && kindsToTrain.length === 0) {
    result.status = 'nothing_to_do';
    result.champion = champion.version;
    const same = models.filter((m) => m.trainingDataSha256 === snapshot.sha256).map((m) => m.version);
    result.message = `no new data: the training data (snapshot ${snapshot.sha256.slice(0, 12)}…) is what ${same.join(', ')} learned from; champion ${champion.version} stays; nothing to do`;
    log.info({ run: runId }, result.message);
    await step('report', () => writeMissingCards(db, paths), (w) => (w.length ? `model cards written for ${w.join(', ')}` : 'all model cards present'));
    return result;
  }

  // 4. train
  const training = pick(partition.training);
  const artifacts: { kind: string; artifact: ModelArtifact; tuning: TuneResult; trainMs: number }[] = await step('train', async () => {
    const trained: { kind: string; artifact: ModelArtifact; tuning: TuneResult; trainMs: number }[] = [];
    for (const kind of kindsToTrain) {
      const t0 = performance.now();
      const warmStart = champion?.kind === kind ? champion.params : undefined;
      const { result: tuning, artifact } = await tune(training, kind, { trials: config.tuneTrials, budgetMs: config.tuneBudgetMs, seed: config.seed, folds: config.tuneFolds, warmStart });
      lock.heartbeat();
      trained.push({ kind, artifact, tuning, trainMs: performance.now() - t0 });
    }
    return trained;
  }, (a) => a.map((x) => `${x.kind}: ${x.tuning.trials.length} of ${x.tuning.plannedTrials} trial(s) of ${x.tuning.folds}-fold CV in ${(x.tuning.spentMs / 1000).toFixed(1)} s (stopped: ${x.tuning.stopped}), chosen CV MAE $${x.tuning.trials[x.tuning.chosen].mae.toFixed(0)}`).join('; '));

  // 5. evaluate
  const newestFiles = newFiles.length > 0 ? newFiles : partition.files.filter((f) => f.id !== partition.referenceFileId).slice(-1);
  const sets = { referenceTest: pick(partition.referenceTest), newest: pick(newestFiles.flatMap((f) => partition.holdout.get(f.id) ?? [])) };
  const evaluated = await step('evaluate', () => ({
    challengers: artifacts.map((a) => ({ ...a, evaluation: evaluateOnSets(createValuer(a.artifact, 'challenger'), sets) })),
    champion: championModel ? evaluateOnSets(championModel, sets) : undefined,
  }), (e) => `${sets.referenceTest.length} reference test + ${sets.newest.length} newest holdout rows (${newestFiles.map((f) => f.name).join(', ') || 'none'}); ` +
    e.challengers.map((c) => `${c.kind} MAE $${c.evaluation.combined.mae.toFixed(0)}`).join(', ') +
    (e.champion ? `; champion ${champion!.version} MAE $${e.champion.combined.mae.toFixed(0)}` : ''));

  // 6. promote (decide)
  const chosenMae = (c: { tuning: TuneResult }) => c.tuning.trials[c.tuning.chosen].mae;
  const best = evaluated.challengers.reduce((a, b) => (chosenMae(b) < chosenMae(a) ? b : a));
  const challengerName = `the ${best.kind} challenger`;
  const decision = await step('promote', () => champion && !championModel
    ? { promote: true, reason: `${challengerName} replaces ${champion.version}, which this version of Loupe cannot load (${(loadedChampion as { error: string }).error})` }
    : decide(best.evaluation.combined, evaluated.champion?.combined, config.promotion, { challenger: challengerName, champion: champion?.version }), (d) => d.reason);

  // 7. register (one transaction: artifacts written, rows inserted, champion switched)
  const commit = gitCommit();
  const registered = await step('register', () => writeTransaction(db, () => evaluated.challengers.map((c) => {
    const isBest = c === best;
    const verdict = !isBest
      ? `not the challenger: CV MAE of ${best.kind} was lower`
      : decision.promote ? `promoted: ${decision.reason}` : `kept the champion: ${decision.reason}`;
    const metrics = {
      outOfFold: c.artifact.metrics.outOfFold,
      evaluation: c.evaluation,
      champion: champion && evaluated.champion ? { version: champion.version, evaluation: evaluated.champion } : null,
      evaluationRows: { referenceTest: sets.referenceTest.length, newest: sets.newest.length, newestFiles: newestFiles.map((f) => f.name) },
      tuning: c.tuning,
      drift: result.drift,
      snapshot: { sha256: snapshot.sha256, rows: snapshot.rows, maxFileId: snapshot.maxFileId },
      promotionRule: config.promotion,
      run: runId,
    };
    const registered = registerModel(db, paths, c.artifact, { durationMs: Math.round(c.trainMs), gitCommit: commit, metrics, decision: verdict });
    // The version is known once registered: name it in the decision instead of "the … challenger".
    setDecision(db, registered.version, verdict.replace(challengerName, registered.version));
    if (isBest && decision.promote) {
      pausePoint('register:before-promotion');
      promoteModel(db, registered.version, decision.reason.replace(challengerName, registered.version));
    }
    return getModel(db, registered.version)!;
  })), (r: ModelRecord[]) => `registered ${r.map((m) => m.version).join(', ')}${decision.promote ? `; champion is now ${r[evaluated.challengers.indexOf(best)].version}` : `; champion ${champion?.version} kept`}`);

  result.trained = evaluated.challengers.map((c, i) => ({
    kind: c.kind, tuning: c.tuning, trainMs: c.trainMs, evaluation: c.evaluation, version: registered[i].version, promoted: c === best && decision.promote,
  }));
  const bestVersion = registered[evaluated.challengers.indexOf(best)].version;
  result.decision = { ...decision, reason: decision.reason.replace(challengerName, bestVersion), challenger: bestVersion, champion: champion?.version ?? null };
  result.champion = getChampion(db)?.version ?? null;
  result.message = result.decision.reason;

  // 8. report
  await step('report', () => writeMissingCards(db, paths), (w) => (w.length ? `model cards written for ${w.join(', ')}` : 'all model cards present'));
  return result;
}

type LoadResult = { model: LoadedModel } | { error: string };
/** Models loaded during the current run (cleared at each run's start, so every run re-checks the files). */
const loaded = new Map<string, LoadResult>();

function tryLoad(record: ModelRecord): LoadResult {
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
}

function driftReport(
  db: Db, champion: ModelRecord | undefined, model: LoadedModel | undefined, loadError: string | undefined, baseline: Snapshot | undefined,
  newFiles: string[], newRows: Row[], referenceTest: Row[],
): DriftReport {
  const empty = { baseline: champion?.version ?? null, baselineRows: 0, newRows: newRows.length, newFiles, features: [], performance: null };
  if (!champion) return { ...empty, note: 'no champion yet: nothing to compare the data with' };
  if (newRows.length === 0) return { ...empty, note: `no new appraisals since ${champion.version}'s training data` };
  if (!baseline) return { ...empty, note: `${champion.version}'s training snapshot is not recorded; drift not measured` };
  const base = snapshotRows(db, baseline.sha256);
  return {
    baseline: champion.version,
    baselineRows: base.length,
    newRows: newRows.length,
    newFiles,
    features: featureDrift(base, newRows),
    ...(model ? {} : { note: `performance drift not measured: ${champion.version} cannot be loaded (${loadError})` }),
    performance: !model ? null : {
      version: champion.version,
      onNew: evaluateModel(model, newRows),
      onReferenceTest: referenceTest.length > 0 ? evaluateModel(model, referenceTest) : null,
    },
  };
}
