/**
 * What /metrics should report of ingestion and pipeline runs, counted again from every file and run stored (what
 * the store read on each scrape before it kept running totals): the truth the totals are compared with.
 */
import { REASON_CODES } from '../../src/diamond/index.js';
import { FINISHED_RUN_STATUSES, RUN_DURATION_BUCKETS, type OperationsCounts } from '../../src/store/operations.js';

export type RecountFile = { accepted: number | string; by_reason: string };
export type RecountRun = { status: string; started_at: string; finished_at: string };

/** Both databases: the rows recount() takes. */
export const RECOUNT_FILES_SQL = "SELECT accepted, by_reason FROM files WHERE status = 'ingested'";
export const RECOUNT_RUNS_SQL =
  "SELECT status, started_at, finished_at FROM pipeline_runs WHERE status <> 'running' AND finished_at IS NOT NULL";

export function recount(files: readonly RecountFile[], runs: readonly RecountRun[]): OperationsCounts {
  const rejectedRows = Object.fromEntries(REASON_CODES.map((c) => [c, 0])) as OperationsCounts['rejectedRows'];
  let acceptedRows = 0;
  for (const f of files) {
    acceptedRows += Number(f.accepted);
    for (const [code, n] of Object.entries(JSON.parse(f.by_reason) as Record<string, number>))
      rejectedRows[code as keyof typeof rejectedRows] += n;
  }
  return {
    acceptedRows,
    rejectedRows,
    runs: FINISHED_RUN_STATUSES.map((status) => {
      const mine = runs.filter((r) => r.status === status);
      const ms = mine.map((r) => Date.parse(r.finished_at) - Date.parse(r.started_at));
      return {
        status,
        runs: mine.length,
        seconds: ms.reduce((a, b) => a + b, 0) / 1000,
        atMost: RUN_DURATION_BUCKETS.map((le) => ms.filter((m) => m <= le * 1000).length),
        lastFinishedAt:
          mine.length === 0
            ? null
            : mine
                .map((r) => r.finished_at)
                .sort()
                .at(-1)!,
      };
    }),
  };
}
