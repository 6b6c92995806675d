/**
 * Quotes that last: every valuation the API answers is stored with its input and the answer exactly as sent (the
 * JSON text), so GET /v1/valuations/{id} returns it unchanged after the champion has changed; and the answers of
 * requests sent with an Idempotency-Key, so that a retry gets the same answer. Rows are written in batches, off
 * the request's path (see src/api/quote-store.ts); reads are by primary key.
 */
import type { Statement } from 'better-sqlite3';
import { EVENT_LOOP_BUSY_MS, withBusyTimeout, type Db } from './db.js';

export interface StoredValuationRow {
  /** The opaque id (val_…), also inside the answer. */
  id: string;
  /** When it was answered, ms since the epoch. */
  at: number;
  /** The key that asked (null when the server runs open). */
  keyId: number | null;
  modelVersion: string;
  /** The stone as validated, JSON. */
  stone: string;
  /** The client's reference of a batch item, if it sent one. */
  ref: string | null;
  /** The valuation exactly as answered, JSON. */
  answer: string;
}

export interface IdempotencyRow {
  /** Whose key: the key id, or 0 for requests without one (open mode). */
  keyId: number;
  route: string;
  idempotencyKey: string;
  /** SHA-256 of the request (query and body): the same key with another request is a conflict. */
  fingerprint: string;
  at: number;
  /** The answer as sent (a 200's JSON text). */
  answer: string;
}

/** The statements the writer runs, in one transaction per batch; a row names its statement by index. */
export const QUOTE_WRITES = [
  `INSERT OR IGNORE INTO valuations (id, at, key_id, model_version, stone, ref, answer)
     VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', ? / 1000.0, 'unixepoch'), ?, ?, ?, ?, ?)`,
  `INSERT OR IGNORE INTO idempotency_keys (key_id, route, idempotency_key, fingerprint, at, answer) VALUES (?, ?, ?, ?, ?, ?)`,
] as const;

export type QuoteWrite = [0, ...(string | number | null)[]] | [1, ...(string | number | null)[]];

export function valuationWrite(r: StoredValuationRow): QuoteWrite {
  return [0, r.id, r.at, r.keyId, r.modelVersion, r.stone, r.ref, r.answer];
}

export function idempotencyWrite(r: IdempotencyRow): QuoteWrite {
  return [1, r.keyId, r.route, r.idempotencyKey, r.fingerprint, r.at, r.answer];
}

/** A writer on this connection: every row in one transaction. */
export function quoteWriter(db: Db): (rows: readonly QuoteWrite[]) => void {
  const statements = QUOTE_WRITES.map((sql) => db.prepare(sql));
  const write = db.transaction((rows: readonly QuoteWrite[]) => {
    for (const [which, ...values] of rows) statements[which].run(...values);
  });
  // Called on the thread that answers requests: a lock held elsewhere fails it fast (see EVENT_LOOP_BUSY_MS).
  return (rows) => withBusyTimeout(db, EVENT_LOOP_BUSY_MS, () => write(rows));
}

export interface FoundValuation {
  id: string;
  at: string;
  keyId: number | null;
  stone: string;
  ref: string | null;
  answer: string;
}

export function findValuation(db: Db, id: string): FoundValuation | undefined {
  return db.prepare('SELECT id, at, key_id AS keyId, stone, ref, answer FROM valuations WHERE id = ?').get(id) as
    | FoundValuation
    | undefined;
}

export function findIdempotent(
  db: Db,
  keyId: number,
  route: string,
  key: string,
  since: number,
): Pick<IdempotencyRow, 'fingerprint' | 'answer'> | undefined {
  return db
    .prepare(
      'SELECT fingerprint, answer FROM idempotency_keys WHERE key_id = ? AND route = ? AND idempotency_key = ? AND at >= ?',
    )
    .get(keyId, route, key, since) as Pick<IdempotencyRow, 'fingerprint' | 'answer'> | undefined;
}

/**
 * Deletes valuations answered before `valuationsBefore` (ms; null keeps them all) and idempotency records older
 * than `idempotencyBefore`, oldest first, `chunk` rows a statement (valuations are appended in time order, so the
 * oldest rowids are the oldest quotes: no index on time is needed). Resolves with how many of each went.
 *
 * It runs on the thread that answers requests (QuoteStore's timer): between statements it gives the event loop
 * its turn, so a purge of a long backlog (retention shortened, a server down for weeks) holds no answer up for
 * more than one statement; and each statement waits only EVENT_LOOP_BUSY_MS for another connection's lock. A
 * purge refused that way rejects with SQLITE_BUSY, keeping what it deleted; QuoteStore tries again later.
 */
export async function purgeQuotes(
  db: Db,
  valuationsBefore: number | null,
  idempotencyBefore: number,
  chunk = 1000,
): Promise<{ valuations: number; idempotency: number }> {
  const valuations =
    valuationsBefore === null
      ? 0
      : await deleteInChunks(
          db,
          db.prepare(
            'DELETE FROM valuations WHERE rowid IN (SELECT rowid FROM valuations ORDER BY rowid LIMIT ?) AND at < ?',
          ),
          [chunk, new Date(valuationsBefore).toISOString()],
        );
  // Idempotency records are written in time order too (a batch a few seconds behind at most), so each statement
  // looks at the oldest `chunk` rowids only: looking for `at < ?` instead read every record kept once nothing old
  // was left — 73 ms on the thread that answers requests for a million records, 0.3 ms this way.
  const idempotency = await deleteInChunks(
    db,
    db.prepare(
      'DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys ORDER BY rowid LIMIT ?) AND at < ?',
    ),
    [chunk, idempotencyBefore],
  );
  return { valuations, idempotency };
}

/** Runs `remove` until it deletes nothing, each run waiting EVENT_LOOP_BUSY_MS at most, the event loop between. */
async function deleteInChunks(db: Db, remove: Statement, params: unknown[]): Promise<number> {
  let deleted = 0;
  for (;;) {
    const n = withBusyTimeout(db, EVENT_LOOP_BUSY_MS, () => remove.run(...params).changes);
    if (n === 0) return deleted;
    deleted += n;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export function countValuations(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM valuations').get() as { n: number }).n;
}
