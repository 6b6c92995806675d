/**
 * A kind's fit taken apart into independent engine fits, for training that spreads them over threads. Each job
 * is a pure function of its data and options (seed included), so where it runs cannot change what it returns:
 * `assemble(jobs.map((j) => fit(j.X, j.y, j.options).model))` is exactly the kind's `fit`.
 */
import type { BoostedModel, FeatureMatrix, FitOptions } from '../../engine/index.js';
import type { FeatureColumns } from '../features.js';
import type { FitContext, FittedModel, ModelKind } from './kind.js';

/** One engine fit. `options` must be plain data (it is copied to another thread), so no `validation` set. */
export interface EngineFitJob {
  X: FeatureMatrix;
  y: Float64Array;
  options: Partial<Omit<FitOptions, 'validation'>>;
}

export interface FitPlan {
  jobs: EngineFitJob[];
  /** The fitted model from the jobs' models, in job order. */
  assemble(models: BoostedModel[]): FittedModel;
}

export interface PlannedFit<P extends object> {
  fitPlan(features: FeatureColumns, logPrice: Float64Array, params: P, context: FitContext): FitPlan;
}

export function hasFitPlan<P extends object>(kind: ModelKind<P>): kind is ModelKind<P> & PlannedFit<P> {
  return typeof (kind as Partial<PlannedFit<P>>).fitPlan === 'function';
}

/** Each plan's fitted model from the models of all plans' jobs, given in plan order then job order. */
export function assembleAll(plans: readonly FitPlan[], models: readonly BoostedModel[]): FittedModel[] {
  let next = 0;
  return plans.map((p) => {
    const mine = models.slice(next, next + p.jobs.length);
    next += p.jobs.length;
    return p.assemble(mine);
  });
}
