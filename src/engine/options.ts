/**
 * Fit options: names, defaults and validation. Defaults follow XGBoost's where the two engines share an option,
 * so that settings carry over.
 */

import { MAX_BINS } from './binning.js';
import type { FeatureMatrix } from './matrix.js';
import type { ObjectiveName } from './objective.js';

export interface FitOptions {
  /** Loss to minimise. Default 'squared_error'. */
  objective: ObjectiveName;
  /** Number of boosting rounds (trees) at most. Default 100. */
  nEstimators: number;
  /** Shrinkage η applied to every leaf value, in (0, 1]. Default 0.1. */
  learningRate: number;
  /** Deepest level a leaf may sit at (a stump has depth 1). Default 6; 0 = unlimited, only with maxLeaves. */
  maxDepth: number;
  /** 0 (default): depth-wise growth. > 0: leaf-wise growth, splitting the best leaf until this many leaves. */
  maxLeaves: number;
  /** Bins per feature, 2..256. Default 256. */
  maxBins: number;
  /** L2 regularisation λ on leaf weights. Default 1. */
  lambda: number;
  /** Minimum hessian sum (rows, for squared error) in each child. Default 1. */
  minChildWeight: number;
  /** Minimum gain γ for a split to be made. Default 0. */
  minSplitGain: number;
  /** Fraction of training rows drawn (without replacement) for each tree, in (0, 1]. Default 1. */
  subsample: number;
  /** Fraction of features drawn for each tree, in (0, 1]. Default 1. */
  colsampleByTree: number;
  /** Per feature: +1 prediction never decreases as the feature grows, −1 never increases, 0 free. */
  monotone?: number[];
  /** Stop when the validation loss has not improved for this many rounds; keep the best round's trees. */
  earlyStoppingRounds?: number;
  /** Fraction of the rows held out (chosen by the seed) as the validation set, in (0, 1). */
  validationFraction?: number;
  /** An explicit validation set (instead of validationFraction). Not stored with the model. */
  validation?: { X: FeatureMatrix; y: Float64Array };
  /** Starting prediction; default the objective's best constant (the mean of y for squared error). */
  baseScore?: number;
  /** Seed of every random choice (validation split, row and column subsampling), 0..2^32−1. Default 0. */
  seed: number;
  /** Names of the features, in column order; default f0, f1, … */
  featureNames?: string[];
  /**
   * Threads building histograms, this one included; default the cores available. Not part of the model: any
   * count gives the same model bit for bit. Used only on data large enough to repay the hand-offs.
   */
  threads?: number;
  /**
   * Fewest training rows on which more than one thread is used; default DEFAULT_MIN_ROWS_FOR_THREADS. Not part of
   * the model. Below it the hand-offs between threads cost more than the second core saves (measured on a quiet
   * 2-core machine, see the README's "Training at scale"); tests and benchmarks lower it to exercise the threads.
   */
  minRowsForThreads?: number;
}

/** The options a model keeps: everything but the validation data and the feature names (stored beside). */
export type ModelOptions = Omit<FitOptions, 'validation' | 'featureNames' | 'threads' | 'minRowsForThreads'>;

export const DEFAULT_OPTIONS: ModelOptions = {
  objective: 'squared_error',
  nEstimators: 100,
  learningRate: 0.1,
  maxDepth: 6,
  maxLeaves: 0,
  maxBins: MAX_BINS,
  lambda: 1,
  minChildWeight: 1,
  minSplitGain: 0,
  subsample: 1,
  colsampleByTree: 1,
  seed: 0,
};

const STORED_KEYS = [
  ...Object.keys(DEFAULT_OPTIONS),
  'monotone',
  'earlyStoppingRounds',
  'validationFraction',
  'baseScore',
] as (keyof ModelOptions)[];
const OPTION_KEYS = new Set<string>([...STORED_KEYS, 'validation', 'featureNames', 'threads', 'minRowsForThreads']);
export const MAX_THREADS = 256;

function check(ok: boolean, name: string, rule: string, value: unknown): void {
  if (!ok) throw new RangeError(`option ${name} must be ${rule}, got ${JSON.stringify(value) ?? String(value)}`);
}

const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Fills defaults and checks every option, throwing a RangeError that names the option, the rule and the value.
 * The returned object holds only the stored (ModelOptions) keys, in a fixed order, so serialisation is stable.
 */
export function resolveOptions(partial: Partial<FitOptions> | undefined, numFeatures: number): ModelOptions {
  const given = partial ?? {};
  for (const key of Object.keys(given)) if (!OPTION_KEYS.has(key)) throw new RangeError(`unknown option "${key}"`);
  const o = { ...DEFAULT_OPTIONS };
  for (const key of STORED_KEYS) {
    const v = given[key];
    if (v !== undefined) (o as Record<string, unknown>)[key] = v;
  }
  check(o.objective === 'squared_error', 'objective', '"squared_error"', o.objective);
  check(isInt(o.nEstimators, 1), 'nEstimators', 'an integer >= 1', o.nEstimators);
  check(
    isNum(o.learningRate) && o.learningRate > 0 && o.learningRate <= 1,
    'learningRate',
    'a number in (0, 1]',
    o.learningRate,
  );
  check(isInt(o.maxLeaves, 0), 'maxLeaves', 'an integer >= 0 (0 = depth-wise growth)', o.maxLeaves);
  check(o.maxLeaves !== 1, 'maxLeaves', 'at least 2 when given', o.maxLeaves);
  check(
    isInt(o.maxDepth, o.maxLeaves > 0 ? 0 : 1, 64),
    'maxDepth',
    o.maxLeaves > 0 ? 'an integer from 0 (unlimited) to 64' : 'an integer from 1 to 64',
    o.maxDepth,
  );
  check(isInt(o.maxBins, 2, MAX_BINS), 'maxBins', `an integer from 2 to ${MAX_BINS}`, o.maxBins);
  check(isNum(o.lambda) && o.lambda >= 0, 'lambda', 'a number >= 0', o.lambda);
  check(isNum(o.minChildWeight) && o.minChildWeight >= 0, 'minChildWeight', 'a number >= 0', o.minChildWeight);
  check(isNum(o.minSplitGain) && o.minSplitGain >= 0, 'minSplitGain', 'a number >= 0', o.minSplitGain);
  check(isNum(o.subsample) && o.subsample > 0 && o.subsample <= 1, 'subsample', 'a number in (0, 1]', o.subsample);
  check(
    isNum(o.colsampleByTree) && o.colsampleByTree > 0 && o.colsampleByTree <= 1,
    'colsampleByTree',
    'a number in (0, 1]',
    o.colsampleByTree,
  );
  check(isInt(o.seed, 0, 0xffffffff), 'seed', 'an integer from 0 to 4294967295', o.seed);
  if (o.monotone !== undefined) {
    const m = o.monotone;
    check(
      Array.isArray(m) && m.length === numFeatures,
      'monotone',
      `an array of ${numFeatures} entries (one per feature)`,
      m,
    );
    m.forEach((c, f) => {
      check(c === -1 || c === 0 || c === 1, `monotone[${f}]`, '-1, 0 or 1', c);
    });
    o.monotone = [...m];
  }
  if (o.earlyStoppingRounds !== undefined)
    check(isInt(o.earlyStoppingRounds, 1), 'earlyStoppingRounds', 'an integer >= 1', o.earlyStoppingRounds);
  if (o.validationFraction !== undefined) {
    check(
      isNum(o.validationFraction) && o.validationFraction > 0 && o.validationFraction < 1,
      'validationFraction',
      'a number in (0, 1)',
      o.validationFraction,
    );
    check(
      given.validation === undefined,
      'validationFraction',
      'left out when an explicit validation set is given',
      o.validationFraction,
    );
  }
  if (o.baseScore !== undefined) check(isNum(o.baseScore), 'baseScore', 'a finite number', o.baseScore);
  if (given.threads !== undefined)
    check(isInt(given.threads, 1, MAX_THREADS), 'threads', `an integer from 1 to ${MAX_THREADS}`, given.threads);
  if (given.minRowsForThreads !== undefined)
    check(
      isInt(given.minRowsForThreads, 0, Number.MAX_SAFE_INTEGER),
      'minRowsForThreads',
      'an integer of at least 0',
      given.minRowsForThreads,
    );
  if (given.featureNames !== undefined) {
    const names = given.featureNames;
    check(
      Array.isArray(names) && names.length === numFeatures && names.every((s) => typeof s === 'string'),
      'featureNames',
      `an array of ${numFeatures} strings`,
      names,
    );
  }
  // Fixed key order, optional keys only when set: the serialised form depends on nothing but the values.
  const out: Record<string, unknown> = {};
  for (const key of STORED_KEYS) {
    const v = (o as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out as unknown as ModelOptions;
}
