/**
 * One pipeline at a time: a lock row in the database (pipeline_lock, at most one row) naming its holder's
 * PID, host and a random token, with a heartbeat. Taking it is one IMMEDIATE transaction, so two processes can
 * never both hold it. A lock whose holder is dead (same host, PID gone) or silent for longer than `staleMs` is
 * taken over: a run killed with SIGKILL never blocks the next one.
 *
 * The heartbeat is written at each step boundary; training is synchronous and blocks the event loop, so the
 * staleness limit is generous (minutes) and the PID check is what frees the lock of a killed run at once.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../store/db.js';

export interface LockHolder {
  pid: number;
  host: string;
  purpose: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export class LockBusyError extends Error {
  constructor(readonly holder: LockHolder) {
    super(
      `another pipeline run holds the lock: ${holder.purpose} by PID ${holder.pid} on ${holder.host}, ` +
        `started ${holder.acquiredAt}, last heartbeat ${holder.heartbeatAt}; try again when it has finished`,
    );
    this.name = 'LockBusyError';
  }
}

export interface RunLock {
  readonly token: string;
  /** Whether the lock was taken over from a dead or silent holder (their run was interrupted). */
  readonly tookOverFrom: LockHolder | undefined;
  heartbeat(): void;
  release(): void;
}

export interface LockOptions {
  /** A holder silent for longer than this is presumed dead, in ms (default 15 minutes). */
  staleMs?: number;
  /**
   * How long to wait for SQLite's write lock while taking the run lock, ms (default: the connection's own).
   * waitForLock uses a short one and retries asynchronously: a connection of the same process that is inside
   * a write transaction across awaits (ingestion) can then finish, instead of the thread blocking on itself.
   */
  busyTimeoutMs?: number;
}

const DEFAULT_STALE_MS = 15 * 60_000;

interface LockRow {
  pid: number; host: string; token: string; purpose: string; acquired_at: string; heartbeat_at: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(r: LockRow): LockHolder {
  return { pid: r.pid, host: r.host, purpose: r.purpose, acquiredAt: r.acquired_at, heartbeatAt: r.heartbeat_at };
}

/** Whether a recorded holder can no longer be running. */
export function isStale(r: Pick<LockRow, 'pid' | 'host' | 'heartbeat_at'>, staleMs: number, now = Date.now()): boolean {
  if (r.host === hostname() && !alive(r.pid)) return true;
  return now - Date.parse(r.heartbeat_at) > staleMs;
}

/** Takes the lock or throws LockBusyError naming who holds it. */
export function acquireLock(db: Db, purpose: string, options: LockOptions = {}): RunLock {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const token = randomUUID();
  const previousTimeout = options.busyTimeoutMs === undefined ? undefined : (db.pragma('busy_timeout', { simple: true }) as number);
  if (options.busyTimeoutMs !== undefined) db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  let tookOverFrom: LockHolder | undefined;
  try {
    tookOverFrom = takeLock(db, purpose, token, staleMs);
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DatabaseBusyError();
    throw err;
  } finally {
    if (previousTimeout !== undefined) db.pragma(`busy_timeout = ${previousTimeout}`);
  }
  let held = true;
  return {
    token,
    tookOverFrom,
    heartbeat() {
      if (!held) return;
      const info = db.prepare('UPDATE pipeline_lock SET heartbeat_at = ? WHERE id = 1 AND token = ?').run(new Date().toISOString(), token);
      if (info.changes === 0) {
        held = false;
        throw new Error('the pipeline lock was taken over by another process (this run was silent for too long); stopping');
      }
    },
    release() {
      if (!held) return;
      held = false;
      db.prepare('DELETE FROM pipeline_lock WHERE id = 1 AND token = ?').run(token);
    },
  };
}

/** The database's write lock stayed busy while taking the run lock (another writer is mid-transaction). */
export class DatabaseBusyError extends Error {
  constructor() {
    super('the database is busy with another writer; try again');
    this.name = 'DatabaseBusyError';
  }
}

function takeLock(db: Db, purpose: string, token: string, staleMs: number): LockHolder | undefined {
  return db.transaction((): LockHolder | undefined => {
    const row = db.prepare('SELECT * FROM pipeline_lock WHERE id = 1').get() as LockRow | undefined;
    if (row && !isStale(row, staleMs)) throw new LockBusyError(holderOf(row));
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO pipeline_lock (id, pid, host, token, purpose, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, token = excluded.token,
         purpose = excluded.purpose, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
    ).run(process.pid, hostname(), token, purpose, now, now);
    return row ? holderOf(row) : undefined;
  }).immediate();
}

/** Waits for the lock (polling), up to `timeoutMs`; then throws LockBusyError. */
export async function waitForLock(
  db: Db,
  purpose: string,
  options: LockOptions & { timeoutMs?: number; pollMs?: number; onWait?(holder: LockHolder): void } = {},
): Promise<RunLock> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  let told = false;
  for (;;) {
    try {
      return acquireLock(db, purpose, { busyTimeoutMs: 50, ...options });
    } catch (err) {
      if (!(err instanceof LockBusyError || err instanceof DatabaseBusyError) || Date.now() > deadline) throw err;
      if (!told && err instanceof LockBusyError) {
        options.onWait?.(err.holder);
        told = true;
      }
      await sleep(options.pollMs ?? 200);
    }
  }
}

/** Who holds the lock now, if anyone (stale holders included, marked). */
export function lockHolder(db: Db, options: LockOptions = {}): (LockHolder & { stale: boolean }) | undefined {
  const row = db.prepare('SELECT * FROM pipeline_lock WHERE id = 1').get() as LockRow | undefined;
  return row && { ...holderOf(row), stale: isStale(row, options.staleMs ?? DEFAULT_STALE_MS) };
}
