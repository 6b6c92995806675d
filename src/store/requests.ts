/**
 * The request log: every API request and its answer, written in batches (one transaction per batch) so that
 * logging never waits on the disk in the request's path.
 */
import { whereOf } from './sql.js';
import { EVENT_LOOP_BUSY_MS, withBusyTimeout, type Db } from './db.js';

export interface RequestLogEntry {
  /** When the answer was sent, in ms since the epoch (stored as ISO 8601 text, converted by SQLite). */
  at: number;
  method: string;
  /** The route pattern, e.g. /v1/valuations (the URL for requests that matched none). */
  route: string;
  url: string;
  status: number;
  latencyMs: number;
  keyId: number | null;
  keyName: string | null;
  modelVersion: string | null;
  /** The request body as received, truncated. */
  requestBody: string | null;
  /** The response body as sent, truncated. */
  responseBody: string | null;
  /** The X-Request-Id of the answer (the caller's, when sane, else generated). */
  requestId: string | null;
}

export type StoredRequest = Omit<RequestLogEntry, 'at'> & { id: number; at: string };

/** The insert of one entry, with its values in the order of requestRow (for writers on another thread). */
export const INSERT_REQUEST_SQL = `INSERT INTO request_log (at, method, route, url, status, latency_ms, key_id, key_name, model_version, request_body, response_body, request_id)
     VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', ? / 1000.0, 'unixepoch'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function requestRow(e: RequestLogEntry): (string | number | null)[] {
  return [
    e.at,
    e.method,
    e.route,
    e.url,
    e.status,
    e.latencyMs,
    e.keyId,
    e.keyName,
    e.modelVersion,
    e.requestBody,
    e.responseBody,
    e.requestId,
  ];
}

/**
 * A writer that stores many entries in one transaction, on the thread that answers requests: a lock held elsewhere
 * fails it fast (see EVENT_LOOP_BUSY_MS) and the request log keeps the entries for its next flush.
 */
export function requestLogWriter(db: Db): (entries: readonly RequestLogEntry[]) => void {
  const insert = db.prepare(INSERT_REQUEST_SQL);
  const write = db.transaction((entries: readonly RequestLogEntry[]) => {
    for (const e of entries) insert.run(...requestRow(e));
  });
  return (entries) => withBusyTimeout(db, EVENT_LOOP_BUSY_MS, () => write(entries));
}

/** How long and how large the request log may grow; older rows are deleted first. */
export interface RequestLogRetention {
  /** Rows older than this many days are deleted. */
  maxAgeDays: number;
  /** The log's rows are kept under about this many bytes (estimated from the newest rows' sizes). */
  maxBytes: number;
}

export const DEFAULT_RETENTION: RequestLogRetention = { maxAgeDays: 30, maxBytes: 512 * 1024 * 1024 };

/** Per-row overhead in bytes beside the text columns (record header, integers, the b-tree cell), roughly. */
const ROW_OVERHEAD = 48;
const textBytes = (column: string): string => `ifnull(length(CAST(${column} AS BLOB)), 0)`;
const ROW_BYTES = `${ROW_OVERHEAD} + ${['at', 'method', 'route', 'url', 'key_name', 'model_version', 'request_body', 'response_body', 'request_id'].map(textBytes).join(' + ')}`;

/**
 * Deletes the rows retention no longer keeps: older than maxAgeDays, then the oldest beyond about maxBytes.
 * Ids grow with time, so both limits become "every id below a cutoff": finding the cutoff reads only the rows to
 * delete (age) or the newest thousand (size), never the whole table, and the delete runs in chunks of `chunk`
 * rows, one transaction each, so a writer elsewhere waits at most one chunk. Freed pages are reused by later rows
 * (the file stops growing; it shrinks only with VACUUM). Returns the number of rows deleted.
 */
export function pruneRequestLog(db: Db, retention: RequestLogRetention, now = Date.now(), chunk = 5000): number {
  // Two subqueries: SQLite reads min(id) or max(id) off the primary key only when the query holds just one of them;
  // `SELECT min(id), max(id)` scans the whole log (19 ms at 58,000 rows, on every prune).
  const span = db
    .prepare('SELECT (SELECT min(id) FROM request_log) AS first, (SELECT max(id) FROM request_log) AS last')
    .get() as {
    first: number | null;
    last: number | null;
  };
  if (span.first === null || span.last === null) return 0;
  const oldestKept = new Date(now - retention.maxAgeDays * 86_400_000).toISOString();
  const youngest = db.prepare('SELECT id FROM request_log WHERE at >= ? ORDER BY id LIMIT 1').pluck().get(oldestKept) as
    | number
    | undefined;
  const byAge = youngest ?? span.last + 1;
  const rowBytes = db
    .prepare(`SELECT avg(${ROW_BYTES}) FROM (SELECT * FROM request_log ORDER BY id DESC LIMIT 1000)`)
    .pluck()
    .get() as number;
  const bySize = span.last + 1 - Math.floor(retention.maxBytes / Math.max(1, rowBytes));
  const cutoff = Math.max(byAge, bySize);
  const remove = db.prepare('DELETE FROM request_log WHERE id < ? AND id < (SELECT min(id) FROM request_log) + ?');
  let deleted = 0;
  for (;;) {
    const n = remove.run(cutoff, chunk).changes;
    if (n === 0) return deleted;
    deleted += n;
  }
}

export interface RequestQuery {
  /** At most this many, newest first. */
  limit: number;
  /** Only entries with an id below this (paging backwards). */
  before?: number;
  status?: number;
  route?: string;
  /** Only the entry of this X-Request-Id. */
  requestId?: string;
  /** Only entries with an id at or above this (the window a filtered page looks at). */
  from?: number;
}

/** A page of the request log, and the `before` of the next one (null: nothing older is left to look at). */
export interface RequestPage {
  requests: StoredRequest[];
  nextBefore: number | null;
}

/**
 * Entries one filtered page (by status, route or request id) looks at, at most: the newest 10,000 below `before`.
 * Matches can be rare or absent, and the log holds up to a million rows (LOUPE_REQUEST_LOG_MAX_MB): a filter that
 * walked until its page was full could read all of them, on SQLite on the thread that answers requests.
 */
export const REQUESTS_EXAMINED = 10_000;

/** The first and last id of the log (null when empty): each read off the primary key on its own (see pruneRequestLog). */
export const REQUEST_LOG_SPAN_SQL =
  'SELECT (SELECT min(id) FROM request_log) AS first, (SELECT max(id) FROM request_log) AS last';
export type RequestLogSpan = { first: number | null; last: number | null };

/**
 * The query a page runs, given the log's span: a filtered one looks only at the REQUESTS_EXAMINED ids below
 * `before` (ids grow by one per entry; pruning removes the oldest, so the ids of a window are at most that many rows).
 * `floor`: where the next page goes on when this one is not full, null when the window reaches the oldest entry.
 */
export function requestPageQuery(q: RequestQuery, span: RequestLogSpan): { query: RequestQuery; floor: number | null } {
  const filtered = q.status !== undefined || q.route !== undefined || q.requestId !== undefined;
  if (!filtered || span.first === null || span.last === null) return { query: q, floor: null };
  const from = Math.min(q.before ?? Number.POSITIVE_INFINITY, span.last + 1) - REQUESTS_EXAMINED;
  return { query: { ...q, from }, floor: from > span.first ? from : null };
}

/** The page of the rows read: a full page goes on from its last row, a short one from the window's floor. */
export function requestPage(rows: StoredRequest[], limit: number, floor: number | null): RequestPage {
  return { requests: rows, nextBefore: rows.length === limit ? rows[rows.length - 1].id : floor };
}

export function listRequests(db: Db, q: RequestQuery): StoredRequest[] {
  const { where, params } = requestsWhere(q);
  const sql = `SELECT id, at, method, route, url, status, latency_ms AS latencyMs, key_id AS keyId, key_name AS keyName,
      model_version AS modelVersion, request_body AS requestBody, response_body AS responseBody, request_id AS requestId
    FROM request_log ${where} ORDER BY id DESC LIMIT ?`;
  return db.prepare(sql).all(...params, q.limit) as StoredRequest[];
}

/** A page of the request log, as GET /v1/requests answers it. */
export function pageRequests(db: Db, q: RequestQuery): RequestPage {
  const { query, floor } = requestPageQuery(q, db.prepare(REQUEST_LOG_SPAN_SQL).get() as RequestLogSpan);
  return requestPage(listRequests(db, query), q.limit, floor);
}

/** The WHERE clause of a request-log query (both stores) and its parameters. */
export function requestsWhere(q: RequestQuery): { where: string; params: unknown[] } {
  return whereOf([
    ['id < ?', q.before],
    ['id >= ?', q.from],
    ['status = ?', q.status],
    ['route = ?', q.route],
    ['request_id = ?', q.requestId],
  ]);
}

export function countRequests(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM request_log').get() as { n: number }).n;
}
