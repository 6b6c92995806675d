/**
 * The retraining pipeline: ingest → drift → snapshot → train → evaluate → promote → register → report,
 * one file per concern, run under a lock, each run recorded.
 */
export { bootstrap, type BootstrapOptions } from './bootstrap.js';
export {
  runPipeline,
  STEPS,
  CRASH_POINTS,
  type PipelineLogger,
  type PipelineResult,
  type RunOptions,
  type StepName,
  type DriftReport,
  type TrainedModel,
  type LiveAccuracy,
} from './run.js';
export { pipelineConfig, retrainTrigger, ConfigError, DEFAULT_TUNE_BUDGET_MS, type PipelineConfig } from './config.js';
export {
  decideRetraining,
  DEFAULT_TRIGGER_RULE,
  type RetrainTrigger,
  type TriggerRule,
  type TriggerVerdict,
} from './trigger.js';
export { LockBusyError, acquireLock, waitForLock, lockHolder, type RunLock, type LockHolder } from './lock.js';
export { listRuns, getRun, type RunRecord, type StepRecord } from '../store/runs.js';
export {
  featureDrift,
  psiNumeric,
  psiCategorical,
  ksTest,
  psiLevel,
  type FeatureDrift,
  type KsResult,
} from './drift.js';
export { partitionData, referenceSplitPath, snapshotRows, DEFAULT_HOLDOUT_FRACTION } from './data.js';
export { appraisals } from './steps/train.js';
export { pendingFiles } from './incoming.js';
