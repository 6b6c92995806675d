/**
 * The metrics of what happens outside the server — ingestion and pipeline runs, done by `loupe ingest` and
 * `loupe pipeline` in their own processes — read from the database at scrape time: one query pair per scrape
 * (shared by the families below) over running totals of a few rows (store/operations-schema.ts), whatever the
 * database holds, never on a request's path. The totals are counters over the database's whole
 * history: every server of a fleet reports the same numbers, so a dashboard takes max(), not sum(), of them.
 */
import { Gauge, type Registry } from 'prom-client';
import { type OperationsCounts, RUN_DURATION_BUCKETS } from '../store/operations.js';
import type { Store } from '../store/store.js';
import { histogramSamples, registerFamily } from './metric-cells.js';
import type { TrafficDrift } from './traffic-drift.js';

export function registerOperationsMetrics(registry: Registry, store: Pick<Store, 'operationsCounts'>): void {
  // Each family's get() runs in the same tick of a scrape (prom-client collects them together): they share one read.
  let pending: Promise<OperationsCounts> | undefined;
  const counts = (): Promise<OperationsCounts> => {
    if (!pending) {
      pending = store.operationsCounts();
      const clear = () => {
        pending = undefined;
      };
      pending.then(clear, clear);
    }
    return pending;
  };

  registerFamily(
    registry,
    'loupe_ingestion_accepted_rows_total',
    'Rows of ingested files that were stored (all files the database holds).',
    'counter',
    async () => [{ labels: {}, value: (await counts()).acceptedRows }],
  );
  registerFamily(
    registry,
    'loupe_ingestion_rejected_rows_total',
    "Rows of ingested files that were rejected, by the row's first reason code.",
    'counter',
    async () => Object.entries((await counts()).rejectedRows).map(([reason, value]) => ({ labels: { reason }, value })),
  );
  registerFamily(
    registry,
    'loupe_pipeline_runs_total',
    'Finished retraining pipeline runs, by outcome (succeeded, nothing_to_do, failed, interrupted).',
    'counter',
    async () => (await counts()).runs.map((r) => ({ labels: { outcome: r.status }, value: r.runs })),
  );
  registerFamily(
    registry,
    'loupe_pipeline_run_duration_seconds',
    'Duration of finished retraining pipeline runs, by outcome.',
    'histogram',
    async () =>
      (await counts()).runs.flatMap((r) =>
        histogramSamples(
          'loupe_pipeline_run_duration_seconds',
          { outcome: r.status },
          RUN_DURATION_BUCKETS,
          r.atMost,
          r.runs,
          r.seconds,
        ),
      ),
  );
  registerFamily(
    registry,
    'loupe_pipeline_last_run_timestamp_seconds',
    'When the last pipeline run of each outcome finished (Unix time); absent for an outcome that never happened.',
    'gauge',
    async () =>
      (await counts()).runs.flatMap((r) =>
        r.lastFinishedAt === null
          ? []
          : [{ labels: { outcome: r.status }, value: Date.parse(r.lastFinishedAt) / 1000 }],
      ),
  );
}

/** The live traffic summary over its window (traffic-drift.ts), overall only: features and levels are fixed lists. */
export function registerTrafficMetrics(registry: Registry, traffic: TrafficDrift): void {
  new Gauge({
    name: 'loupe_traffic_drift_psi',
    help: "PSI of the stones valued in the live window against the champion's training stones, by characteristic (all nine; carat, color and clarity for a model file without its training distribution).",
    labelNames: ['feature'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { feature, psi } of traffic.overallSummary().drift)
        if (Number.isFinite(psi)) this.set({ feature }, psi);
    },
  });
  new Gauge({
    name: 'loupe_traffic_drift_ks',
    help: "Two-sample KS statistic of the stones valued in the live window against the champion's training stones, by numeric characteristic (read on 100 training quantiles: at most 0.01 below the exact statistic).",
    labelNames: ['feature'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { feature, ks } of traffic.overallSummary().drift)
        if (ks && Number.isFinite(ks.statistic)) this.set({ feature }, ks.statistic);
    },
  });
  new Gauge({
    name: 'loupe_traffic_support_ratio',
    help: 'Share of the stones valued in the live window by support level (typical, thin, beyond).',
    labelNames: ['level'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const { valued, support } = traffic.overallSummary();
      if (valued > 0) for (const [level, share] of Object.entries(support)) this.set({ level }, share);
    },
  });
  new Gauge({
    name: 'loupe_traffic_window_valuations',
    help: 'Stones valued in the live window (the denominator of the two gauges above).',
    registers: [registry],
    collect() {
      this.set(traffic.overallSummary().valued);
    },
  });
}
