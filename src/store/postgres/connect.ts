/**
 * Connecting to PostgreSQL (`pg` 8): a pool, its migrations applied under an advisory lock, and errors that say
 * what is wrong in words — with the connection URL's password replaced by *** wherever a URL is shown, since
 * these messages reach logs and terminals.
 */
import pg from 'pg';
import type { Migration } from '../migrations.js';
import { PG_MIGRATIONS } from './schema.js';
import { withTransaction } from './transaction.js';

/** Whether a LOUPE_DATABASE_URL names PostgreSQL (anything else keeps SQLite). */
export const isPostgresUrl = (url: string | undefined): url is string =>
  url !== undefined && /^postgres(ql)?:\/\//i.test(url.trim());

/**
 * The URL with its password (if any) replaced by ***: safe to log. `pg` reads a password in the query too
 * (`?password=`, libpq's form), so that one is hidden as well.
 */
export function redactUrl(url: string): string {
  let safe: string;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    safe = u.toString();
  } catch {
    // Not parseable as a URL: hide everything between "//user:" and "@".
    safe = url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
  return safe.replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** The database cannot be reached or refused us at start: a wrong URL, host, port, database or credentials. */
export class DatabaseConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseConfigError';
  }
}

import { DatabaseUnavailable } from '../store.js';

export { DatabaseUnavailable };

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/** Whether an error from `pg` means the connection failed (as opposed to a statement being refused). */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08') || e.code.startsWith('57P'))) return true;
  // "Query read timeout": the client gave up waiting for an answer (query_timeout), so the connection is not reused.
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i.test(
    e.message ?? '',
  );
}

/** Whether PostgreSQL cancelled a statement for running too long (statement_timeout) or for a lock (lock_timeout). */
const isStatementTimeout = (error: unknown): boolean => {
  const code = (error as { code?: string } | undefined)?.code;
  return code === '57014' || code === '55P03';
};

/**
 * Runs one statement on a pool or a client; a failed connection, or a statement PostgreSQL cancelled at the pool's
 * statement timeout, becomes DatabaseUnavailable (the API's 503). `timeoutMs`: how long to wait for the answer at
 * most (default: the pool's query timeout, if any), after which the connection is given up.
 */
export async function runQuery<R extends pg.QueryResultRow>(
  on: pg.Pool | pg.PoolClient,
  text: string,
  values: unknown[] = [],
  timeoutMs?: number,
): Promise<R[]> {
  try {
    if (timeoutMs === undefined) return (await on.query<R>(text, values)).rows;
    // `pg` reads query_timeout from a statement's config (its types name it only for the client's).
    return (await on.query<R>({ text, values, query_timeout: timeoutMs } as pg.QueryConfig)).rows;
  } catch (error) {
    throw asUnavailable(error, on);
  }
}

/** A failed connection or a statement cancelled for its time as DatabaseUnavailable; any other error as it is. */
export function asUnavailable(error: unknown, on?: pg.Pool | pg.PoolClient): unknown {
  // The wait for a connection ran out with every one of the pool's taken: the database may well be up and busy.
  if (on instanceof pg.Pool && /timeout exceeded when trying to connect/.test((error as Error)?.message ?? '')) {
    const max = on.options.max ?? 10;
    if (on.totalCount >= max)
      return new DatabaseUnavailable(
        `all ${max} connection(s) of this server's pool stayed in use for ${CONNECT_TIMEOUT_MS / 1000} s (slow statements, or a lock another session holds)`,
      );
  }
  if (isConnectionError(error))
    return new DatabaseUnavailable(`the database is not answering (${(error as Error).message})`);
  if (isStatementTimeout(error))
    return new DatabaseUnavailable(
      `the database did not finish in time (${(error as Error).message}): a lock another session holds, or a slow query`,
    );
  return error;
}

/** A start-up failure in words: which URL (password hidden), and what to check. */
export function describeConnectError(url: string, error: unknown): DatabaseConfigError {
  const e = error as { code?: string; message?: string };
  const where = redactUrl(url);
  const why =
    error instanceof DatabaseConfigError
      ? error.message
      : e.code === '28P01' || e.code === '28000'
        ? 'the user name or password was refused'
        : e.code === '3D000'
          ? 'that database does not exist (create it, or fix the name at the end of the URL)'
          : e.code === 'ECONNREFUSED'
            ? 'nothing accepts connections at that host and port (is PostgreSQL running?)'
            : e.code === 'ENOTFOUND'
              ? 'the host name does not resolve'
              : e.code === 'ERR_INVALID_URL'
                ? 'it is not a valid URL (postgres://user:password@host:port/database)'
                : /timeout exceeded when trying to connect|Connection terminated due to connection timeout/i.test(
                      e.message ?? '',
                    )
                  ? `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (is PostgreSQL at that host and port, and reachable?)`
                  : /Connection terminated unexpectedly/i.test(e.message ?? '')
                    ? "the server closed the connection without answering as PostgreSQL does (is that host and port a PostgreSQL server's?)"
                    : (e.message ?? String(error)).split(url).join(where);
  return new DatabaseConfigError(`cannot use the PostgreSQL database ${where}: ${why}`);
}

export interface PoolOptions {
  /** Connections at most (default 10). */
  max?: number;
  /**
   * How long one statement may run, in ms (default: no bound): PostgreSQL cancels it then (statement_timeout), a
   * lock wait included, and the client gives a connection up that has not answered 5 s after that.
   */
  statementTimeoutMs?: number;
  /** Called when an idle connection fails (PostgreSQL restarting): the pool replaces it on next use. */
  onIdleError?(error: Error): void;
}

/** How long connecting (or waiting for a connection of a full pool) may take, in ms. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Beyond the statement timeout, how long the client waits for PostgreSQL's own cancellation before giving up. */
const ANSWER_GRACE_MS = 5_000;

/** A pool whose BIGINTs read as numbers (Loupe's ids and counts stay far below 2^53). */
export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    ...(options.statementTimeoutMs === undefined
      ? {}
      : {
          statement_timeout: options.statementTimeoutMs,
          query_timeout: options.statementTimeoutMs + ANSWER_GRACE_MS,
        }),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener an idle connection's error (the server restarting) would end the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  // A connection in use fails too (its backend ended, a write to its socket refused with EPIPE mid-COPY): `pg` then
  // rejects the statement in progress, which surfaces as DatabaseUnavailable, and also emits 'error' on the client,
  // which would end the process where no one listens. Every client gets a listener for its whole life.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** An arbitrary constant naming Loupe's migration lock among the database's advisory locks ("Loupe" in ASCII). */
const MIGRATION_LOCK = 0x4c6f757065;

/**
 * Applies every migration not yet applied, in version order, each in its own transaction holding the migrations'
 * advisory lock and checking again, under it, that no one applied it meanwhile: a second process starting at once
 * waits, then finds it applied. Returns the versions applied.
 */
export async function migratePostgres(
  pool: pg.Pool,
  migrations: readonly Migration[] = PG_MIGRATIONS,
): Promise<number[]> {
  const lock = { lock: MIGRATION_LOCK };
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const [newest] = await withTransaction(
    pool,
    async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      return (
        await client.query<{ version: number; name: string }>(
          'SELECT version, name FROM schema_migrations WHERE version > $1 ORDER BY version DESC LIMIT 1',
          [known],
        )
      ).rows;
    },
    lock,
  );
  // A newer Loupe's schema may have changed what this one reads and writes: refuse rather than guess.
  if (newest)
    throw new DatabaseConfigError(
      `its schema is at migration ${newest.version} ("${newest.name}"), made by a newer Loupe; this Loupe knows migrations up to ${known}: run the newer Loupe, or point LOUPE_DATABASE_URL at another database`,
    );
  const applied: number[] = [];
  for (const m of [...migrations].sort((x, y) => x.version - y.version)) {
    const now = await withTransaction(
      pool,
      async (client) => {
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
        if (done.rows.length > 0) return false;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
        return true;
      },
      lock,
    );
    if (now) applied.push(m.version);
  }
  return applied;
}

export interface MigrationState {
  version: number;
  name: string;
  appliedAt: string | null;
}

/** Every known migration and when it was applied (null: pending). */
export async function postgresMigrationStatus(
  pool: pg.Pool,
  migrations: readonly Migration[] = PG_MIGRATIONS,
): Promise<MigrationState[]> {
  const exists = await pool.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  const applied = new Map<number, string>();
  if (exists.rows[0].present) {
    const rows = await pool.query<{ version: number; applied_at: string }>(
      'SELECT version, applied_at FROM schema_migrations',
    );
    for (const r of rows.rows) applied.set(r.version, r.applied_at);
  }
  const states = migrations.map((m) => ({
    version: m.version,
    name: m.name,
    appliedAt: applied.get(m.version) ?? null,
  }));
  // Applied by a newer Loupe (this one refuses to run on such a schema): listed with the name it recorded.
  if (exists.rows[0].present) {
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newer = await pool.query<MigrationState>(
      'SELECT version, name, applied_at AS "appliedAt" FROM schema_migrations WHERE version > $1 ORDER BY version',
      [known],
    );
    states.push(...newer.rows);
  }
  return states;
}

/**
 * Opens a pool on `url`, checks that it answers (a clear DatabaseConfigError when not) and applies pending
 * migrations unless told not to.
 */
export async function openPostgres(url: string, options: PoolOptions & { migrate?: boolean } = {}): Promise<pg.Pool> {
  const pool = createPool(url, options);
  try {
    await pool.query('SELECT 1');
    if (options.migrate ?? true) await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw describeConnectError(url, error);
  }
  return pool;
}
