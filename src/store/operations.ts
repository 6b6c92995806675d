/**
 * What operators count between pipeline runs, read from the tables the ingestion and the pipeline write: rows
 * accepted and rejected (by reason) over all ingested files, and finished pipeline runs by outcome with their
 * durations. Both are aggregated in SQL or over the files table (one row per file), so a scrape reads a bounded
 * answer however many stones and runs there are. The same SQL serves SQLite and PostgreSQL but for the
 * duration expression, which each dialect writes its own way.
 */
import { REASON_CODES, type ReasonCode } from '../diamond/index.js';
import type { Db } from './db.js';
import type { RunStatus } from './runs.js';

/** Upper bounds (seconds) of the pipeline-run duration buckets: from a quick no-op run to a long tuning. */
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

/** SQLite's and PostgreSQL's ways of writing a run's duration in seconds from its ISO text columns. */
export const SQLITE_RUN_SECONDS = "(unixepoch(finished_at, 'subsec') - unixepoch(started_at, 'subsec'))";
export const POSTGRES_RUN_SECONDS = 'extract(epoch FROM (finished_at::timestamptz - started_at::timestamptz))';

/** One row per outcome: count, total seconds, cumulative bucket counts b0…bN and the last finish. */
export function runSummarySql(seconds: string): string {
  const buckets = RUN_DURATION_BUCKETS.map(
    (le, i) => `sum(CASE WHEN ${seconds} <= ${le} THEN 1 ELSE 0 END) AS b${i}`,
  ).join(', ');
  return `SELECT status, count(*) AS runs, coalesce(sum(${seconds}), 0) AS seconds, ${buckets},
            max(finished_at) AS "lastFinishedAt"
          FROM pipeline_runs WHERE status <> 'running' AND finished_at IS NOT NULL GROUP BY status`;
}

export const INGESTED_FILE_COUNTS_SQL = "SELECT accepted, by_reason FROM files WHERE status = 'ingested'";

type RunSummaryRow = { status: string; runs: number; seconds: number; lastFinishedAt: string | null } & Record<
  string,
  unknown
>;

/** Shapes the rows of INGESTED_FILE_COUNTS_SQL and runSummarySql (either dialect) into OperationsCounts. */
export function operationsFromRows(
  files: readonly { accepted: number; by_reason: string }[],
  runRows: readonly RunSummaryRow[],
): OperationsCounts {
  const rejectedRows = Object.fromEntries(REASON_CODES.map((code) => [code, 0])) as Record<ReasonCode, number>;
  let acceptedRows = 0;
  for (const file of files) {
    acceptedRows += Number(file.accepted);
    for (const [code, n] of Object.entries(JSON.parse(file.by_reason) as Record<string, number>))
      if (code in rejectedRows) rejectedRows[code as ReasonCode] += Number(n);
  }
  const runs = FINISHED_RUN_STATUSES.map((status): RunOutcomeSummary => {
    const row = runRows.find((r) => r.status === status);
    return {
      status,
      runs: Number(row?.runs ?? 0),
      seconds: Number(row?.seconds ?? 0),
      atMost: RUN_DURATION_BUCKETS.map((_, i) => Number(row?.[`b${i}`] ?? 0)),
      lastFinishedAt: row?.lastFinishedAt ?? null,
    };
  });
  return { acceptedRows, rejectedRows, runs };
}

export function operationsCounts(db: Db): OperationsCounts {
  return operationsFromRows(
    db.prepare(INGESTED_FILE_COUNTS_SQL).all() as { accepted: number; by_reason: string }[],
    db.prepare(runSummarySql(SQLITE_RUN_SECONDS)).all() as RunSummaryRow[],
  );
}
