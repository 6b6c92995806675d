/**
 * The boosting loop: start from the base score, then for every round compute gradients of the loss at the current
 * predictions, draw the round's rows and features, grow a tree on them and add its (shrunk) output to the
 * predictions. With a validation set the loss is tracked every round; early stopping keeps the best round.
 */

import { availableParallelism } from 'node:os';
import { BinningScratch, binMatrix } from './binning.js';
import { TreeGrower } from './grower.js';
import { LevelSplits } from './level-splits.js';
import { nodeCapacity } from './nodes.js';
import { checkMatrix, takeRows, type FeatureMatrix } from './matrix.js';
import { objectiveByName } from './objective.js';
import { resolveOptions, type FitOptions, type ModelOptions } from './options.js';
import { addTreeToPredictions } from './predictor.js';
import { createRng, permutation, sampleWithoutReplacement, type Rng } from './random.js';
import { acquirePool, prestartPool, releasePool } from './thread-worker.js';
import { ThreadBinner } from './bin-threads.js';
import { FitThreads, MIN_ROWS_PER_HANDOFF, sharedFloat64 } from './threads.js';
import { arenaBytes, WasmArena } from './wasm-kernels.js';

/** Below this many training rows no node is large enough to hand to threads (see MIN_ROWS_PER_HANDOFF). */
const MIN_ROWS_FOR_ANY_THREADS = 2 * MIN_ROWS_PER_HANDOFF;
/**
 * Default of the option minRowsForThreads. On a quiet 2-core machine (2026-12-06 06:39 UTC, load 0.6–1.3, `npm run
 * bench:scale` with BENCH_THREADS=2) two threads took 0.62× the speed of one at 42,810 rows, 0.76× at 200,000 and
 * 1.04× at 1,000,000: below about a million rows a second thread makes a fit slower, so by default it is not used.
 */
export const DEFAULT_MIN_ROWS_FOR_THREADS = 1_000_000;
import type { Ensemble, Tree } from './tree.js';

/** A trained model: the ensemble plus what is needed to use and describe it. */
export interface BoostedModel {
  ensemble: Ensemble;
  /** Feature names in column order; rows given to predict must have their columns in this order. */
  featureNames: string[];
  /** The options it was trained with (defaults filled in). */
  options: ModelOptions;
}

export interface FitResult {
  model: BoostedModel;
  /**
   * 0-based round whose trees end the model: the round with the lowest validation loss when a validation set
   * was used, else the last round. With earlyStoppingRounds the model holds exactly bestIteration + 1 trees.
   */
  bestIteration: number;
  /** Training loss (mean squared error for squared_error) after each round, on all training rows. */
  trainLoss: number[];
  /** Validation loss after each round; empty without a validation set. */
  validLoss: number[];
}

function checkFinite(name: string, values: Float64Array, allowNaN: boolean): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) || (allowNaN && Number.isNaN(v))) continue;
    throw new RangeError(
      `${name}[${i}] is ${v}; ${allowNaN ? 'features must be finite numbers or NaN (missing)' : 'targets must be finite numbers'}`,
    );
  }
}

function checkData(X: FeatureMatrix, y: Float64Array, what: string, numFeatures?: number): void {
  checkMatrix(X, numFeatures, `${what}.X`);
  if (!(y instanceof Float64Array)) throw new TypeError(`${what}.y must be a Float64Array`);
  if (y.length !== X.rows) throw new RangeError(`${what}.y has ${y.length} values but ${what}.X has ${X.rows} rows`);
  X.columns.forEach((col, f) => {
    checkFinite(`${what}.X.columns[${f}]`, col, true);
  });
  checkFinite(`${what}.y`, y, false);
}

/** Trains a gradient-boosted ensemble of regression trees on a column-major matrix. */
export function fit(X: FeatureMatrix, y: Float64Array, partial?: Partial<FitOptions>): FitResult {
  checkData(X, y, 'training');
  const nf = X.columns.length;
  if (nf === 0) throw new RangeError('training.X has no feature columns');
  const options = resolveOptions(partial, nf);
  // Threads: their workers start now, to come up while the data are split and binned (engine/thread-worker.ts).
  const rowsForThreads = Math.max(MIN_ROWS_FOR_ANY_THREADS, partial?.minRowsForThreads ?? DEFAULT_MIN_ROWS_FOR_THREADS);
  const threadsAsked = Math.min(partial?.threads ?? defaultThreads(), nf);
  if (X.rows >= rowsForThreads && threadsAsked > 1) prestartPool(threadsAsked);
  if (
    options.earlyStoppingRounds !== undefined &&
    options.validationFraction === undefined &&
    partial?.validation === undefined
  ) {
    throw new RangeError('option earlyStoppingRounds must be used with validation or validationFraction');
  }
  const featureNames = partial?.featureNames
    ? [...partial.featureNames]
    : Array.from({ length: nf }, (_, f) => `f${f}`);
  const objective = objectiveByName(options.objective);
  const rng = createRng(options.seed);

  let trainX = X;
  let trainY = y;
  let valid: { X: FeatureMatrix; y: Float64Array } | undefined;
  if (partial?.validation !== undefined) {
    checkData(partial.validation.X, partial.validation.y, 'validation', nf);
    if (partial.validation.X.rows === 0) throw new RangeError('validation set has no rows');
    valid = partial.validation;
  } else if (options.validationFraction !== undefined) {
    const nValid = Math.round(options.validationFraction * X.rows);
    if (nValid < 1 || nValid >= X.rows)
      throw new RangeError(
        `validationFraction ${options.validationFraction} of ${X.rows} rows leaves ${nValid} validation and ${X.rows - nValid} training rows; both need at least one`,
      );
    const perm = permutation(rng, X.rows);
    const validRows = perm.slice(0, nValid).sort();
    const trainRows = perm.slice(nValid).sort();
    valid = { X: takeRows(X, validRows), y: Float64Array.from(validRows, (i) => y[i]) };
    trainX = takeRows(X, trainRows);
    trainY = Float64Array.from(trainRows, (i) => y[i]);
  }
  const n = trainX.rows;
  if (n < 1) throw new RangeError('training set has no rows');

  const threadCount = n >= rowsForThreads ? threadsAsked : 1;
  const stride = objective.constantHessian === undefined ? 3 : 2;
  // The fit's large arrays go in one WebAssembly memory, for the wasm kernels (engine/wasm-kernels.ts).
  const capacity = nodeCapacity(options, n);
  const histBytes = nf * (options.maxBins + 1) * stride * 8;
  // Threads: a shared memory (the worker threads run the same kernels on it), with room for a third row buffer and
  // the partitions' side tables.
  const arenaSize =
    arenaBytes(n, nf, histBytes, Math.min(capacity, 256), capacity) +
    (threadCount > 1 ? 12 * n + capacity * 257 + 64 : 0);
  const arena = WasmArena.create(arenaSize, threadCount > 1);
  const vector = () => arena?.float64(n) ?? (threadCount > 1 ? sharedFloat64(n) : new Float64Array(n));
  const grad = vector();
  const hess = vector();
  const pred = vector();
  // In the arena, binning's scratch is grad and pred, not yet written: 16 bytes a row less garbage (peak RSS of
  // bench/scale's million rows 194 → 184 MB; the JS loops' fit, whose arrays come after binning, 180 MB).
  const scratch =
    arena && [grad, pred].every((a) => a.buffer === arena.buffer)
      ? new BinningScratch(n, grad, new Uint32Array(pred.buffer, pred.byteOffset, 2 * n))
      : undefined;
  // Threads: the workers bin features too (engine/bin-threads.ts), then grow the trees with this one.
  const workers = threadCount > 1 ? acquirePool(threadCount) : undefined;
  let pool: FitThreads | undefined;
  try {
    const binner = workers && ThreadBinner.fits(nf) ? new ThreadBinner(workers) : undefined;
    const shared = threadCount > 1 && !arena;
    const binned = binMatrix(trainX.columns, n, options.maxBins, stride, shared, arena, scratch, binner);
    const monotone = options.monotone ? Int8Array.from(options.monotone) : undefined;
    // Threads: the targets in shared memory too, for the round jobs (TreeGrower.beginRound).
    const targets = threadCount > 1 ? (arena?.float64(n) ?? sharedFloat64(n)) : undefined;
    targets?.set(trainY);
    const usedMonotone = monotone?.some((c) => c !== 0) ? monotone : undefined; // as TreeGrower takes it
    const splits =
      threadCount > 1 ? new LevelSplits(capacity, nf, options, objective.constantHessian, usedMonotone) : undefined;
    const arrays = { binned, grad, hess, pred, y: targets, splits };
    pool = workers ? new FitThreads(threadCount, arrays, capacity, workers) : undefined;
    return boost(
      X,
      trainX,
      trainY,
      valid,
      options,
      featureNames,
      new TreeGrower(binned, { ...options }, monotone, pool),
      grad,
      hess,
      pred,
      rng,
    );
  } finally {
    if (pool) pool.close();
    else if (workers) releasePool(workers);
  }
}

/** The threads fit() uses by default: the cores available (1 where worker threads are not offered). */
export function defaultThreads(): number {
  return 'Deno' in globalThis ? 1 : availableParallelism();
}

function boost(
  X: FeatureMatrix,
  trainX: FeatureMatrix,
  trainY: Float64Array,
  valid: { X: FeatureMatrix; y: Float64Array } | undefined,
  options: ModelOptions,
  featureNames: string[],
  grower: TreeGrower,
  grad: Float64Array,
  hess: Float64Array,
  pred: Float64Array,
  rng: Rng,
): FitResult {
  const n = trainX.rows;
  const nf = X.columns.length;
  const objective = objectiveByName(options.objective);

  // + 0 turns −0 (the mean of targets that underflow, say) into 0: JSON writes −0 as 0, and a model read back from
  // its file must predict what it predicted when trained, sign of zero included (test/engine/properties.test.ts).
  const baseScore = (options.baseScore ?? objective.baseScore(trainY)) + 0;
  pred.fill(baseScore);
  const validPred = valid ? new Float64Array(valid.X.rows).fill(baseScore) : undefined;
  const allRows = Uint32Array.from({ length: n }, (_, i) => i);
  const allFeatures = Int32Array.from({ length: nf }, (_, f) => f);
  const inBag = new Uint8Array(n);
  const rowsPerTree = Math.max(1, Math.floor(options.subsample * n));
  const featuresPerTree = Math.max(1, Math.floor(options.colsampleByTree * nf));

  const trees: Tree[] = [];
  const trainLoss: number[] = [];
  const validLoss: number[] = [];
  let bestIteration = 0;
  let bestLoss = Infinity;

  // The training loss after a round comes from the next round's gradient pass (one pass over the rows, not two);
  // after the last round, and when early stopping ends the loop, it is computed on its own.
  let lossPending = false;
  // On threads, each round's gradients and root come with the last tree's prediction update (one job a round).
  const onThreads = grower.roundsOnThreads(objective.name === 'squared_error', rowsPerTree === n);
  // Without threads, a tree on every row takes its root's gradient sum from the gradients' pass.
  const gradSum = !onThreads && rowsPerTree === n ? new Float64Array(1) : undefined;
  for (let round = 0; round < options.nEstimators; round++) {
    const lossBefore = onThreads ? 0 : objective.gradients(trainY, pred, grad, hess, gradSum);
    const rows = rowsPerTree < n ? sampleWithoutReplacement(rng, n, rowsPerTree) : allRows;
    const features =
      featuresPerTree < nf ? Int32Array.from(sampleWithoutReplacement(rng, nf, featuresPerTree)) : allFeatures;
    const loss = onThreads ? grower.beginRound(features) : lossBefore;
    if (lossPending) trainLoss.push(loss);
    const tree = grower.grow(grad, hess, objective.constantHessian, rows, features, gradSum?.[0]);
    trees.push(tree);

    grower.addToPredictions(pred, onThreads);
    if (rows !== allRows) {
      inBag.fill(0);
      for (let k = 0; k < rows.length; k++) inBag[rows[k]] = 1;
      for (let i = 0; i < n; i++) if (!inBag[i]) pred[i] += grower.binnedValue(i);
    }
    lossPending = true;

    if (valid && validPred) {
      addTreeToPredictions(tree, valid.X, validPred);
      const loss = objective.loss(valid.y, validPred);
      validLoss.push(loss);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestIteration = round;
      } else if (options.earlyStoppingRounds !== undefined && round - bestIteration >= options.earlyStoppingRounds) {
        break;
      }
    } else {
      bestIteration = round;
    }
  }
  grower.flushPredictions();
  if (lossPending) trainLoss.push(objective.loss(trainY, pred));
  if (options.earlyStoppingRounds !== undefined) trees.length = bestIteration + 1;

  return {
    model: { ensemble: { baseScore, trees, numFeatures: nf }, featureNames, options },
    bestIteration,
    trainLoss,
    validLoss,
  };
}
