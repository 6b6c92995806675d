/**
 * The pipeline's settings, from the environment with defaults (every one can also be passed in code):
 *   LOUPE_MODEL_KINDS        kinds to train each run, comma-separated (default: the model layer's DEFAULT_KIND)
 *   LOUPE_TUNE_TRIALS        tuning trials per kind and run, defaults and champion included (default 8)
 *   LOUPE_TUNE_BUDGET_MS     upper bound on tuning time per kind and run, ms; the run reports when it cuts the
 *                            trials short (default 600000 = 10 min)
 *   LOUPE_TUNE_FOLDS         folds of the cross-validation behind each trial and the ranges' calibration (default 3)
 *   LOUPE_DIFFICULTY_TREES   trees of the ranges' difficulty model in the kinds Loupe trains (default 300,
 *                            the model layer's DEFAULT_DIFFICULTY_TREES); fewer train faster, for tests whose
 *                            checks hold for any ranges
 *   LOUPE_PROMOTE_METRIC     mae | rmse | mape (default mae)
 *   LOUPE_PROMOTE_TOLERANCE  relative tolerance of the promotion rule (default 0.02 = 2 %)
 *   LOUPE_INCOMING           the landing folder (default <LOUPE_HOME>/incoming)
 *   LOUPE_XGBOOST_TRAINER    the command that trains the xgboost kind (default: Debian's python3 running
 *                            scripts/train-xgboost.py); split at spaces, no shell; Loupe appends its arguments
 *   LOUPE_XGBOOST_PARAMS     JSON object of XGBoost parameters over DEFAULT_XGBOOST_PARAMS
 *   LOUPE_TRAINER_TIMEOUT_S  a trainer command running longer is stopped and its kind fails (default 3600)
 *   LOUPE_RETRAIN_TRIGGER    always (train on every new data, the default) | performance (only when the champion's
 *                            measured performance on the new appraisals calls for it; trigger.ts)
 *   LOUPE_RETRAIN_TOLERANCE, LOUPE_RETRAIN_COVERAGE_BAND, LOUPE_RETRAIN_PSI, LOUPE_RETRAIN_MIN_ROWS
 *                            the performance trigger's rule (trigger.ts: DEFAULT_TRIGGER_RULE says the defaults)
 */
import { join } from 'node:path';
import { readEnv, type LoupePaths } from '../config/index.js';
import { plainNumber } from '../diamond/index.js';
import {
  DEFAULT_DIFFICULTY_TREES,
  DEFAULT_KIND,
  DEFAULT_XGBOOST_PARAMS,
  EXTERNALLY_TRAINED_KINDS,
  KIND_NAMES,
} from '../model/index.js';
import { PROMOTION_METRICS, type PromotionMetric, type PromotionRule } from './decide.js';
import { DEFAULT_TRIGGER_RULE, RETRAIN_TRIGGERS, type RetrainTrigger, type TriggerRule } from './trigger.js';
import { DEFAULT_TUNE_TRIALS } from './tune.js';
import { DEFAULT_TRAINER_TIMEOUT_MS, DEFAULT_XGBOOST_TRAINER, type TrainerCommand } from './trainer-command.js';

export interface PipelineConfig {
  kinds: string[];
  tuneTrials: number;
  tuneBudgetMs: number;
  tuneFolds: number;
  /** Trees of the ranges' difficulty model (the kinds Loupe trains). */
  difficultyTrees: number;
  seed: number;
  holdoutFraction: number;
  promotion: PromotionRule;
  incoming: string;
  /** How the xgboost kind is trained (a command outside Loupe). */
  xgboostTrainer: TrainerCommand;
  /** When a run with new data trains: always, or only when the champion's performance calls for it. */
  trigger: RetrainTrigger;
  triggerRule: TriggerRule;
}

/** An upper bound only: the number of trials decides the search (same data, same champion on any machine). */
export const DEFAULT_TUNE_BUDGET_MS = 600_000;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * A number from the environment, read as the CLI reads its options (plain decimals: not 0x10, not "Infinity");
 * `whole` for a count (trials, folds, trees, rows), where a fraction would pass here and fail the run once files
 * are ingested.
 */
function number(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  whole = false,
): number {
  const text = env[name];
  if (text === undefined) return fallback;
  const v = plainNumber(text, { whole, min, max });
  if (v === undefined)
    throw new ConfigError(`${name}=${text} is not a ${whole ? 'whole number' : 'number'} from ${min} to ${max}`);
  return v;
}

const wholeNumber = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number =>
  number(env, name, fallback, min, max, true);

/** Kinds a run can train: Loupe's own, and those trained by a command (xgboost). */
export const PIPELINE_KINDS: readonly string[] = [...KIND_NAMES, ...EXTERNALLY_TRAINED_KINDS];

export function checkKinds(kinds: readonly string[]): string[] {
  const unknown = kinds.filter((k) => !PIPELINE_KINDS.includes(k));
  if (kinds.length === 0 || unknown.length > 0) {
    throw new ConfigError(
      `unknown model kind${unknown.length > 1 ? 's' : ''} ${unknown.join(', ') || '(none given)'}; known: ${PIPELINE_KINDS.join(', ')}`,
    );
  }
  return [...new Set(kinds)];
}

export function pipelineConfig(
  paths: LoupePaths,
  processEnv: NodeJS.ProcessEnv = process.env,
  overrides: Partial<PipelineConfig> = {},
): PipelineConfig {
  const env = readEnv(processEnv);
  const metric = (env.LOUPE_PROMOTE_METRIC ?? 'mae') as PromotionMetric;
  if (!PROMOTION_METRICS.includes(metric))
    throw new ConfigError(`LOUPE_PROMOTE_METRIC=${metric} is not one of ${PROMOTION_METRICS.join(', ')}`);
  const kinds = env.LOUPE_MODEL_KINDS
    ? env.LOUPE_MODEL_KINDS.split(',')
        .map((k) => k.trim())
        .filter(Boolean)
    : [DEFAULT_KIND];
  return {
    kinds: checkKinds(overrides.kinds ?? kinds),
    tuneTrials: overrides.tuneTrials ?? wholeNumber(env, 'LOUPE_TUNE_TRIALS', DEFAULT_TUNE_TRIALS, 1, 1000),
    tuneBudgetMs: overrides.tuneBudgetMs ?? number(env, 'LOUPE_TUNE_BUDGET_MS', DEFAULT_TUNE_BUDGET_MS, 0, 3_600_000),
    tuneFolds: overrides.tuneFolds ?? wholeNumber(env, 'LOUPE_TUNE_FOLDS', 3, 2, 10),
    difficultyTrees:
      overrides.difficultyTrees ?? wholeNumber(env, 'LOUPE_DIFFICULTY_TREES', DEFAULT_DIFFICULTY_TREES, 1, 10_000),
    seed: overrides.seed ?? 42,
    holdoutFraction: overrides.holdoutFraction ?? 0.2,
    promotion: overrides.promotion ?? {
      metric,
      tolerance: number(env, 'LOUPE_PROMOTE_TOLERANCE', 0.02, 0, 1),
      coverageMarginPts: 5,
    },
    incoming: overrides.incoming ?? env.LOUPE_INCOMING ?? join(paths.home, 'incoming'),
    xgboostTrainer: overrides.xgboostTrainer ?? xgboostTrainer(env),
    trigger: overrides.trigger ?? retrainTrigger(env.LOUPE_RETRAIN_TRIGGER),
    triggerRule: overrides.triggerRule ?? {
      errorTolerance: number(env, 'LOUPE_RETRAIN_TOLERANCE', DEFAULT_TRIGGER_RULE.errorTolerance, 0, 10),
      coverageBandPts: number(env, 'LOUPE_RETRAIN_COVERAGE_BAND', DEFAULT_TRIGGER_RULE.coverageBandPts, 0, 100),
      psiThreshold: number(env, 'LOUPE_RETRAIN_PSI', DEFAULT_TRIGGER_RULE.psiThreshold, 0, 100),
      minRows: wholeNumber(env, 'LOUPE_RETRAIN_MIN_ROWS', DEFAULT_TRIGGER_RULE.minRows, 1, 1_000_000),
    },
  };
}

/** LOUPE_RETRAIN_TRIGGER (or --trigger): always (default) or performance. */
export function retrainTrigger(value: string | undefined): RetrainTrigger {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'always';
  if ((RETRAIN_TRIGGERS as readonly string[]).includes(v)) return v as RetrainTrigger;
  throw new ConfigError(`the retraining trigger must be one of ${RETRAIN_TRIGGERS.join(', ')}, not "${value}"`);
}

function xgboostTrainer(env: NodeJS.ProcessEnv): TrainerCommand {
  const command = env.LOUPE_XGBOOST_TRAINER?.trim()
    ? env.LOUPE_XGBOOST_TRAINER.trim().split(/\s+/)
    : [...DEFAULT_XGBOOST_TRAINER];
  let params: Record<string, unknown> = {};
  if (env.LOUPE_XGBOOST_PARAMS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.LOUPE_XGBOOST_PARAMS);
    } catch {
      parsed = undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new ConfigError(
        `LOUPE_XGBOOST_PARAMS must be a JSON object of XGBoost parameters, e.g. {"max_depth":6}; got ${env.LOUPE_XGBOOST_PARAMS.slice(0, 80)}`,
      );
    params = parsed as Record<string, unknown>;
  }
  return {
    command,
    timeoutMs: number(env, 'LOUPE_TRAINER_TIMEOUT_S', DEFAULT_TRAINER_TIMEOUT_MS / 1000, 1, 7 * 86_400) * 1000,
    params: { ...DEFAULT_XGBOOST_PARAMS, ...params },
  };
}
