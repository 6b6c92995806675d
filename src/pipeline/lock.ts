/**
 * One pipeline at a time: a lock row in the database (pipeline_lock, at most one row) naming its holder's
 * PID, host and a random token, with a heartbeat. Taking it is one IMMEDIATE transaction, so two processes can
 * never both hold it. A lock whose holder is dead (same host, PID gone) or silent for longer than `staleMs` is
 * taken over: a run killed with SIGKILL never blocks the next one.
 *
 * On PostgreSQL (several hosts) the lock is a session-level advisory lock instead (acquireRunLock below): the
 * database frees it when the holder's connection ends, however the process ended and on whichever host.
 *
 * The heartbeat is written at each step boundary; training is synchronous and blocks the event loop, so the
 * staleness limit is generous (minutes) and the PID check is what frees the lock of a killed run at once.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { withBusyTimeout, type Db } from '../store/db.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { heartbeatRunLock, readRunLock, releaseRunLock, takeRunLock, type LockRecord } from '../store/run-lock.js';

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
  /** Frees the lock (synchronous on SQLite; on PostgreSQL it resolves once the session's lock is given back). */
  release(): void | Promise<void>;
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

/**
 * The tokens of the locks this process holds now. A row naming this process under another token belongs to one of
 * its runs that has ended without deleting it (on a full disk even a DELETE needs space): stale, not busy, or a
 * `--watch` process would wait on itself.
 */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(r: LockRecord): LockHolder {
  return { pid: r.pid, host: r.host, purpose: r.purpose, acquiredAt: r.acquiredAt, heartbeatAt: r.heartbeatAt };
}

/** Whether a recorded holder can no longer be running. */
export function isStale(
  r: Pick<LockRecord, 'pid' | 'host' | 'token' | 'heartbeatAt'>,
  staleMs: number,
  now = Date.now(),
): boolean {
  if (r.host === hostname() && r.pid === process.pid) return !heldHere.has(r.token);
  if (r.host === hostname() && !alive(r.pid)) return true;
  return now - Date.parse(r.heartbeatAt) > staleMs;
}

/** Takes the lock or throws LockBusyError naming who holds it. */
export function acquireLock(db: Db, purpose: string, options: LockOptions = {}): RunLock {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const token = randomUUID();
  let tookOverFrom: LockHolder | undefined;
  try {
    tookOverFrom =
      options.busyTimeoutMs === undefined
        ? takeLock(db, purpose, token, staleMs)
        : withBusyTimeout(db, options.busyTimeoutMs, () => takeLock(db, purpose, token, staleMs));
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DatabaseBusyError();
    throw err;
  }
  let held = true;
  heldHere.add(token);
  return {
    token,
    tookOverFrom,
    heartbeat() {
      if (!held) return;
      if (!heartbeatRunLock(db, token, new Date().toISOString())) {
        held = false;
        heldHere.delete(token);
        throw new Error(
          'the pipeline lock was taken over by another process (this run was silent for too long); stopping',
        );
      }
    },
    release() {
      if (!held) return;
      held = false;
      heldHere.delete(token);
      releaseRunLock(db, token);
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
  const holder = () => {
    const now = new Date().toISOString();
    return { pid: process.pid, host: hostname(), token, purpose, acquiredAt: now, heartbeatAt: now };
  };
  const previous = takeRunLock(db, holder, (current) => {
    if (!isStale(current, staleMs)) throw new LockBusyError(holderOf(current));
  });
  return previous && holderOf(previous);
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
  const row = readRunLock(db);
  return row && { ...holderOf(row), stale: isStale(row, options.staleMs ?? DEFAULT_STALE_MS) };
}

/**
 * Takes the run lock of a pipeline store or throws LockBusyError: SQLite's lease row (acquireLock), or
 * PostgreSQL's session-level advisory lock, whose holder is read from pipeline_lock to say who has it.
 */
export async function acquireRunLock(
  store: PipelineStore,
  purpose: string,
  options: LockOptions = {},
): Promise<RunLock> {
  if (store.sqlite) return acquireLock(store.sqlite, purpose, options);
  if (!store.trySessionLock) throw new Error(`the ${store.backend} store has no run lock`);
  const token = randomUUID();
  const now = new Date().toISOString();
  const taken = await store.trySessionLock({
    pid: process.pid,
    host: hostname(),
    token,
    purpose,
    acquiredAt: now,
    heartbeatAt: now,
  });
  if ('busy' in taken) {
    // The holder's row is written just after its lock is taken: in that instant it may not be there yet.
    const holder = taken.busy ?? (await store.readRunLock());
    throw holder ? new LockBusyError(holderOf(holder)) : new DatabaseBusyError();
  }
  const held = taken.held;
  return {
    token,
    tookOverFrom: held.previous && holderOf(held.previous),
    // The database holds the lock for as long as the session lives: nothing to renew, nothing to take over.
    heartbeat() {},
    release: () => held.release(),
  };
}

/** waitForLock for a pipeline store: polls acquireRunLock up to `timeoutMs`, then throws LockBusyError. */
export async function waitForRunLock(
  store: PipelineStore,
  purpose: string,
  options: LockOptions & { timeoutMs?: number; pollMs?: number; onWait?(holder: LockHolder): void } = {},
): Promise<RunLock> {
  if (store.sqlite) return waitForLock(store.sqlite, purpose, options);
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  let told = false;
  for (;;) {
    try {
      return await acquireRunLock(store, purpose, options);
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
