/**
 * GET /v1/monitoring (admin): what operators watch between pipeline runs.
 *   traffic    the live traffic summary of traffic-drift.ts — stones valued over the window, per slot and per
 *              partner key, their support shares and the drift of each characteristic (PSI; KS for numbers) from
 *              the champion's training stones. Held in memory: no database query.
 *   accuracy   the live accuracy history: the champion measured on each batch of new appraisals by the pipeline
 *              runs (store/runs.ts), beside the same champion on the rows it was promoted on, overall and by
 *              carat band and grade. One bounded query: the last ?runs (default 50, at most 500) measuring runs.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccuracyFigures, AccuracyHistoryEntry } from '../../store/runs.js';
import type { Store } from '../../store/store.js';
import { Monitoring, MonitoringQuery } from '../monitoring-schemas.js';
import { withExamples, type Defaulted } from '../schemas.js';
import type { TrafficDrift, TrafficSummary } from '../traffic-drift.js';

/** NaN and ±Infinity (an empty window, no range given) answer as null. */
const finite = (v: number | null | undefined): number | null => (v != null && Number.isFinite(v) ? v : null);

const figures = (f: AccuracyFigures) => ({ rows: f.rows, mae: f.mae, mape: f.mape, coverage: finite(f.coverage) });

function historyEntry({ runId, finishedAt, accuracy: a }: AccuracyHistoryEntry) {
  return {
    runId,
    finishedAt,
    champion: a.champion,
    ...figures(a),
    nominal: a.nominal,
    atPromotion: a.reference
      ? figures(a.reference)
      : a.referenceMape === null
        ? null
        : { rows: null, mae: null, mape: a.referenceMape, coverage: null },
    segments: (a.segments ?? []).map((s) => ({
      partition: s.partition,
      group: s.group,
      ...figures(s),
      atPromotion: s.reference && figures(s.reference),
    })),
  };
}

const summary = <S extends TrafficSummary>(s: S) => ({
  ...s,
  drift: s.drift.map((d) => ({
    ...d,
    psi: finite(d.psi),
    ks: d.ks && { statistic: finite(d.ks.statistic), pValue: finite(d.ks.pValue), maxError: d.ks.maxError },
  })),
});

export const monitoringRoutes: FastifyPluginAsyncTypebox<{
  traffic: TrafficDrift;
  store: Pick<Store, 'accuracyHistory'>;
}> = async (app, { traffic, store }) => {
  app.get(
    '/v1/monitoring',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        operationId: 'getMonitoring',
        summary: 'Live traffic and live accuracy (admin)',
        description:
          "What this server valued over the last 24 hours (per hour and per partner key: stones valued, valuation time, the share with thin or beyond support, the drift of each of the nine characteristics from the champion's training stones: PSI, and KS for the numbers), and the champion's accuracy on each batch of new expert appraisals, measured by the pipeline runs, beside its accuracy on the rows it was promoted on. The traffic window is each server's own, in memory; the accuracy history is the database's.",
        security: [{ bearerAuth: [] }],
        querystring: MonitoringQuery,
        response: { 200: withExamples(Monitoring, MONITORING_EXAMPLE) },
      },
    },
    async (request) => {
      const { runs } = request.query as Defaulted<typeof request.query, 'runs'>;
      const report = traffic.report();
      return {
        traffic: { ...report, overall: summary(report.overall), partners: report.partners.map(summary) },
        accuracy: { runs, history: (await store.accuracyHistory(runs)).map(historyEntry) },
      };
    },
  );
};

const EXAMPLE_SUMMARY = {
  valued: 1200,
  support: { typical: 0.94, thin: 0.05, beyond: 0.01 },
  drift: [
    {
      feature: 'carat',
      kind: 'number',
      stones: 1200,
      psi: 0.012,
      ks: { statistic: 0.031, pValue: 0.21, maxError: 0.01 },
    },
    { feature: 'cut', kind: 'grade', stones: 1200, psi: 0.006, ks: null },
    { feature: 'color', kind: 'grade', stones: 1200, psi: 0.031, ks: null },
    { feature: 'clarity', kind: 'grade', stones: 1200, psi: 0.008, ks: null },
    {
      feature: 'depth',
      kind: 'number',
      stones: 1150,
      psi: 0.019,
      ks: { statistic: 0.028, pValue: 0.33, maxError: 0.01 },
    },
    {
      feature: 'table',
      kind: 'number',
      stones: 1150,
      psi: 0.015,
      ks: { statistic: 0.034, pValue: 0.15, maxError: 0.01 },
    },
    { feature: 'x', kind: 'number', stones: 1150, psi: 0.011, ks: { statistic: 0.025, pValue: 0.47, maxError: 0.01 } },
    { feature: 'y', kind: 'number', stones: 1150, psi: 0.012, ks: { statistic: 0.026, pValue: 0.42, maxError: 0.01 } },
    { feature: 'z', kind: 'number', stones: 1150, psi: 0.013, ks: { statistic: 0.027, pValue: 0.38, maxError: 0.01 } },
  ],
};

const MONITORING_EXAMPLE = {
  traffic: {
    championVersion: 'v0003',
    driftReference: 'distribution',
    window: { slotSeconds: 3600, slots: 24, from: '2026-12-04T12:00:00.000Z', to: '2026-12-05T12:00:00.000Z' },
    overall: EXAMPLE_SUMMARY,
    partners: [{ keyId: 1, name: 'ACME', ...EXAMPLE_SUMMARY }],
    series: [{ from: '2026-12-05T11:00:00.000Z', valued: 1200, calls: 40, meanValuationSeconds: 0.0042 }],
  },
  accuracy: {
    runs: 50,
    history: [
      {
        runId: 7,
        finishedAt: '2026-12-01T06:00:04.000Z',
        champion: 'v0003',
        rows: 1984,
        mae: 301.2,
        mape: 7.91,
        coverage: 89.6,
        nominal: 90,
        atPromotion: { rows: 998, mae: 289.5, mape: 7.62, coverage: 90.3 },
        segments: [
          {
            partition: 'carat',
            group: '0.5–1 ct',
            rows: 640,
            mae: 210.4,
            mape: 7.4,
            coverage: 90.1,
            atPromotion: { rows: 322, mae: 201.7, mape: 7.1, coverage: 91 },
          },
        ],
      },
    ],
  },
};
