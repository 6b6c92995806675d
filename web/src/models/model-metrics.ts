/**
 * Reading a model's metrics for people. Their shape is the registry's metrics contract, published in the OpenAPI
 * document and typed here through the generated client, so nothing is guessed: every figure says which rows it
 * was measured on (`measuredOn`), and only rows no model learned from are called held out.
 */
import type { components } from '../../../client/schema.js';

type Schemas = components['schemas'];
export type ModelMetrics = Schemas['ModelMetrics'];
export type Accuracy = Schemas['ModelAccuracy'];
export type Segment = NonNullable<ModelMetrics['evaluation']>['segments'][number];
export type FactorEffect = NonNullable<ModelMetrics['evaluation']>['explanation'][number];

/** The accuracy rows a screen shows, best evidence first: reference test, newest holdout, cross-validation. */
export function accuracyRows(metrics: ModelMetrics): Accuracy[] {
  const ev = metrics.evaluation;
  return [ev?.referenceTest, ev?.newest, metrics.outOfFold].filter((a): a is Accuracy => a != null);
}

/** The headline: the evaluation over all evaluation rows, else the first row there is. */
export function headline(metrics: ModelMetrics): Accuracy | undefined {
  return metrics.evaluation?.combined ?? accuracyRows(metrics)[0];
}

/** The pipeline's promotion rule as the pipeline applied it to this model (none for a model registered by hand). */
export function promotionRule(metrics: ModelMetrics): string | undefined {
  const r = metrics.promotionRule;
  if (!r) return undefined;
  return (
    `The pipeline lets a new model replace the current one only if its ${r.metric.toUpperCase()} is at most ${(r.tolerance * 100).toFixed(1)}% worse ` +
    `on the same held-out rows and its ranges hold the true price for at least the nominal share minus ${r.coverageMarginPts} points.`
  );
}
