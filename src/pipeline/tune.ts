/**
 * Tuning inside the training data, within a time budget. A trial is a full training of the model layer
 * (trainModelAsync, on the training threads) with one set of parameters: its out-of-fold predictions are a K-fold
 * cross-validation on the training rows only (the evaluation rows are never seen), and the same run yields the
 * calibrated, servable artifact — so the winner needs no second training. Every trial uses the same seed, hence the
 * same folds: their scores compare like for like.
 *
 * Order of trials: the champion's parameters when it is of the same kind (the last tuning's winner: a budget
 * that allows one trial keeps it), then the kind's defaults, then seeded random draws from the kind's search
 * space. Tuning stops before a trial that would overrun the budget (estimated from the slowest trial so far);
 * the first trial always runs.
 */
import type { Appraisal } from '../diamond/index.js';
import { createRng, trainModelAsync, type ModelArtifact } from '../model/index.js';
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
  budgetMs: number;
  spentMs: number;
  /** Why tuning stopped. */
  stopped: 'budget' | 'space_exhausted' | 'no_search_space';
}

export interface TuneOptions {
  budgetMs: number;
  seed: number;
  /** Folds of the cross-validation (the out-of-fold predictions of trainModel); default 5. */
  folds?: number;
  /** Most trials, the first ones included (default 40). */
  maxTrials?: number;
  space?: SearchSpace;
  /** Parameters of the current champion, tried first when it is of this kind. */
  warmStart?: Record<string, unknown>;
}

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

const canonical = (p: Record<string, unknown>): string => JSON.stringify(Object.keys(p).sort().map((k) => [k, p[k]]));

export async function tune(rows: readonly Appraisal[], kindName: string, options: TuneOptions): Promise<{ result: TuneResult; artifact: ModelArtifact }> {
  const kind = getKind(kindName);
  const folds = options.folds ?? 5;
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
    for (const c of drawCandidates(space, options.maxTrials ?? 40, options.seed)) queue.push({ source: 'search', params: { ...defaults, ...c } });
  }
  const seen = new Set<string>();
  const started = performance.now();
  const trials: Trial[] = [];
  let best: { artifact: ModelArtifact; trial: Trial } | undefined;
  let stopped: TuneResult['stopped'] = hasSpace ? 'space_exhausted' : 'no_search_space';
  for (const candidate of queue) {
    const key = canonical(candidate.params);
    if (seen.has(key)) continue;
    seen.add(key);
    if (trials.length >= (options.maxTrials ?? 40)) break;
    if (trials.length > 0) {
      const slowest = Math.max(...trials.map((t) => t.ms));
      if (performance.now() - started + slowest > options.budgetMs) {
        stopped = 'budget';
        break;
      }
    }
    const t0 = performance.now();
    const artifact = await trainModelAsync(rows, { kind: kindName, params: candidate.params, seed: options.seed, folds });
    const oof = artifact.metrics.outOfFold;
    const trial: Trial = { source: candidate.source, params: artifact.params, mae: oof.mae, mape: oof.mape, ms: performance.now() - t0 };
    trials.push(trial);
    if (!best || trial.mae < best.trial.mae) best = { artifact, trial };
  }
  return {
    result: { kind: kindName, params: best!.trial.params, trials, folds, budgetMs: options.budgetMs, spentMs: performance.now() - started, stopped },
    artifact: best!.artifact,
  };
}
