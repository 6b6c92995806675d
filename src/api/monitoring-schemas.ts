/**
 * The answer of GET /v1/monitoring (routes/monitoring.ts): the live traffic window (traffic-drift.ts) and the live
 * accuracy history of the pipeline runs (store/runs.ts), as typebox schemas for the OpenAPI document and the
 * serialiser. A figure that cannot be computed (PSI of an empty window, coverage of stones given no range) is null.
 */
import { Type } from 'typebox';
import { MAX_ACCURACY_RUNS } from '../store/runs.js';

const Nullable = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

export const MonitoringQuery = Type.Object(
  {
    runs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_ACCURACY_RUNS,
        default: 50,
        description: 'How many of the last pipeline runs that measured the champion to return in accuracy.history.',
      }),
    ),
  },
  { additionalProperties: false },
);

const summaryFields = {
  valued: Type.Integer({ description: 'Stones valued in the window.' }),
  support: Type.Object(
    { typical: Type.Number(), thin: Type.Number(), beyond: Type.Number() },
    { description: 'Shares (0–1) of those stones by support: typical, thin (few training stones near), beyond.' },
  ),
  drift: Type.Array(
    Type.Object({
      feature: Type.Union([
        Type.Literal('carat'),
        Type.Literal('cut'),
        Type.Literal('color'),
        Type.Literal('clarity'),
        Type.Literal('depth'),
        Type.Literal('table'),
        Type.Literal('x'),
        Type.Literal('y'),
        Type.Literal('z'),
      ]),
      kind: Type.Union([Type.Literal('number'), Type.Literal('grade')]),
      stones: Type.Integer({
        description:
          'Stones of the window with this characteristic (stones valued from their 4Cs have no measurements).',
      }),
      psi: Nullable(
        "PSI of the window's stones against the champion's training stones, over the pipeline's bins (the training values' deciles; grades per grade): under 0.1 stable, 0.1–0.25 moderate, over 0.25 large. Null while the window holds no such stone.",
      ),
      ks: Type.Union(
        [
          Type.Object({
            statistic: Nullable(
              "Two-sample Kolmogorov–Smirnov statistic (largest gap between the two distribution functions, 0–1), read on the artifact's grid of training quantiles: at most maxError below the exact statistic, never above it. Null while the window holds no such stone.",
            ),
            pValue: Nullable(
              'Asymptotic p-value of that statistic for the training and window sample sizes (the pipeline formula); never below the p-value of the exact statistic.',
            ),
            maxError: Type.Number({ description: '1 / the number of quantiles of the grid (0.01).' }),
          }),
          Type.Null(),
        ],
        { description: 'Numbers only, and only against a model file that carries its training distribution.' },
      ),
    }),
    {
      description:
        'All nine characteristics against a champion whose file carries its training distribution (trained since 2026-12-05); carat, colour and clarity (PSI only, from the support histogram) against an older one. Empty before the first valuation.',
    },
  ),
};
export const TrafficSummary = Type.Object(summaryFields);

const Traffic = Type.Object(
  {
    championVersion: Type.Union([Type.String(), Type.Null()], {
      description: 'The champion the window is measured against; null before the first valuation.',
    }),
    driftReference: Type.Union([Type.Literal('distribution'), Type.Literal('support'), Type.Null()], {
      description:
        "What drift is measured against: the champion file's training distribution (all nine characteristics, PSI and KS), or, for a file written before 2026-12-05, its support histogram (carat, colour, clarity; PSI). Null before the first valuation.",
    }),
    window: Type.Object({
      slotSeconds: Type.Integer(),
      slots: Type.Integer(),
      from: Type.String({ format: 'date-time' }),
      to: Type.String({ format: 'date-time' }),
    }),
    overall: TrafficSummary,
    partners: Type.Array(
      Type.Object({
        keyId: Type.Integer({ description: 'The key id; 0: keyless (open server); -1: keys past the 64th, pooled.' }),
        name: Type.String(),
        ...summaryFields,
      }),
    ),
    series: Type.Array(
      Type.Object({
        from: Type.String({ format: 'date-time' }),
        valued: Type.Integer(),
        calls: Type.Integer({ description: 'Valuation calls (a batch is one).' }),
        meanValuationSeconds: Nullable('Mean time of a valuation call in the slot; null when none.'),
      }),
      { description: 'One entry per slot of the window, oldest first.' },
    ),
  },
  { description: 'What this server valued in the window (in memory; each server of a fleet answers its own).' },
);

const Figures = {
  rows: Type.Integer(),
  mae: Type.Number({ description: 'Mean absolute error, USD.' }),
  mape: Type.Number({ description: 'Mean absolute percentage error, %.' }),
  coverage: Nullable('% of the stones given a range whose price lies inside it.'),
};

export const AtPromotion = Type.Union(
  [
    Type.Object({
      rows: Type.Union([Type.Integer(), Type.Null()]),
      mae: Nullable('USD.'),
      mape: Type.Number(),
      coverage: Nullable('%.'),
    }),
    Type.Null(),
  ],
  {
    description:
      'The same champion on the reference test rows, the rows it was promoted on. Runs recorded before 2026-12-05 kept its MAPE only.',
  },
);

export const SegmentAccuracy = Type.Object(
  {
    partition: Type.Union([Type.Literal('carat'), Type.Literal('cut'), Type.Literal('color'), Type.Literal('clarity')]),
    group: Type.String({ description: 'The carat band ("0.5–1 ct") or the grade.' }),
    ...Figures,
    atPromotion: AtPromotion,
  },
  { description: 'The champion on one carat band or grade of the new appraisals, and on the same group at promotion.' },
);

export const LiveAccuracyEntry = Type.Object({
  runId: Type.Integer(),
  finishedAt: Type.String({ format: 'date-time' }),
  champion: Type.String(),
  ...Figures,
  nominal: Type.Number({ description: "The ranges' nominal coverage, %." }),
  atPromotion: AtPromotion,
  segments: Type.Array(SegmentAccuracy, {
    description: 'By carat band and grade: each group present in the new appraisals (empty for older runs).',
  }),
});

export const Monitoring = Type.Object({
  traffic: Traffic,
  accuracy: Type.Object({
    runs: Type.Integer({ description: 'The number of runs asked for (?runs).' }),
    history: Type.Array(LiveAccuracyEntry, {
      description:
        'The champion measured on the appraisals new since its training data, one entry per pipeline run that had some, oldest first.',
    }),
  }),
});
