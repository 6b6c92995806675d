/**
 * What a pipeline step is, and the context a run hands to each. A step is `{ name, run, describe }`: `run` does
 * the work, reading what earlier steps left in `ctx.state` and adding its own; `describe` says in one line what it
 * did (logged and recorded in pipeline_runs). The runner (../run.ts) calls them in the order of ./index.ts.
 */
import type { LoupePaths } from '../../config/index.js';
import type { Evaluation, LoadedModel, ModelArtifact, SegmentAccuracy } from '../../model/index.js';
import type { ModelRecord } from '../../registry/index.js';
import type { FileRecord } from '../../store/files.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import type { StepRecord } from '../../store/runs.js';
import type { PipelineConfig } from '../config.js';
import type { DataPartition, Snapshot } from '../data.js';
import type { Decision } from '../decide.js';
import type { FeatureDrift } from '../drift.js';
import type { EvaluationSets, ModelEvaluation } from '../evaluate.js';
import type { IncomingOutcome } from '../incoming.js';
import type { RunLock } from '../lock.js';
import type { TriggerVerdict } from '../trigger.js';
import type { TuneResult } from '../tune.js';

/** Structured log lines (pino's signature); the CLI passes a pino logger writing to stderr. */
export interface PipelineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DriftReport {
  /** Champion's version the baseline comes from (its training data). */
  baseline: string | null;
  baselineRows: number;
  newRows: number;
  newFiles: string[];
  features: FeatureDrift[];
  /** The champion's error on all new appraisals beside its error on the reference test rows. */
  performance: {
    version: string;
    onNew: Evaluation | null;
    onReferenceTest: Evaluation | null;
    /** The same, by carat band and grade (for the live accuracy history). */
    segments?: { onNew: SegmentAccuracy[]; onReferenceTest: SegmentAccuracy[] | null };
  } | null;
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
  /** The performance trigger's verdict and the numbers behind it (null: the run did not consult it). */
  trigger: (TriggerVerdict & { forced: boolean }) | null;
}

/** A model loaded from the registry, or why it could not be. */
export type LoadResult = { model: LoadedModel } | { error: string };

/** A challenger as the train step leaves it, and with its evaluation once the evaluate step has scored it. */
export interface Challenger {
  kind: string;
  artifact: ModelArtifact;
  tuning: TuneResult;
  trainMs: number;
}
export type EvaluatedChallenger = Challenger & { evaluation: ModelEvaluation };

/** The work of a run so far: each step reads what the steps before it wrote. */
export interface RunState {
  /** What the run returns; the steps fill it in. */
  result: PipelineResult;
  /** drift: the champion when the run started, and the model loaded from it (or why it could not be). */
  champion?: { record: ModelRecord; loaded: LoadResult };
  /** drift: what trains and what evaluates. */
  partition?: DataPartition;
  /** drift: the files new since the champion's training snapshot. */
  newFiles: FileRecord[];
  /** snapshot: the kinds that have no model on this snapshot yet. */
  kindsToTrain: string[];
  /** train: one challenger per kind that trained, and the kinds that failed with why. */
  challengers: Challenger[];
  failedKinds: { kind: string; error: string }[];
  /** evaluate: the rows challengers and champion are compared on, and the files the newest rows come from. */
  sets?: EvaluationSets;
  newestFiles: FileRecord[];
  /** evaluate: every challenger with its evaluation, and the champion's on the same rows. */
  evaluated: EvaluatedChallenger[];
  championEvaluation?: ModelEvaluation;
  /** promote: the challenger put to the champion (best CV), and the decision, its reason worded for any name of it. */
  best?: EvaluatedChallenger;
  decision?: { promote: boolean; reasonFor(challenger: string): string };
  /** register: the registry records of the challengers, in the order of `evaluated`. */
  registered: ModelRecord[];
  /** report: the versions whose model cards were written. */
  cards: string[];
}

export interface RunContext {
  /** The database, SQLite or PostgreSQL (the pipeline does not know which). */
  store: PipelineStore;
  paths: LoupePaths;
  config: PipelineConfig;
  runId: number;
  lock: RunLock;
  log: PipelineLogger;
  /** The landing folder, or null (bootstrap). */
  incoming: string | null;
  /** Train even when the performance trigger finds the champion fit. */
  force: boolean;
  state: RunState;
  /** Loads a registered model once per run (a run re-checks every file it uses). */
  load(record: ModelRecord): LoadResult;
  /** Marks a point inside the current step where a crash matters (named in the step's `checkpoints`). */
  checkpoint(point: string): void;
}

/** What a step may tell the runner: go on with the next step (nothing), or skip ahead to a later one. */
// biome-ignore lint/suspicious/noConfusingVoidType: a step that returns nothing goes on with the next one
export type StepOutcome = void | { skipTo: string };

export interface Step<Name extends string = string> {
  name: Name;
  /** Points inside the step where a crash matters most; crash tests stop the process at each (`<step>:<point>`). */
  checkpoints?: readonly string[];
  run(ctx: RunContext): StepOutcome | Promise<StepOutcome>;
  /** One line: what the step did. */
  describe(ctx: RunContext): string;
}

/** A value an earlier step must have left; its absence is a bug in the step order, said plainly. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`pipeline step order: ${what} is not there yet`);
  return value;
}

/** The model of a load result, when it loaded. */
export function loadedModel(result: LoadResult | undefined): LoadedModel | undefined {
  return result && 'model' in result ? result.model : undefined;
}
