/**
 * The metrics contract: what the registry records about how good a model is, as one versioned typebox schema.
 * The pipeline and the CLI write it (checked here before the row is inserted), the API publishes it in its
 * OpenAPI document (so the web app reads it through the generated client types), the CLI and the model card read
 * it. Records written before the contract (no `version`) are read through `upgradeMetrics`, the one place that
 * knows older shapes.
 *
 * Every accuracy figure carries the rows it was measured on (`measuredOn`): a screen labels it from there, and
 * only rows no model and no tuning saw are called held out — cross-validation inside the training rows is not.
 * Figures that can be undefined (no range given, a constant sample) are null: JSON has no NaN.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

export const METRICS_VERSION = 2;

const Figure = Type.Union([Type.Number(), Type.Null()], { description: 'null when undefined (e.g. no rows).' });
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** A kind's parameters: any JSON object (written as the OpenAPI document writes it, so the schema keeps its name). */
const Params = Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: {} });

export const MeasuredOnRows = Type.Union(
  [
    Type.Literal('reference-test'),
    Type.Literal('newest-holdout'),
    Type.Literal('evaluation'),
    Type.Literal('new-appraisals'),
    Type.Literal('cross-validation'),
    Type.Literal('calibration-file'),
  ],
  {
    description:
      'reference-test: the frozen reference test split; newest-holdout: the fixed holdout of the newest files; ' +
      'evaluation: both together; new-appraisals: appraisals newer than the model; cross-validation: out-of-fold ' +
      'predictions inside the training rows; calibration-file: the holdout file given to loupe import-xgboost.',
  },
);
export type MeasuredOnRows = Static<typeof MeasuredOnRows>;

export const MeasuredOn = Type.Object(
  {
    rows: MeasuredOnRows,
    heldOut: Type.Boolean({ description: 'True only when no model being compared and no tuning saw these rows.' }),
    label: Type.String({ description: 'What a screen shows beside the figure.' }),
  },
  { additionalProperties: false },
);
export type MeasuredOn = Static<typeof MeasuredOn>;

export const Accuracy = Type.Object({
  n: Type.Integer({ minimum: 0 }),
  mae: Type.Number({ description: 'Mean absolute error, USD.' }),
  rmse: Type.Number({ description: 'Root mean squared error, USD.' }),
  mape: Type.Number({ description: 'Mean absolute percentage error, %.' }),
  mdape: Type.Number({ description: 'Median absolute percentage error, %.' }),
  r2: Figure,
  range: Type.Object({
    coverage: Figure,
    nominal: Type.Number({ description: 'The coverage the ranges were calibrated to, %.' }),
    medianRelativeWidth: Figure,
    withheld: Type.Integer({ minimum: 0, description: 'Stones given no range, left out of coverage and width.' }),
  }),
  measuredOn: MeasuredOn,
});
export type Accuracy = Static<typeof Accuracy>;

export const Segment = Type.Object({
  by: Type.String(),
  segment: Type.String(),
  n: Type.Integer({ minimum: 0 }),
  mae: Type.Number(),
  mape: Type.Number(),
});
export type Segment = Static<typeof Segment>;

export const FactorEffect = Type.Object({ factor: Type.String(), meanAbsEffectPct: Type.Number() });
export type FactorEffect = Static<typeof FactorEffect>;

export const Evaluation = Type.Object({
  referenceTest: nullable(Accuracy),
  newest: nullable(Accuracy),
  combined: Accuracy,
  segments: Type.Array(Segment, { description: 'Errors by carat bucket and grade, on the evaluation rows.' }),
  explanation: Type.Array(FactorEffect, { description: 'Mean absolute effect of each factor on the price.' }),
});
export type Evaluation = Static<typeof Evaluation>;

export const Trial = Type.Object({
  source: Type.Union([Type.Literal('champion'), Type.Literal('defaults'), Type.Literal('search')]),
  params: Params,
  mae: Type.Number({ description: 'Cross-validated MAE inside the training rows, USD.' }),
  mape: Type.Number(),
  ms: Type.Number(),
});

export const Tuning = Type.Object({
  kind: Type.String(),
  params: Params,
  trials: Type.Array(Trial),
  folds: Type.Integer(),
  budgetMs: nullable(Type.Number()),
  spentMs: Type.Number(),
  plannedTrials: Type.Integer(),
  chosen: Type.Integer(),
  stopped: Type.Union([
    Type.Literal('trials_done'),
    Type.Literal('budget'),
    Type.Literal('space_exhausted'),
    Type.Literal('no_search_space'),
  ]),
});
export type Tuning = Static<typeof Tuning>;

export const FeatureDrift = Type.Object({
  feature: Type.String(),
  kind: Type.Union([Type.Literal('number'), Type.Literal('grade')]),
  psi: Figure,
  level: Type.Union([Type.Literal('stable'), Type.Literal('moderate'), Type.Literal('large')]),
  ks: Type.Optional(Type.Object({ statistic: Figure, pValue: Figure })),
  baselineMean: Type.Optional(Figure),
  currentMean: Type.Optional(Figure),
});

export const Drift = Type.Object({
  baseline: nullable(Type.String({ description: 'The champion whose training data is the baseline.' })),
  baselineRows: Type.Integer(),
  newRows: Type.Integer(),
  newFiles: Type.Array(Type.String()),
  features: Type.Array(FeatureDrift),
  performance: nullable(
    Type.Object({ version: Type.String(), onNew: nullable(Accuracy), onReferenceTest: nullable(Accuracy) }),
  ),
  note: Type.Optional(Type.String()),
});
export type Drift = Static<typeof Drift>;

export const Origin = Type.Object(
  {
    by: Type.Union([Type.Literal('pipeline'), Type.Literal('loupe train'), Type.Literal('loupe import-xgboost')], {
      description: 'What trained and registered the model.',
    }),
    run: nullable(Type.Integer({ description: 'The pipeline run, when the pipeline registered it.' })),
    evaluationRowsLeftOut: nullable(
      Type.Boolean({
        description:
          'Whether the frozen evaluation rows (reference test split, holdouts of later files) were left out of ' +
          'its training, as the pipeline does; null when not known (trained on files given by hand, or recorded ' +
          'before this was kept).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Origin = Static<typeof Origin>;

export const ModelMetrics = Type.Object(
  {
    version: Type.Literal(METRICS_VERSION),
    origin: Origin,
    outOfFold: nullable(Accuracy),
    evaluation: nullable(Evaluation),
    champion: nullable(Type.Object({ version: Type.String(), evaluation: Evaluation })),
    evaluationRows: nullable(
      Type.Object({ referenceTest: Type.Integer(), newest: Type.Integer(), newestFiles: Type.Array(Type.String()) }),
    ),
    tuning: nullable(Tuning),
    drift: nullable(Drift),
    snapshot: nullable(Type.Object({ sha256: Type.String(), rows: Type.Integer(), maxFileId: Type.Integer() })),
    promotionRule: nullable(
      Type.Object({ metric: Type.String(), tolerance: Type.Number(), coverageMarginPts: Type.Number() }),
    ),
  },
  {
    description: `How good a model is, as the registry records it (contract version ${METRICS_VERSION}).`,
  },
);
export type ModelMetrics = Static<typeof ModelMetrics>;

/** Label of rows: what a reader is told the figure was measured on. */
export function measuredOn(rows: MeasuredOnRows, n: number, folds?: number): MeasuredOn {
  const count = n.toLocaleString('en-US');
  switch (rows) {
    case 'reference-test':
      return { rows, heldOut: true, label: `${count} reference test rows (held out)` };
    case 'newest-holdout':
      return { rows, heldOut: true, label: `${count} held-out rows of the newest appraisals` };
    case 'evaluation':
      return { rows, heldOut: true, label: `all ${count} evaluation rows (held out)` };
    case 'new-appraisals':
      return { rows, heldOut: true, label: `${count} appraisals newer than the model` };
    case 'cross-validation':
      return {
        rows,
        heldOut: false,
        label: `cross-validation inside the ${count} training rows${folds ? ` (${folds} folds)` : ''}, not held out`,
      };
    case 'calibration-file':
      return {
        rows,
        heldOut: false,
        label: `${count} rows of the calibration file (not learned from, but its ranges were calibrated on them)`,
      };
  }
}

type Unlabelled = Omit<Accuracy, 'measuredOn'>;

/** Plain figures (as the model layer computes them) with the rows they were measured on; NaN becomes null. */
export function labelled(figures: Unlabelled, rows: MeasuredOnRows, folds?: number): Accuracy {
  return toJson({ ...figures, measuredOn: measuredOn(rows, figures.n, folds) }) as Accuracy;
}

const toJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** An evaluation on the frozen evaluation rows (as the pipeline computes it), every figure labelled. */
export function labelledEvaluation(ev: {
  referenceTest: Unlabelled | null;
  newest: Unlabelled | null;
  combined: Unlabelled;
  segments: Segment[];
  explanation: FactorEffect[];
}): Evaluation {
  return {
    referenceTest: ev.referenceTest && labelled(ev.referenceTest, 'reference-test'),
    newest: ev.newest && labelled(ev.newest, 'newest-holdout'),
    combined: labelled(ev.combined, 'evaluation'),
    segments: ev.segments,
    explanation: ev.explanation,
  };
}

/** The first few reasons a value does not fit the contract, for an error message. */
function problems(value: unknown): string {
  return [...Value.Errors(ModelMetrics, value)]
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');
}

export class MetricsContractError extends Error {
  override name = 'MetricsContractError';
}

/** The metrics as they will be stored (JSON), checked against the contract; throws with the reasons if not. */
export function checkMetrics(metrics: ModelMetrics): ModelMetrics {
  const stored = toJson(metrics);
  if (!Value.Check(ModelMetrics, stored))
    throw new MetricsContractError(`model metrics do not fit contract v${METRICS_VERSION}: ${problems(stored)}`);
  return stored;
}

/** The metrics of a model registered by hand: its out-of-fold figures, nothing evaluated. */
export function handMetrics(
  outOfFold: Unlabelled,
  origin: Omit<Origin, 'run'>,
  rows: MeasuredOnRows = 'cross-validation',
): ModelMetrics {
  return {
    version: METRICS_VERSION,
    origin: { ...origin, run: null },
    outOfFold: labelled(outOfFold, rows),
    evaluation: null,
    champion: null,
    evaluationRows: null,
    tuning: null,
    drift: null,
    snapshot: null,
    promotionRule: null,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A part of an older record, labelled, if it fits; null if it does not (never a guessed number). */
function part<T extends TSchema>(schema: T, value: unknown): Static<T> | null {
  return Value.Check(schema, value) ? (value as Static<T>) : null;
}

function oldAccuracy(value: unknown, rows: MeasuredOnRows): Accuracy | null {
  if (!isObject(value) || typeof value.n !== 'number') return null;
  return part(Accuracy, { ...value, measuredOn: measuredOn(rows, value.n) });
}

function oldEvaluation(value: unknown): Evaluation | null {
  if (!isObject(value)) return null;
  return part(Evaluation, {
    ...value,
    referenceTest: oldAccuracy(value.referenceTest, 'reference-test'),
    newest: oldAccuracy(value.newest, 'newest-holdout'),
    combined: oldAccuracy(value.combined, 'evaluation'),
  });
}

/**
 * Any stored metrics in the current shape. Version 1 (before the contract, no `version` field): the pipeline's
 * plain object, or `{ outOfFold }` for a model registered by hand; figures get the rows they were measured on,
 * parts that do not fit are left out (null), never guessed. `kind` (the model's) tells an imported XGBoost model.
 */
export function upgradeMetrics(stored: unknown, kind?: string): ModelMetrics {
  if (Value.Check(ModelMetrics, stored)) return stored;
  const v = isObject(stored) ? stored : {};
  const run = typeof v.run === 'number' && Number.isInteger(v.run) ? v.run : null;
  // Before the contract a model registered by hand recorded only its artifact's figures: an imported XGBoost
  // model's are on its calibration file, a trained one's are out-of-fold.
  const imported = run === null && kind === 'xgboost';
  const drift = isObject(v.drift)
    ? part(Drift, {
        ...v.drift,
        performance: isObject(v.drift.performance)
          ? {
              ...v.drift.performance,
              onNew: oldAccuracy(v.drift.performance.onNew, 'new-appraisals'),
              onReferenceTest: oldAccuracy(v.drift.performance.onReferenceTest, 'reference-test'),
            }
          : null,
      })
    : null;
  const champion =
    isObject(v.champion) && typeof v.champion.version === 'string'
      ? { version: v.champion.version, evaluation: oldEvaluation(v.champion.evaluation) }
      : null;
  return {
    version: METRICS_VERSION,
    origin: {
      by: run !== null ? 'pipeline' : imported ? 'loupe import-xgboost' : 'loupe train',
      run,
      evaluationRowsLeftOut: run === null ? null : true,
    },
    outOfFold: oldAccuracy(v.outOfFold, imported ? 'calibration-file' : 'cross-validation'),
    evaluation: oldEvaluation(v.evaluation),
    champion: champion?.evaluation ? { version: champion.version, evaluation: champion.evaluation } : null,
    evaluationRows: part(ModelMetrics.properties.evaluationRows, v.evaluationRows ?? null),
    tuning: part(Tuning, v.tuning),
    drift,
    snapshot: part(ModelMetrics.properties.snapshot, v.snapshot ?? null),
    promotionRule: part(ModelMetrics.properties.promotionRule, v.promotionRule ?? null),
  };
}
