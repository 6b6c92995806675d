/**
 * PostgreSQL transactions on a connection of their own, the one way Loupe opens them: BEGIN, optionally a
 * transaction-level advisory lock (held to the end, so writers of one kind on every server go one at a time), the
 * caller's statements, then exactly one COMMIT or ROLLBACK. A connection whose COMMIT or ROLLBACK failed is not
 * given back to the pool for reuse; a failed connection surfaces as DatabaseUnavailable (the API's 503).
 *
 * `withTransaction` is the usual shape (a callback: committed when it resolves, rolled back when it throws);
 * `beginTransaction` is for a transaction that spans the caller's own calls (ingestion, a batch at a time).
 */
import type pg from 'pg';
import { asUnavailable, runQuery } from './connect.js';

export interface TransactionOptions {
  /** An advisory lock (pg_advisory_xact_lock) taken first and held to the end of the transaction. */
  lock?: number;
}

export interface OpenTransaction {
  readonly client: pg.PoolClient;
  /** Runs one statement inside the transaction (a failed connection: DatabaseUnavailable). */
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  commit(): Promise<void>;
  /** Ends it with nothing written; safe to call after a failed commit, or twice, or on a lost connection. */
  rollback(): Promise<void>;
}

export async function beginTransaction(pool: pg.Pool, options: TransactionOptions = {}): Promise<OpenTransaction> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw asUnavailable(error);
  }
  const query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => runQuery<R>(client, text, values);
  let ended = false;
  // Once: a failed COMMIT has ended the transaction too, and its connection is not reused. A ROLLBACK that fails
  // (the connection already lost) is no error: the connection is closed, and PostgreSQL rolls back a transaction
  // whose connection ended; throwing would hide the error that made the caller roll back.
  const end = async (sql: 'COMMIT' | 'ROLLBACK') => {
    if (ended) return;
    ended = true;
    let failed = false;
    try {
      await query(sql);
    } catch (error) {
      failed = true;
      if (sql === 'COMMIT') throw error;
    } finally {
      client.release(failed);
    }
  };
  try {
    await query('BEGIN');
    if (options.lock !== undefined) await query('SELECT pg_advisory_xact_lock($1)', [options.lock]);
  } catch (error) {
    await end('ROLLBACK').catch(() => {});
    throw error;
  }
  return { client, query, commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
}

export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const tx = await beginTransaction(pool, options);
  try {
    const result = await fn(tx.client);
    await tx.commit();
    return result;
  } catch (error) {
    await tx.rollback().catch(() => {});
    throw asUnavailable(error);
  }
}
