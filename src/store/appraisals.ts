/**
 * Appraisals recorded in the app (migration 3). What the expert records goes into the same tables as a file's
 * rows — a submission (one stone, or an uploaded CSV) is a row of `files`, its stones rows of `diamonds`, its
 * rejected rows rows of `rejects` — so the retraining pipeline partitions, snapshots and evaluates them exactly as
 * it does files. This module adds who recorded a submission and when (`submissions`), and what became of each
 * rejected row (`reject_resolutions`: fixed by a later submission, or dismissed), and reads them back.
 */
import { whereOf } from './sql.js';
import {
  APPRAISAL_FIELDS,
  type Appraisal,
  type GradeFieldName,
  type Problem,
  type ReasonCode,
} from '../diamond/index.js';
import type { Db } from './db.js';
import type { Migration } from './migrations.js';
import { RECORDERS_SQL } from './recorder-totals.js';

export const APPRAISALS_MIGRATION: Migration = {
  version: 3,
  name: 'ingestion: appraisals recorded in the app (submissions, reject resolutions)',
  sql: `
CREATE TABLE submissions (
  file_id INTEGER PRIMARY KEY REFERENCES files(id),
  kind TEXT NOT NULL CHECK (kind IN ('stone', 'upload')),
  recorded_by TEXT NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 100),
  recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX submissions_by_time ON submissions (recorded_at);

CREATE TABLE reject_resolutions (
  reject_id INTEGER PRIMARY KEY REFERENCES rejects(id),
  resolution TEXT NOT NULL CHECK (resolution IN ('fixed', 'dismissed')),
  -- The submission that resubmitted the corrected row (for 'fixed').
  fixed_by_file_id INTEGER REFERENCES files(id),
  resolved_by TEXT NOT NULL,
  resolved_at TEXT NOT NULL,
  CHECK ((resolution = 'fixed') = (fixed_by_file_id IS NOT NULL))
) STRICT;
`,
};

export type SubmissionKind = 'stone' | 'upload';

export interface Submission {
  kind: SubmissionKind;
  recordedBy: string;
  recordedAt: string;
}

/** Records who submitted a file and when (call in the file's own transaction). */
export function insertSubmission(db: Db, fileId: number, s: Submission): void {
  db.prepare('INSERT INTO submissions (file_id, kind, recorded_by, recorded_at) VALUES (?, ?, ?, ?)').run(
    fileId,
    s.kind,
    s.recordedBy,
    s.recordedAt,
  );
}

export interface RecordedAppraisal extends Appraisal {
  id: number;
  submissionId: number;
  submissionName: string;
  kind: SubmissionKind;
  recordedBy: string;
  recordedAt: string;
  line: number;
}

export interface RecordedFilter {
  /** recorded_at at or after (ISO text, compared as text). */
  from?: string;
  /** recorded_at before (ISO text). */
  to?: string;
  who?: string;
  cut?: string;
  color?: string;
  clarity?: string;
  submission?: number;
}

const DIAMOND_COLUMNS = APPRAISAL_FIELDS.map((f) => `d."${f}"`).join(', ');
const GRADE_FILTERS: readonly GradeFieldName[] = ['cut', 'color', 'clarity'];

// The SQL below is shared with PostgreSQL (postgres/appraisals.ts numbers its ? placeholders): aliases are quoted,
// since PostgreSQL folds unquoted names to lower case.

/**
 * What a filter asks of the recorded appraisals: the WHERE clause and its parameters. `walk`: a grade is checked on
 * each row as the listing's order walks them (`|| ''` keeps either database from reading the grade's index instead,
 * which would sort every stone of that grade for each page).
 */
function recordedWhere(f: RecordedFilter, walk = false): { where: string; params: unknown[] } {
  return whereOf([
    ['s.recorded_at >= ?', f.from],
    ['s.recorded_at < ?', f.to],
    ['s.recorded_by = ?', f.who],
    ...GRADE_FILTERS.map((g) => [`d."${g}"${walk ? " || ''" : ''} = ?`, f[g]] as const),
    ['s.file_id = ?', f.submission],
  ]);
}

/**
 * Where a page starts: after the row of this submission and line, in the listing's order (an answer's `next`).
 * Read from there, a page costs the rows it returns, however deep into the listing it lies.
 */
export interface RecordedCursor {
  submission: number;
  line: number;
}

/** A page of recorded appraisals: `limit` rows from `offset`, or from just `after` a row, in the listing's order. */
export interface RecordedPage {
  limit: number;
  offset?: number;
  after?: RecordedCursor;
}

type Query = { sql: string; params: unknown[] };

/**
 * Recorded appraisals matching the filter (and `extra`, one more condition), newest first: newest submission first,
 * then from its last line up. That order is the indexes' (submissions by time, whose entries end with the file id;
 * diamonds by file and line), so the database walks them in order and stops at the limit: a page never sorts every
 * match first (28 ms at 65,000 recorded rows on SQLite, on the thread that answers requests, for each page).
 */
function recordedQuery(f: RecordedFilter, limit: number | undefined, offset = 0, extra?: Query): Query {
  const { where, params } = recordedWhere(f, true);
  const clause = extra ? `${where === '' ? 'WHERE' : `${where} AND`} ${extra.sql}` : where;
  const all = [...params, ...(extra?.params ?? [])];
  if (limit !== undefined) all.push(limit, offset);
  return {
    sql: `SELECT d.id, ${DIAMOND_COLUMNS},
              s.file_id AS "submissionId", f.name AS "submissionName", s.kind, s.recorded_by AS "recordedBy",
              s.recorded_at AS "recordedAt", d.line
       FROM submissions s JOIN files f ON f.id = s.file_id JOIN diamonds d ON d.file_id = s.file_id
       ${clause} ORDER BY s.recorded_at DESC, s.file_id DESC, d.line DESC${limit === undefined ? '' : ' LIMIT ? OFFSET ?'}`,
    params: all,
  };
}

const AT_OF = '(SELECT recorded_at FROM submissions WHERE file_id = ?)';

/**
 * The queries that read a page, in turn, each given how many rows are still wanted. From a cursor there are two, so
 * that each one's condition is a range of an index: the rest of the cursor's submission, then the older submissions.
 */
export function recordedQueries(f: RecordedFilter, page?: RecordedPage): ((limit: number) => Query)[] {
  if (!page) return [() => recordedQuery(f, undefined)];
  const { after } = page;
  if (!after) return [(limit) => recordedQuery(f, limit, page.offset)];
  const { submission: id, line } = after;
  return [
    (limit) => recordedQuery(f, limit, 0, { sql: 's.file_id = ? AND f.id = ? AND d.line < ?', params: [id, id, line] }),
    (limit) =>
      recordedQuery(f, limit, 0, {
        sql: `s.recorded_at <= ${AT_OF} AND (s.recorded_at < ${AT_OF} OR s.file_id < ?)`,
        params: [id, id, id],
      }),
  ];
}

/** Runs a page's queries in turn until it has its rows (SQLite's driver, or PostgreSQL's, as `run`). */
export function readRecorded<R>(
  queries: ((limit: number) => Query)[],
  page: RecordedPage | undefined,
  run: (q: Query) => R[],
): R[] {
  const rows: R[] = [];
  for (const query of queries) {
    if (page && rows.length >= page.limit) break;
    rows.push(...run(query(page ? page.limit - rows.length : 0)));
  }
  return rows;
}

/**
 * How many recorded appraisals match the filter. All of them, or one recorder's, is the recorders' totals
 * (recorder-totals.ts: a row per recorder); any other filter counts the matching rows.
 */
export function countRecordedQuery(f: RecordedFilter): { sql: string; params: unknown[] } {
  const { where, params } = recordedWhere(f);
  const keys = ['from', 'to', 'who', 'cut', 'color', 'clarity', 'submission'] as const;
  const given = keys.filter((k) => f[k] !== undefined);
  if (given.length === 0) return { sql: 'SELECT coalesce(sum(appraisals), 0) AS n FROM recorder_totals', params };
  if (given.length === 1 && f.who !== undefined)
    return { sql: 'SELECT coalesce(sum(appraisals), 0) AS n FROM recorder_totals WHERE name = ?', params };
  return { sql: `SELECT count(*) AS n FROM submissions s JOIN diamonds d ON d.file_id = s.file_id ${where}`, params };
}

/** Recorded appraisals matching the filter, newest first: every one (the caller bounds what it asks for), or a page. */
export function listRecorded(db: Db, filter: RecordedFilter = {}, page?: RecordedPage): RecordedAppraisal[] {
  return readRecorded(
    recordedQueries(filter, page),
    page,
    (q) => db.prepare(q.sql).all(...q.params) as RecordedAppraisal[],
  );
}

export function countRecorded(db: Db, filter: RecordedFilter = {}): number {
  const q = countRecordedQuery(filter);
  return (db.prepare(q.sql).get(...q.params) as { n: number }).n;
}

/** Who has recorded appraisals, by name, with how many each: the totals of recorder-totals.ts, a row per recorder. */
export function recorders(db: Db): { name: string; appraisals: number }[] {
  return db.prepare(RECORDERS_SQL).all() as { name: string; appraisals: number }[];
}

export interface OpenReject {
  id: number;
  submissionId: number;
  submissionName: string;
  recordedBy: string;
  recordedAt: string;
  line: number;
  rawText: string;
  /** The submission's header, naming the raw text's columns. */
  header: string;
  reasons: Problem[];
  reason: ReasonCode;
}

const OPEN_REJECTS = `
  SELECT r.id, r.file_id AS "submissionId", f.name AS "submissionName", s.recorded_by AS "recordedBy",
         s.recorded_at AS "recordedAt", r.line, r.raw_text AS "rawText", f.header, r.reasons, r.reason
  FROM rejects r JOIN submissions s ON s.file_id = r.file_id JOIN files f ON f.id = r.file_id
  LEFT JOIN reject_resolutions x ON x.reject_id = r.id
  WHERE x.reject_id IS NULL`;

type OpenRejectRow = Omit<OpenReject, 'reasons'> & { reasons: string };
export const toOpenReject = (r: OpenRejectRow): OpenReject => ({ ...r, reasons: JSON.parse(r.reasons) as Problem[] });

/** Which open rejected rows: of one submission or all; a page of them (`limit` from `offset`), or every one. */
export interface OpenRejectsOptions {
  submission?: number;
  limit?: number;
  offset?: number;
}

/** Open rejected rows of recorded submissions (of one, or all), newest first, with the parameters. */
export function openRejectsQuery(options: OpenRejectsOptions & { id?: number }): { sql: string; params: number[] } {
  if (options.id !== undefined) return { sql: `${OPEN_REJECTS} AND r.id = ?`, params: [options.id] };
  const by = options.submission === undefined ? '' : ' AND r.file_id = ?';
  const params = options.submission === undefined ? [] : [options.submission];
  const page = options.limit === undefined ? '' : ' LIMIT ? OFFSET ?';
  if (options.limit !== undefined) params.push(options.limit, options.offset ?? 0);
  // Ordered by the submission's own columns (r.file_id is the same number): the indexes' order, walked to the page's
  // end, rather than every open row sorted first.
  return { sql: `${OPEN_REJECTS}${by} ORDER BY s.recorded_at DESC, s.file_id DESC, r.line${page}`, params };
}

/** How many rejected rows of recorded submissions (of one, or all) are open (neither fixed nor dismissed). */
export function countOpenRejectsQuery(submission?: number): { sql: string; params: number[] } {
  const sql = `SELECT count(*) AS n FROM rejects r JOIN submissions s ON s.file_id = r.file_id
    LEFT JOIN reject_resolutions x ON x.reject_id = r.id
    WHERE x.reject_id IS NULL`;
  return submission === undefined ? { sql, params: [] } : { sql: `${sql} AND r.file_id = ?`, params: [submission] };
}

/** Rejected rows of recorded submissions that are neither fixed nor dismissed, newest first. */
export function listOpenRejects(db: Db, options: OpenRejectsOptions = {}): OpenReject[] {
  const q = openRejectsQuery(options);
  return (db.prepare(q.sql).all(...q.params) as OpenRejectRow[]).map(toOpenReject);
}

export function countOpenRejects(db: Db, submission?: number): number {
  const q = countOpenRejectsQuery(submission);
  return (db.prepare(q.sql).get(...q.params) as { n: number }).n;
}

/** One open rejected row of a recorded submission; undefined when there is none (or it is fixed or dismissed). */
export function getOpenReject(db: Db, id: number): OpenReject | undefined {
  const q = openRejectsQuery({ id });
  const row = db.prepare(q.sql).get(...q.params) as OpenRejectRow | undefined;
  return row && toOpenReject(row);
}

export interface Resolution {
  rejectId: number;
  resolution: 'fixed' | 'dismissed';
  fixedByFileId?: number;
  resolvedBy: string;
  resolvedAt: string;
}

export const RESOLVE_SQL = `INSERT INTO reject_resolutions (reject_id, resolution, fixed_by_file_id, resolved_by, resolved_at)
  VALUES (?, ?, ?, ?, ?) ON CONFLICT (reject_id) DO NOTHING`;

export const resolutionParams = (r: Resolution): unknown[] => [
  r.rejectId,
  r.resolution,
  r.fixedByFileId ?? null,
  r.resolvedBy,
  r.resolvedAt,
];

/**
 * Marks a rejected row fixed or dismissed; false when it already was (two people resolving the same row at once:
 * the first one counts).
 */
export function resolveReject(db: Db, r: Resolution): boolean {
  return db.prepare(RESOLVE_SQL).run(...resolutionParams(r)).changes === 1;
}

export interface Learning {
  /** The newest registered model whose training snapshot reaches recorded submissions. */
  version: string;
  createdAt: string;
  /** The newest submission its snapshot reaches: recorded appraisals up to this time were learned from. */
  upTo: string;
  /** Recorded appraisals in its training snapshot (the rest of those up to `upTo` are holdout or rejected). */
  trainedOn: number;
}

/** The newest model trained on a snapshot that reaches recorded submissions (its ids are read only when needed). */
export const LEARNING_MODEL_SQL = `SELECT m.version, m.created_at AS "createdAt", t.max_file_id AS "maxFileId", t.sha256 AS snapshot
  FROM models m JOIN training_snapshots t ON t.sha256 = m.training_data_sha256
  WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.file_id <= t.max_file_id)
  ORDER BY m.id DESC LIMIT 1`;
export type LearningModelRow = { version: string; createdAt: string; maxFileId: number; snapshot: string };
export const LEARNING_UP_TO_SQL = 'SELECT max(recorded_at) AS at FROM submissions WHERE file_id <= ?';
export const LEARNING_IDS_SQL = 'SELECT diamond_ids AS ids FROM training_snapshots WHERE sha256 = ?';

/**
 * What a model learned from recorded appraisals, by its version. It never changes once the model is registered:
 * the snapshot's stones, and every submission up to its newest file, were stored before it (files are stored one
 * at a time, in the order of their ids). Counting it reads every id of the snapshot (39 ms at 65,000 recorded
 * stones, on each JSON page of GET /v1/appraisals), so a store makes it once per model and keeps the newest only.
 */
export type LearningCache = Map<string, Pick<Learning, 'upTo' | 'trainedOn'>>;

/** Keeps `learned` as the only entry of the cache. */
export function remember(cache: LearningCache, version: string, learned: Pick<Learning, 'upTo' | 'trainedOn'>) {
  cache.clear();
  cache.set(version, learned);
  return learned;
}

/** Which model last learned from recorded appraisals, and up to when; undefined when none has yet. */
export function lastLearning(db: Db, cache: LearningCache = new Map()): Learning | undefined {
  const model = db.prepare(LEARNING_MODEL_SQL).get() as LearningModelRow | undefined;
  if (!model) return undefined;
  const learned =
    cache.get(model.version) ??
    remember(cache, model.version, {
      upTo: (db.prepare(LEARNING_UP_TO_SQL).get(model.maxFileId) as { at: string }).at,
      trainedOn: (
        db
          .prepare(
            `SELECT count(*) AS n FROM json_each((${LEARNING_IDS_SQL})) j
             JOIN diamonds d ON d.id = j.value JOIN submissions s ON s.file_id = d.file_id`,
          )
          .get(model.snapshot) as { n: number }
      ).n,
    });
  return { version: model.version, createdAt: model.createdAt, ...learned };
}

/** Whether a file is a recorded submission (the pipeline draws a lone stone's holdout by itself). */
export function submissionKinds(db: Db): Map<number, SubmissionKind> {
  const rows = db.prepare('SELECT file_id AS fileId, kind FROM submissions').all() as {
    fileId: number;
    kind: SubmissionKind;
  }[];
  return new Map(rows.map((r) => [r.fileId, r.kind]));
}
