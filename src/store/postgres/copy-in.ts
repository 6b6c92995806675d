/**
 * `COPY table (columns) FROM STDIN` for a batch of rows already in memory: PostgreSQL's bulk path. The server
 * neither parses nor plans a statement per batch, reads no array literals, and inserts the rows many to a heap
 * page and a WAL record (heap_multi_insert) instead of one at a time. Measured on a test cluster with rows taken
 * from a benchmark home, 700 rows a batch (`bench/api.ts` explains the end-to-end figures): a stored valuation
 * 34–40 µs of the cluster's CPU instead of 71–85 with `INSERT … SELECT FROM unnest(…)`, a request-log row 12–15
 * instead of 34–37.
 *
 * The rows go as one CopyData message in COPY's text format, through the `pg` client's documented extension point
 * for custom queries (an object with `submit`, as pg-cursor and pg-query-stream use): the connection sends the
 * statement, PostgreSQL answers CopyInResponse, the rows and CopyDone follow, and ReadyForQuery ends it. A COPY is
 * one statement and so one transaction: all its rows are committed, or none.
 */
import type pg from 'pg';
import { asUnavailable, isConnectionError } from './connect.js';

/** The part of `pg`'s Connection a COPY uses. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

// PostgreSQL's text holds no NUL character (a request body may carry one, a client's ref too): it is stored as
// U+FFFD, where refusing it would stop the whole batch, and every batch after it, from being written.
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\uFFFD' };
const SPECIAL = /[\\\n\r\t\0]/;

/** A value in COPY's text format: NULL as \N, backslash and the separators escaped, NUL as U+FFFD, the rest as it is. */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const s = typeof value === 'string' ? value : String(value);
  return SPECIAL.test(s) ? s.replace(/[\\\n\r\t\0]/g, (c) => ESCAPES[c]) : s;
}

/** A value as PostgreSQL's text can hold it: NUL as U+FFFD (for the statements that are not a COPY). */
export const withoutNul = (value: unknown): unknown =>
  typeof value === 'string' && value.includes('\0') ? value.replace(/\0/g, '\uFFFD') : value;

/** The rows in COPY's text format: tab between columns, newline after each row. */
export function copyData(rows: readonly (readonly unknown[])[]): Buffer {
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) text += (i === 0 ? '' : '\t') + copyText(row[i]);
    text += '\n';
  }
  return Buffer.from(text, 'utf8');
}

/** One COPY … FROM STDIN as a query the `pg` client runs in its queue like any other. */
class CopyIn {
  readonly text: string;
  readonly #data: Buffer;
  #error: Error | undefined;
  #settled = false;
  callback: ((error?: Error) => void) | undefined;
  constructor(text: string, data: Buffer) {
    this.text = text;
    this.#data = data;
  }
  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.callback?.(this.#error);
  }
  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: CopyConnection): void {
    connection.sendCopyFromChunk(this.#data);
    connection.endCopyFrom();
  }
  /** The server refused it (or the connection ended): answered at once, as `pg`'s own queries are. */
  handleError(error: Error): void {
    this.#error ??= error;
    this.#settle();
  }
  handleReadyForQuery(): void {
    this.#settle();
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * Writes `rows` (values in the order of `columns`) into `table` with one COPY, on a connection of the pool (or the
 * client given, inside its transaction). A failed connection becomes DatabaseUnavailable; a refused row (a
 * duplicate key) rejects with PostgreSQL's error and writes nothing.
 */
export async function copyRows(
  on: pg.Pool | pg.PoolClient,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const copy = new CopyIn(`COPY ${ident(table)} (${columns.map(ident).join(', ')}) FROM STDIN`, copyData(rows));
  let client: pg.PoolClient;
  try {
    client = 'release' in on ? on : await on.connect();
  } catch (error) {
    throw asUnavailable(error);
  }
  let broken = false;
  try {
    await new Promise<void>((resolve, reject) => {
      copy.callback = (error) => (error ? reject(error) : resolve());
      // `pg` types query() for its own queries; an object with `submit` is accepted by the same method.
      void client.query(copy as unknown as pg.QueryConfig);
    });
  } catch (error) {
    broken = isConnectionError(error);
    throw asUnavailable(error);
  } finally {
    // A connection taken here goes back to the pool (closed if it failed); one given stays with the caller.
    if (on !== client) client.release(broken);
  }
}
