/**
 * Running totals of what /metrics reports from the database (operations.ts): rows of ingested files by outcome and
 * reason, finished pipeline runs by outcome and duration bucket. A scrape reads these few rows (at most one per
 * reason code and one per outcome and bucket) instead of every file and run, whose tables grow without end: each
 * recorded stone is a file, and a pipeline on a short schedule or `--watch` adds a run each time.
 *
 * Triggers keep them, so they change in the very transaction that stores a file or finishes a run, whichever
 * process or Loupe version writes it (two servers on one PostgreSQL, `loupe ingest` beside `loupe serve`, a fleet
 * half upgraded): a file is counted exactly when its `ingested` row is committed, and never twice. Each trigger
 * takes the old row out of the totals and puts the new one in, so any change to a row keeps them equal to a full
 * recount. The migration fills them from the rows already stored; on PostgreSQL it first locks both tables against
 * writes, so that no file or run is committed between that recount and the triggers taking over.
 */
import { RUN_DURATION_BUCKETS } from './operations.js';
import type { Migration } from './migrations.js';

interface Dialect {
  /** A run's duration in whole milliseconds (NULL when a time does not parse), from row `r`'s ISO text times. */
  ms(r: string): string;
  /** A table of (key, value) pairs, value an integer: the rejected rows by reason of file row `r`. */
  reasons(r: string): string;
  value: string;
  integer: string;
  strict: string;
}

const SQLITE: Dialect = {
  ms: (r) =>
    `CAST(round((unixepoch(${r}.finished_at, 'subsec') - unixepoch(${r}.started_at, 'subsec')) * 1000) AS INTEGER)`,
  reasons: (r) => `json_each(${r}.by_reason)`,
  value: 'value',
  integer: 'INTEGER',
  strict: ' STRICT',
};

const POSTGRES: Dialect = {
  ms: (r) => `round(extract(epoch FROM (${r}.finished_at::timestamptz - ${r}.started_at::timestamptz)) * 1000)::bigint`,
  reasons: (r) => `jsonb_each_text(${r}.by_reason::jsonb)`,
  value: 'value::bigint',
  integer: 'BIGINT',
  strict: '',
};

/** The index in RUN_DURATION_BUCKETS of the first bucket a run fits in; its length for longer or unreadable runs. */
const bucket = (d: Dialect, r: string): string =>
  `CASE ${RUN_DURATION_BUCKETS.map((le, i) => `WHEN ${d.ms(r)} <= ${le * 1000} THEN ${i}`).join(' ')} ELSE ${RUN_DURATION_BUCKETS.length} END`;

const finished = (r: string): string => `${r}.status <> 'running' AND ${r}.finished_at IS NOT NULL`;

function tables(d: Dialect): string {
  return `
CREATE TABLE ingestion_totals (
  outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
  -- The rejected rows' first reason code; '' for accepted rows.
  reason TEXT NOT NULL,
  total ${d.integer} NOT NULL,
  PRIMARY KEY (outcome, reason)
)${d.strict};

CREATE TABLE pipeline_run_totals (
  status TEXT NOT NULL,
  -- The index of the first duration bucket (RUN_DURATION_BUCKETS) the runs fit in; its length for longer runs.
  bucket ${d.integer} NOT NULL,
  runs ${d.integer} NOT NULL,
  ms ${d.integer} NOT NULL,
  last_finished_at TEXT,
  PRIMARY KEY (status, bucket)
)${d.strict};
`;
}

function backfill(d: Dialect): string {
  return `
INSERT INTO ingestion_totals (outcome, reason, total)
  SELECT 'accepted', '', sum(accepted) FROM files WHERE status = 'ingested' HAVING count(*) > 0;
INSERT INTO ingestion_totals (outcome, reason, total)
  SELECT 'rejected', key, sum(${d.value}) FROM files f, ${d.reasons('f')} WHERE f.status = 'ingested' GROUP BY key;
INSERT INTO pipeline_run_totals (status, bucket, runs, ms, last_finished_at)
  SELECT status, bucket, count(*), sum(ms), max(finished_at)
  FROM (SELECT p.status, ${bucket(d, 'p')} AS bucket, coalesce(${d.ms('p')}, 0) AS ms, p.finished_at
        FROM pipeline_runs p WHERE ${finished('p')}) AS runs
  GROUP BY status, bucket;
`;
}

/** Adds file row `r` (NEW or OLD) to the ingestion totals with `sign` ('' or '-') when it is ingested. */
const fileDelta = (d: Dialect, r: string, sign: '' | '-'): string => `
  INSERT INTO ingestion_totals (outcome, reason, total)
    SELECT 'accepted', '', ${sign}${r}.accepted WHERE ${r}.status = 'ingested'
    UNION ALL SELECT 'rejected', key, ${sign}${d.value} FROM ${d.reasons(r)} WHERE ${r}.status = 'ingested'
    ON CONFLICT (outcome, reason) DO UPDATE SET total = ingestion_totals.total + excluded.total;`;

/** Adds run row `r` (NEW) to its bucket's totals when it is finished. */
const runAdded = (d: Dialect, r: string): string => `
  INSERT INTO pipeline_run_totals (status, bucket, runs, ms, last_finished_at)
    SELECT ${r}.status, ${bucket(d, r)}, 1, coalesce(${d.ms(r)}, 0), ${r}.finished_at WHERE ${finished(r)}
    ON CONFLICT (status, bucket) DO UPDATE SET runs = pipeline_run_totals.runs + 1,
      ms = pipeline_run_totals.ms + excluded.ms,
      last_finished_at = CASE WHEN pipeline_run_totals.last_finished_at IS NULL
        OR excluded.last_finished_at > pipeline_run_totals.last_finished_at
        THEN excluded.last_finished_at ELSE pipeline_run_totals.last_finished_at END;`;

/**
 * Takes run row `r` (OLD) out of its bucket's totals when it was finished. Its bucket's last finish is read again
 * from the runs (a scan, but only when a finished run changes: the pipeline finishes a run once, from running).
 */
const runRemoved = (d: Dialect, r: string): string => `
  UPDATE pipeline_run_totals SET runs = runs - 1, ms = ms - coalesce(${d.ms(r)}, 0),
    last_finished_at = (SELECT max(p.finished_at) FROM pipeline_runs p
      WHERE ${finished('p')} AND p.status = ${r}.status AND ${bucket(d, 'p')} = ${bucket(d, r)})
  WHERE ${finished(r)} AND status = ${r}.status AND bucket = ${bucket(d, r)};`;

const FILE_COLUMNS = 'status, accepted, by_reason';
const RUN_COLUMNS = 'status, started_at, finished_at';

/**
 * SQLite's three triggers keeping running totals of `table`: `removed` takes the old row out (on update and delete),
 * `added` puts the new one in (on insert and update). Shared by the operations' and the recorders' totals.
 */
export const sqliteTotalsTriggers = (
  name: string,
  table: string,
  columns: string,
  removed: string,
  added: string,
): string => `
CREATE TRIGGER ${name}_insert AFTER INSERT ON ${table} BEGIN${added}
END;
CREATE TRIGGER ${name}_update AFTER UPDATE OF ${columns} ON ${table} BEGIN${removed}${added}
END;
CREATE TRIGGER ${name}_delete AFTER DELETE ON ${table} BEGIN${removed}
END;`;

export function sqliteOperationsTotalsSql(): string {
  const d = SQLITE;
  return `${tables(d)}${backfill(d)}${sqliteTotalsTriggers('files_totals', 'files', FILE_COLUMNS, fileDelta(d, 'OLD', '-'), fileDelta(d, 'NEW', ''))}${sqliteTotalsTriggers('pipeline_runs_totals', 'pipeline_runs', RUN_COLUMNS, runRemoved(d, 'OLD'), runAdded(d, 'NEW'))}
`;
}

/**
 * A PostgreSQL trigger function keeping running totals: `removed` takes the old row out (on update and delete),
 * `added` puts the new one in (on insert and update). Shared by the operations' and the recorders' totals.
 */
export const plpgsqlTotalsTrigger = (name: string, removed: string, added: string): string => `
CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN${removed}
  END IF;
  IF TG_OP <> 'DELETE' THEN${added}
  END IF;
  RETURN NULL;
END
$$;`;

export function postgresOperationsTotalsSql(): string {
  const d = POSTGRES;
  return `
-- No file or run is written between the recount below and the triggers taking over (they wait for this transaction).
LOCK TABLE files, pipeline_runs IN SHARE ROW EXCLUSIVE MODE;
${tables(d)}${backfill(d)}${plpgsqlTotalsTrigger('files_totals', fileDelta(d, 'OLD', '-'), fileDelta(d, 'NEW', ''))}
CREATE TRIGGER files_totals AFTER INSERT OR DELETE OR UPDATE OF ${FILE_COLUMNS} ON files
  FOR EACH ROW EXECUTE FUNCTION files_totals();
${plpgsqlTotalsTrigger('pipeline_run_totals_keep', runRemoved(d, 'OLD'), runAdded(d, 'NEW'))}
CREATE TRIGGER pipeline_runs_totals AFTER INSERT OR DELETE OR UPDATE OF ${RUN_COLUMNS} ON pipeline_runs
  FOR EACH ROW EXECUTE FUNCTION pipeline_run_totals_keep();
`;
}

/** Migration 31: the totals, filled from the files and runs already stored, and the triggers that keep them. */
export const OPERATIONS_TOTALS_MIGRATION: Migration = {
  version: 31,
  name: 'metrics: running totals of ingested rows and finished pipeline runs',
  sql: sqliteOperationsTotalsSql(),
};
