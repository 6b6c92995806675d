/**
 * Tuning inside the training data by a fixed number of trials. A trial is the cross-validation part of a training
 * (crossValidateMany, on the training threads) with one set of parameters: its fold fits' out-of-fold predictions
 * are a K-fold cross-validation on the training rows only (the evaluation rows are never seen). Only the winner is
 * then finished (finishTraining: the final fit and the range calibrations, from the same fold models), so its
 * artifact is byte for byte what trainModel gives with its parameters; until 2026-12-05 every trial was finished,
 * which cost about as much CPU again as the fold fits. Two trials' fold fits run at once (TRIALS_AT_ONCE). Every
 * trial uses the same seed, hence the same folds: their scores compare like for like.
 *
 * Reproducible: the trials are the champion's parameters when it is of the same kind (the last tuning's winner),
 * then the kind's defaults, then seeded draws from the kind's search space, `trials` of them in all; which trials
 * run depends on the data, the seed and that count, never on the machine's speed, so the same data gives the same
 * winner anywhere. The time budget is only an upper bound against a runaway search: tuning stops before a batch of
 * trials that would overrun it (estimated from the slowest batch so far), and the result says so (stopped:
 * 'budget'). The first batch always runs; a trial's `ms` is its batch's time shared equally.
 *
 * The winner: the first trial (champion, else defaults) stays the incumbent unless a later trial's CV MAE is
 * lower by more than `minImprovement` (relative). Differences below that are within what the choice of folds
 * moves, and a search draw that wins by noise is as likely as not worse on unseen stones than the defaults.
 */
import type { Appraisal } from '../diamond/index.js';
import { createRng, crossValidateMany, finishTraining, type FoldFits, type ModelArtifact } from '../model/index.js';
import { hasFitPlan } from '../model/kinds/fit-plan.js';
import { getKind } from '../model/kinds/index.js';
import { SEARCH_SPACES, type SearchSpace } from './search-space.js';

export interface Trial {
  /** Where the parameters came from. */
  source: 'champion' | 'defaults' | 'search';
  params: Record<string, unknown>;
  /** Cross-validated (out-of-fold) mean absolute error, USD. */
  mae: number;
  /** Cross-validated mean absolute percentage error, %. */
  mape: number;
  ms: number;
}

export interface TuneResult {
  kind: string;
  /** The best trial's parameters (complete: the kind's defaults filled in). */
  params: Record<string, unknown>;
  trials: Trial[];
  folds: number;
  /** The upper bound given, ms; null: none. */
  budgetMs: number | null;
  spentMs: number;
  /** Trials asked for (TuneOptions.trials). */
  plannedTrials: number;
  /** Index in `trials` of the winner. */
  chosen: number;
  /**
   * Why tuning stopped: all planned trials ran; the budget cut the search (fewer trials than planned); the
   * search space had fewer distinct candidates than planned; or the kind has no search space (defaults only).
   */
  stopped: 'trials_done' | 'budget' | 'space_exhausted' | 'no_search_space';
}

export interface TuneOptions {
  /** Number of trials, the champion's and the defaults' included (default DEFAULT_TUNE_TRIALS). */
  trials?: number;
  /** Upper bound on tuning time, ms; reported when it cuts the search (default: none). */
  budgetMs?: number;
  seed: number;
  /** Folds of the cross-validation (the out-of-fold predictions of trainModel); default 5. */
  folds?: number;
  space?: SearchSpace;
  /** Relative CV MAE improvement a trial needs over the incumbent to replace it (default 0.01 = 1 %). */
  minImprovement?: number;
  /** Parameters of the current champion, tried first when it is of this kind. */
  warmStart?: Record<string, unknown>;
  /** Trees of the ranges' difficulty model (TrainOptions.difficultyTrees; default the model layer's). */
  difficultyTrees?: number;
}

export const DEFAULT_TUNE_TRIALS = 8;
export const DEFAULT_MIN_IMPROVEMENT = 0.01;
/**
 * Trials whose fold fits run at once (kinds with a fit plan): with 3 folds on 2 threads one trial leaves a thread
 * idle for a third of its time, two keep both busy.
 */
export const TRIALS_AT_ONCE = 2;

/** Seeded, distinct draws from a grid (at most `limit`). */
export function drawCandidates(space: SearchSpace, limit: number, seed: number): Record<string, unknown>[] {
  const keys = Object.keys(space).sort();
  const total = keys.reduce((n, k) => n * space[k].length, 1);
  const rng = createRng(seed);
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (let attempts = 0; out.length < Math.min(limit, total) && attempts < limit * 20; attempts++) {
    const c: Record<string, unknown> = {};
    for (const k of keys) c[k] = space[k][rng.nextInt(space[k].length)];
    const key = JSON.stringify(c);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(c);
    }
  }
  return out;
}

const canonical = (p: Record<string, unknown>): string =>
  JSON.stringify(
    Object.keys(p)
      .sort()
      .map((k) => [k, p[k]]),
  );

export async function tune(
  rows: readonly Appraisal[],
  kindName: string,
  options: TuneOptions,
): Promise<{ result: TuneResult; artifact: ModelArtifact }> {
  const kind = getKind(kindName);
  const folds = options.folds ?? 5;
  const planned = options.trials ?? DEFAULT_TUNE_TRIALS;
  if (!Number.isInteger(planned) || planned < 1)
    throw new RangeError(`tuning trials must be an integer >= 1, got ${planned}`);
  const budgetMs = options.budgetMs ?? Infinity;
  const minImprovement = options.minImprovement ?? DEFAULT_MIN_IMPROVEMENT;
  const space = options.space ?? SEARCH_SPACES[kindName];
  const defaults = { ...(kind.defaultParams as Record<string, unknown>) };
  const known = new Set(Object.keys(defaults));
  const queue: { source: Trial['source']; params: Record<string, unknown> }[] = [];
  if (options.warmStart) {
    // Only parameters the kind still has (a kind's parameters may change between versions).
    const warm = Object.fromEntries(Object.entries(options.warmStart).filter(([k]) => known.has(k)));
    queue.push({ source: 'champion', params: { ...defaults, ...warm } });
  }
  queue.push({ source: 'defaults', params: defaults });
  const hasSpace = space !== undefined && Object.keys(space).length > 0;
  if (hasSpace) {
    for (const c of drawCandidates(space, planned, options.seed))
      queue.push({ source: 'search', params: { ...defaults, ...c } });
  }
  // The planned trials, fixed before any runs: distinct parameter sets, in queue order.
  const seen = new Set<string>();
  const plan = queue
    .filter((candidate) => {
      const key = canonical(candidate.params);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, planned);
  const started = performance.now();
  const trials: Trial[] = [];
  let best: { cv: FoldFits; trial: Trial; index: number } | undefined;
  let stopped: TuneResult['stopped'] =
    plan.length === planned ? 'trials_done' : hasSpace ? 'space_exhausted' : 'no_search_space';
  const atOnce = hasFitPlan(kind) ? TRIALS_AT_ONCE : 1;
  let slowestBatch = 0;
  for (let at = 0; at < plan.length; at += atOnce) {
    if (trials.length > 0 && performance.now() - started + slowestBatch > budgetMs) {
      stopped = 'budget';
      break;
    }
    const batch = plan.slice(at, at + atOnce);
    const t0 = performance.now();
    const cvs = await crossValidateMany(
      rows,
      batch.map((candidate) => ({
        kind: kindName,
        params: candidate.params,
        seed: options.seed,
        folds,
        difficultyTrees: options.difficultyTrees,
      })),
    );
    const ms = performance.now() - t0;
    slowestBatch = Math.max(slowestBatch, ms);
    cvs.forEach((cv, i) => {
      const trial: Trial = {
        source: batch[i].source,
        params: cv.setup.params,
        mae: cv.metrics.mae,
        mape: cv.metrics.mape,
        ms: ms / batch.length,
      };
      trials.push(trial);
      if (!best || trial.mae < best.trial.mae * (1 - minImprovement)) best = { cv, trial, index: trials.length - 1 };
    });
  }
  // Only the chosen trial needs the final fit and the range calibrations.
  const artifact = await finishTraining(best!.cv);
  return {
    result: {
      kind: kindName,
      params: best!.trial.params,
      trials,
      folds,
      budgetMs: Number.isFinite(budgetMs) ? budgetMs : null,
      spentMs: performance.now() - started,
      plannedTrials: planned,
      chosen: best!.index,
      stopped,
    },
    artifact,
  };
}
