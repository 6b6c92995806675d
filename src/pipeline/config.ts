/**
 * The pipeline's settings, from the environment with defaults (every one can also be passed in code):
 *   LOUPE_MODEL_KINDS        kinds to train each run, comma-separated (default: the model layer's DEFAULT_KIND)
 *   LOUPE_TUNE_TRIALS        tuning trials per kind and run, defaults and champion included (default 8)
 *   LOUPE_TUNE_BUDGET_MS     upper bound on tuning time per kind and run, ms; the run reports when it cuts the
 *                            trials short (default 600000 = 10 min)
 *   LOUPE_TUNE_FOLDS         folds of the cross-validation behind each trial and the ranges' calibration (default 3)
 *   LOUPE_PROMOTE_METRIC     mae | rmse | mape (default mae)
 *   LOUPE_PROMOTE_TOLERANCE  relative tolerance of the promotion rule (default 0.02 = 2 %)
 *   LOUPE_INCOMING           the landing folder (default <LOUPE_HOME>/incoming)
 */
import { join } from 'node:path';
import type { LoupePaths } from '../config/index.js';
import { DEFAULT_KIND, KIND_NAMES } from '../model/index.js';
import { PROMOTION_METRICS, type PromotionMetric, type PromotionRule } from './decide.js';
import { DEFAULT_TUNE_TRIALS } from './tune.js';

export interface PipelineConfig {
  kinds: string[];
  tuneTrials: number;
  tuneBudgetMs: number;
  tuneFolds: number;
  seed: number;
  holdoutFraction: number;
  promotion: PromotionRule;
  incoming: string;
}

/** An upper bound only: the number of trials decides the search (same data, same champion on any machine). */
export const DEFAULT_TUNE_BUDGET_MS = 600_000;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v < min || v > max)
    throw new ConfigError(`${name}=${text} is not a number from ${min} to ${max}`);
  return v;
}

export function checkKinds(kinds: readonly string[]): string[] {
  const unknown = kinds.filter((k) => !KIND_NAMES.includes(k));
  if (kinds.length === 0 || unknown.length > 0) {
    throw new ConfigError(
      `unknown model kind${unknown.length > 1 ? 's' : ''} ${unknown.join(', ') || '(none given)'}; known: ${KIND_NAMES.join(', ')}`,
    );
  }
  return [...new Set(kinds)];
}

export function pipelineConfig(
  paths: LoupePaths,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<PipelineConfig> = {},
): PipelineConfig {
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
    tuneTrials: overrides.tuneTrials ?? number(env, 'LOUPE_TUNE_TRIALS', DEFAULT_TUNE_TRIALS, 1, 1000),
    tuneBudgetMs: overrides.tuneBudgetMs ?? number(env, 'LOUPE_TUNE_BUDGET_MS', DEFAULT_TUNE_BUDGET_MS, 0, 3_600_000),
    tuneFolds: overrides.tuneFolds ?? number(env, 'LOUPE_TUNE_FOLDS', 3, 2, 10),
    seed: overrides.seed ?? 42,
    holdoutFraction: overrides.holdoutFraction ?? 0.2,
    promotion: overrides.promotion ?? {
      metric,
      tolerance: number(env, 'LOUPE_PROMOTE_TOLERANCE', 0.02, 0, 1),
      coverageMarginPts: 5,
    },
    incoming: overrides.incoming ?? env.LOUPE_INCOMING ?? join(paths.home, 'incoming'),
  };
}
