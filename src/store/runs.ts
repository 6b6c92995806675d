/**
 * The pipeline_runs table (migration 11): one row per pipeline run — when it started and finished, its status, each step with its
 * duration, the decision and a summary — so the history of retraining is auditable.
 */
import type { Db } from './db.js';

export type RunStatus = 'running' | 'succeeded' | 'nothing_to_do' | 'failed' | 'interrupted';

export interface StepRecord {
  name: string;
  startedAt: string;
  ms: number;
  /** One line: what the step did. */
  detail: string;
}

/** MAE (USD), MAPE (%) and range coverage (%; null when no stone was given a range) on a set of appraisals. */
export interface AccuracyFigures {
  rows: number;
  mae: number;
  mape: number;
  coverage: number | null;
}

/**
 * A run's live-accuracy entry (its summary's `accuracy`): the champion on the appraisals new since its training
 * data (rows it never saw), beside the same champion on the reference test rows — the rows it was promoted on.
 * `reference` and `segments` are recorded by runs since 2026-12-05; older entries have `referenceMape` only.
 */
export interface LiveAccuracy {
  champion: string;
  rows: number;
  mae: number;
  mape: number;
  coverage: number;
  nominal: number;
  referenceMape: number | null;
  reference?: AccuracyFigures | null;
  /** By carat band, cut, colour and clarity: each group of the new appraisals, with the same group at promotion. */
  segments?: (AccuracyFigures & {
    partition: 'carat' | 'cut' | 'color' | 'clarity';
    group: string;
    reference: AccuracyFigures | null;
  })[];
}

export interface AccuracyHistoryEntry {
  runId: number;
  finishedAt: string;
  status: RunStatus;
  accuracy: LiveAccuracy;
}

/** Largest `limit` liveAccuracyHistory takes: the history the API answers stays bounded. */
export const MAX_ACCURACY_RUNS = 500;

/**
 * The last `limit` finished runs that measured the champion on new appraisals (their summary has an `accuracy`
 * object), oldest first. The JSON test is each dialect's own; the rest of the query is shared.
 */
export function accuracyHistorySql(dialect: 'sqlite' | 'postgres'): string {
  const measured =
    dialect === 'sqlite'
      ? "json_type(summary, '$.accuracy') = 'object'"
      : "jsonb_typeof(summary::jsonb -> 'accuracy') = 'object'";
  return `SELECT id, finished_at, status, summary FROM pipeline_runs
          WHERE status IN ('succeeded', 'nothing_to_do') AND summary IS NOT NULL AND ${measured}
          ORDER BY id DESC LIMIT ${dialect === 'sqlite' ? '?' : '$1'}`;
}

export function accuracyHistoryFromRows(
  rows: readonly { id: number | string; finished_at: string | null; status: RunStatus; summary: string }[],
): AccuracyHistoryEntry[] {
  return rows
    .map((r) => ({
      runId: Number(r.id),
      finishedAt: r.finished_at ?? '',
      status: r.status,
      accuracy: (JSON.parse(r.summary) as { accuracy: LiveAccuracy }).accuracy,
    }))
    .reverse();
}

export function liveAccuracyHistory(db: Db, limit: number): AccuracyHistoryEntry[] {
  const n = Math.max(1, Math.min(MAX_ACCURACY_RUNS, Math.floor(limit)));
  return accuracyHistoryFromRows(
    db.prepare(accuracyHistorySql('sqlite')).all(n) as Parameters<typeof accuracyHistoryFromRows>[0],
  );
}

export interface RunRecord {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  pid: number;
  status: RunStatus;
  steps: StepRecord[];
  decision: string | null;
  summary: unknown;
  error: string | null;
}

/** A pipeline_runs row as both stores return it (PostgreSQL's store reads it through toRecord too). */
export interface RunRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  pid: number;
  status: RunStatus;
  steps: string;
  decision: string | null;
  summary: string | null;
  error: string | null;
}

export const toRecord = (r: RunRow): RunRecord => ({
  id: r.id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  pid: r.pid,
  status: r.status,
  steps: JSON.parse(r.steps) as StepRecord[],
  decision: r.decision,
  summary: r.summary === null ? null : JSON.parse(r.summary),
  error: r.error,
});

/** Marks runs still "running" as interrupted: called by the holder of the lock, so none of them is alive. */
export function markInterrupted(db: Db): number {
  return db
    .prepare(
      "UPDATE pipeline_runs SET status = 'interrupted', finished_at = ?, error = 'the process stopped before the run finished (killed or crashed)' WHERE status = 'running'",
    )
    .run(new Date().toISOString()).changes;
}

export function startRun(db: Db): number {
  return Number(
    db
      .prepare("INSERT INTO pipeline_runs (started_at, pid, status) VALUES (?, ?, 'running')")
      .run(new Date().toISOString(), process.pid).lastInsertRowid,
  );
}

export function recordSteps(db: Db, id: number, steps: StepRecord[]): void {
  db.prepare('UPDATE pipeline_runs SET steps = ? WHERE id = ?').run(JSON.stringify(steps), id);
}

export function finishRun(
  db: Db,
  id: number,
  status: RunStatus,
  fields: { decision?: string | null; summary?: unknown; error?: string | null },
): void {
  db.prepare(
    'UPDATE pipeline_runs SET status = ?, finished_at = ?, decision = ?, summary = ?, error = ? WHERE id = ?',
  ).run(
    status,
    new Date().toISOString(),
    fields.decision ?? null,
    fields.summary === undefined ? null : JSON.stringify(fields.summary),
    fields.error ?? null,
    id,
  );
}

export function listRuns(db: Db, limit = 50): RunRecord[] {
  return (db.prepare('SELECT * FROM pipeline_runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[]).map(toRecord);
}

export function getRun(db: Db, id: number): RunRecord | undefined {
  const r = db.prepare('SELECT * FROM pipeline_runs WHERE id = ?').get(id) as RunRow | undefined;
  return r && toRecord(r);
}
