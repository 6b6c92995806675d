/**
 * The request log: every API request and its answer, written in batches (one transaction per batch) so that
 * logging never waits on the disk in the request's path.
 */
import type { Db } from './db.js';

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
  return [e.at, e.method, e.route, e.url, e.status, e.latencyMs, e.keyId, e.keyName, e.modelVersion, e.requestBody, e.responseBody, e.requestId];
}

/** A writer that stores many entries in one transaction. */
export function requestLogWriter(db: Db): (entries: readonly RequestLogEntry[]) => void {
  const insert = db.prepare(INSERT_REQUEST_SQL);
  return db.transaction((entries: readonly RequestLogEntry[]) => {
    for (const e of entries) insert.run(...requestRow(e));
  });
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
}

export function listRequests(db: Db, q: RequestQuery): StoredRequest[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.before !== undefined) {
    where.push('id < ?');
    args.push(q.before);
  }
  if (q.status !== undefined) {
    where.push('status = ?');
    args.push(q.status);
  }
  if (q.route !== undefined) {
    where.push('route = ?');
    args.push(q.route);
  }
  if (q.requestId !== undefined) {
    where.push('request_id = ?');
    args.push(q.requestId);
  }
  const sql = `SELECT id, at, method, route, url, status, latency_ms AS latencyMs, key_id AS keyId, key_name AS keyName,
      model_version AS modelVersion, request_body AS requestBody, response_body AS responseBody, request_id AS requestId
    FROM request_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  return db.prepare(sql).all(...args, q.limit) as StoredRequest[];
}

export function countRequests(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM request_log').get() as { n: number }).n;
}
