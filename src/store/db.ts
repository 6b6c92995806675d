/**
 * Opening Loupe's SQLite database: WAL mode (readers never block the writer), foreign keys on,
 * a busy timeout so that two processes wait for each other instead of failing, and every pending
 * migration applied before the connection is handed out.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Open without applying migrations (for tools that only read). */
  readonly?: boolean;
  /** How long a write waits for another process's lock before failing, in ms. */
  busyTimeoutMs?: number;
  /** Migrations to apply; defaults to Loupe's own. */
  migrations?: readonly Migration[];
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  if (!options.readonly) migrate(db, options.migrations ?? MIGRATIONS);
  return db;
}

/** A database whose schema a newer Loupe migrated: this one's statements may not fit its tables. */
export class NewerSchemaError extends Error {
  constructor(file: string, version: number, name: string, known: number) {
    super(
      `the database ${file}: its schema is at migration ${version} ("${name}"), made by a newer Loupe; this Loupe knows migrations up to ${known}: run the newer Loupe, or point LOUPE_HOME at another home`,
    );
    this.name = 'NewerSchemaError';
  }
}

/** Applies every migration not yet applied, in version order; returns the versions applied now. */
export function migrate(db: Db, migrations: readonly Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  // A newer Loupe's schema may have changed what this one reads and writes: refuse rather than guess (as PostgreSQL's
  // store does, postgres/connect.ts).
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const newest = db
    .prepare('SELECT version, name FROM schema_migrations WHERE version > ? ORDER BY version DESC LIMIT 1')
    .get(known) as { version: number; name: string } | undefined;
  if (newest) throw new NewerSchemaError(db.name, newest.version, newest.name, known);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const pending = [...migrations].filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of pending) {
    // IMMEDIATE takes the write lock first, so two processes starting at once apply each migration once.
    db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
      if (again) return;
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    }).immediate();
  }
  return pending.map((m) => m.version);
}

/** Runs `fn` in an IMMEDIATE transaction (the write lock taken first), or as a savepoint inside the caller's open one. */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  const tx = db.transaction(fn);
  return db.inTransaction ? tx() : tx.immediate();
}

/**
 * A write transaction that stays open across awaits (better-sqlite3's own cannot span one): BEGIN IMMEDIATE now,
 * then exactly one of commit() or rollback(). Nothing else may use the connection until then.
 */
export interface OpenTransaction {
  commit(): void;
  rollback(): void;
}

export function beginWrite(db: Db): OpenTransaction {
  db.exec('BEGIN IMMEDIATE');
  return {
    commit: () => db.exec('COMMIT'),
    // SQLite ends the transaction itself on some errors (a full disk: SQLITE_FULL); a ROLLBACK then would throw
    // "cannot rollback - no transaction is active" and hide the error that matters.
    rollback: () => {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
  };
}

/** Sets SQLite's page cache (pages, or KiB when negative) and returns the previous setting. */
export function setCacheSize(db: Db, size: number): number {
  const previous = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${size}`);
  return previous;
}

/**
 * How long (ms) a write made on the thread that answers requests waits for another connection's lock. Such a write
 * (stored valuations, the request log, when no writer thread takes them) blocks the whole thread while it waits, and
 * the lock may be held by an ingestion on this same thread, whose transaction stays open across awaits and cannot
 * end while the thread waits: with the default 10 s, a test server stood still for 10 s per flush (50 s in one CI
 * run). Its callers keep the rows and try again at their next flush.
 */
export const EVENT_LOOP_BUSY_MS = 25;

/** Runs `fn` with a different busy timeout (how long a write waits for another's lock), restoring it after. */
export function withBusyTimeout<T>(db: Db, ms: number, fn: () => T): T {
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${ms}`);
  try {
    return fn();
  } finally {
    db.pragma(`busy_timeout = ${previous}`);
  }
}

/** A check that the database answers, prepared once (readiness probes call it often); throws when it does not. */
export function databasePing(db: Db): () => void {
  const ping = db.prepare('SELECT 1 AS one');
  return () => {
    ping.get();
  };
}

/** Every known migration and when it was applied to this database (null: pending). */
export function sqliteMigrationStatus(
  db: Db,
  migrations: readonly Migration[] = MIGRATIONS,
): { version: number; name: string; appliedAt: string | null }[] {
  const present = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  const applied = new Map<number, string>(
    present
      ? (
          db.prepare('SELECT version, applied_at FROM schema_migrations').all() as {
            version: number;
            applied_at: string;
          }[]
        ).map((r) => [r.version, r.applied_at])
      : [],
  );
  const listed = [...migrations]
    .sort((a, b) => a.version - b.version)
    .map((m) => ({ version: m.version, name: m.name, appliedAt: applied.get(m.version) ?? null }));
  // Applied by a newer Loupe (this one refuses to open such a schema for writing): listed with the name it recorded.
  const known = new Set(migrations.map((m) => m.version));
  const later = present
    ? (
        db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
          version: number;
          name: string;
          applied_at: string;
        }[]
      ).filter((r) => !known.has(r.version))
    : [];
  return [...listed, ...later.map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at }))];
}
