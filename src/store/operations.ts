/**
 * What operators count between pipeline runs: rows accepted and rejected (by reason) over all ingested files, and
 * finished pipeline runs by outcome with their durations. They are read from running totals that the database
 * keeps as files and runs are written (operations-schema.ts): at most one row per reason code and one per outcome
 * and duration bucket, so a scrape reads the same few rows however many files and runs are stored. The same SQL
 * serves SQLite and PostgreSQL.
 */
import { REASON_CODES, type ReasonCode } from '../diamond/index.js';
import type { Db } from './db.js';
import type { RunStatus } from './runs.js';

/**
 * Upper bounds (seconds) of the pipeline-run duration buckets: from a quick no-op run to a long tuning. The totals'
 * migration (operations-schema.ts) sorts runs into these: changing them needs a new migration that sorts them again.
 */
export const RUN_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200] as const;

export type FinishedRunStatus = Exclude<RunStatus, 'running'>;
export const FINISHED_RUN_STATUSES: readonly FinishedRunStatus[] = [
  'succeeded',
  'nothing_to_do',
  'failed',
  'interrupted',
];

export interface RunOutcomeSummary {
  status: FinishedRunStatus;
  runs: number;
  /** Sum of the runs' durations, seconds. */
  seconds: number;
  /** Runs per duration bucket, cumulative (runs no longer than RUN_DURATION_BUCKETS[i]). */
  atMost: number[];
  /** When the last run with this outcome finished (ISO), null if none did. */
  lastFinishedAt: string | null;
}

export interface OperationsCounts {
  /** Rows of ingested files that were stored. */
  acceptedRows: number;
  /** Rows of ingested files that were rejected, by their primary reason (every code, zero when none). */
  rejectedRows: Record<ReasonCode, number>;
  /** Finished pipeline runs, one entry per outcome (zero counts included). */
  runs: RunOutcomeSummary[];
}

/** The totals operations-schema.ts keeps: a row per outcome and reason, a row per run outcome and duration bucket. */
export const INGESTION_TOTALS_SQL = 'SELECT outcome, reason, total FROM ingestion_totals';
export const RUN_TOTALS_SQL =
  'SELECT status, bucket, runs, ms, last_finished_at AS "lastFinishedAt" FROM pipeline_run_totals';

export interface IngestionTotalRow {
  outcome: string;
  reason: string;
  total: number;
}

export interface RunTotalRow {
  status: string;
  bucket: number;
  runs: number;
  ms: number;
  lastFinishedAt: string | null;
}

/** Shapes the rows of INGESTION_TOTALS_SQL and RUN_TOTALS_SQL (either database) into OperationsCounts. */
export function operationsFromRows(
  ingestion: readonly IngestionTotalRow[],
  runRows: readonly RunTotalRow[],
): OperationsCounts {
  const rejectedRows = Object.fromEntries(REASON_CODES.map((code) => [code, 0])) as Record<ReasonCode, number>;
  let acceptedRows = 0;
  for (const row of ingestion) {
    if (row.outcome === 'accepted') acceptedRows += Number(row.total);
    else if (row.reason in rejectedRows) rejectedRows[row.reason as ReasonCode] += Number(row.total);
  }
  const runs = FINISHED_RUN_STATUSES.map((status): RunOutcomeSummary => {
    const rows = runRows.filter((r) => r.status === status);
    let lastFinishedAt: string | null = null;
    for (const r of rows)
      if (r.lastFinishedAt !== null && (lastFinishedAt === null || r.lastFinishedAt > lastFinishedAt))
        lastFinishedAt = r.lastFinishedAt;
    const runsIn = (upTo: number) =>
      rows.filter((r) => Number(r.bucket) <= upTo).reduce((n, r) => n + Number(r.runs), 0);
    return {
      status,
      runs: runsIn(RUN_DURATION_BUCKETS.length),
      seconds: rows.reduce((ms, r) => ms + Number(r.ms), 0) / 1000,
      atMost: RUN_DURATION_BUCKETS.map((_, i) => runsIn(i)),
      lastFinishedAt,
    };
  });
  return { acceptedRows, rejectedRows, runs };
}

export function operationsCounts(db: Db): OperationsCounts {
  return operationsFromRows(
    db.prepare(INGESTION_TOTALS_SQL).all() as IngestionTotalRow[],
    db.prepare(RUN_TOTALS_SQL).all() as RunTotalRow[],
  );
}
