/**
 * Tuning inside the training data, within a time budget: the kind's defaults first, then seeded random draws
 * from its search space, each scored by K-fold cross-validation on the training rows only (the evaluation rows
 * are never seen). It stops before a trial that would overrun the budget (estimated from the trials so far);
 * the defaults are always scored, so a budget of 0 means "defaults, measured".
 */
import type { Appraisal } from '../diamond/index.js';
import { featureColumns, featureRow, priceMetrics } from '../model/index.js';
import { getKind } from '../model/kinds/index.js';
import { SEARCH_SPACES, type SearchSpace } from './search-space.js';

export interface Trial {
  params: Record<string, unknown>;
  /** Cross-validated mean absolute error, USD. */
  mae: number;
  /** Cross-validated mean absolute percentage error, %. */
  mape: number;
  ms: number;
}

export interface TuneResult {
  kind: string;
  /** The best trial's parameters (over the kind's defaults). */
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
  folds?: number;
  /** Most trials to run, the defaults included (default 50). */
  maxTrials?: number;
  space?: SearchSpace;
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded, distinct draws from a grid (at most `limit`). */
export function drawCandidates(space: SearchSpace, limit: number, seed: number): Record<string, unknown>[] {
  const keys = Object.keys(space).sort();
  const total = keys.reduce((n, k) => n * space[k].length, 1);
  const next = random(seed);
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (let attempts = 0; out.length < Math.min(limit, total) && attempts < limit * 20; attempts++) {
    const c: Record<string, unknown> = {};
    for (const k of keys) c[k] = space[k][Math.floor(next() * space[k].length)];
    const key = JSON.stringify(c);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(c);
    }
  }
  return out;
}

function crossValidatedError(rows: readonly Appraisal[], kindName: string, params: Record<string, unknown>, folds: number, seed: number): { mae: number; mape: number } {
  const kind = getKind(kindName);
  const order = rows.map((_, i) => i);
  const next = random(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const fold = new Uint8Array(rows.length);
  order.forEach((row, r) => (fold[row] = r % folds));
  const actual = new Float64Array(rows.length);
  const predicted = new Float64Array(rows.length);
  const buffer = new Float64Array(featureColumns(rows.slice(0, 1)).columns.length);
  for (let f = 0; f < folds; f++) {
    const train = rows.filter((_, i) => fold[i] !== f);
    const X = featureColumns(train);
    const y = Float64Array.from(train, (r) => Math.log(r.price));
    const model = kind.fit(X, y, params, { seed: seed + f });
    rows.forEach((r, i) => {
      if (fold[i] !== f) return;
      actual[i] = r.price;
      predicted[i] = Math.exp(model.predictLog(featureRow(r, buffer)));
    });
  }
  const m = priceMetrics(actual, predicted);
  return { mae: m.mae, mape: m.mape };
}

export function tune(rows: readonly Appraisal[], kindName: string, options: TuneOptions): TuneResult {
  const kind = getKind(kindName);
  const folds = options.folds ?? 3;
  const space = options.space ?? SEARCH_SPACES[kindName];
  const defaults = { ...(kind.defaultParams as Record<string, unknown>) };
  const started = performance.now();
  const trials: Trial[] = [];
  const runTrial = (over: Record<string, unknown>): void => {
    const t0 = performance.now();
    const params = { ...defaults, ...over };
    const e = crossValidatedError(rows, kindName, params, folds, options.seed);
    trials.push({ params, ...e, ms: performance.now() - t0 });
  };
  runTrial({});
  let stopped: TuneResult['stopped'] = 'no_search_space';
  if (space && Object.keys(space).length > 0) {
    stopped = 'space_exhausted';
    const candidates = drawCandidates(space, (options.maxTrials ?? 50) - 1, options.seed);
    for (const c of candidates) {
      const spent = performance.now() - started;
      const slowest = Math.max(...trials.map((t) => t.ms));
      if (spent + slowest > options.budgetMs) {
        stopped = 'budget';
        break;
      }
      runTrial(c);
    }
  }
  const best = trials.reduce((a, b) => (b.mae < a.mae ? b : a));
  return { kind: kindName, params: best.params, trials, folds, budgetMs: options.budgetMs, spentMs: performance.now() - started, stopped };
}
