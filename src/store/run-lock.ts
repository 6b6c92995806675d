/**
 * The pipeline_lock table (migration 11): at most one row, the holder of the pipeline's run lock. The policy —
 * who may take over whose lock — is the pipeline's (src/pipeline/lock.ts); this module reads and writes the row,
 * taking it in one IMMEDIATE transaction so that two processes can never both hold it.
 */
import type { Db } from './db.js';

export interface LockRecord {
  pid: number;
  host: string;
  token: string;
  purpose: string;
  acquiredAt: string;
  heartbeatAt: string;
}

interface LockRow {
  pid: number;
  host: string;
  token: string;
  purpose: string;
  acquired_at: string;
  heartbeat_at: string;
}

const toRecord = (r: LockRow): LockRecord => ({
  pid: r.pid,
  host: r.host,
  token: r.token,
  purpose: r.purpose,
  acquiredAt: r.acquired_at,
  heartbeatAt: r.heartbeat_at,
});

export function readRunLock(db: Db): LockRecord | undefined {
  const row = db.prepare('SELECT * FROM pipeline_lock WHERE id = 1').get() as LockRow | undefined;
  return row && toRecord(row);
}

/**
 * In one IMMEDIATE transaction: reads the current holder, lets `check` refuse (by throwing) while it still holds
 * the lock, and otherwise writes the new holder (made once the write lock is held) in its place. Returns the
 * holder replaced, if any.
 */
export function takeRunLock(
  db: Db,
  holder: () => LockRecord,
  check: (current: LockRecord) => void,
): LockRecord | undefined {
  return db
    .transaction((): LockRecord | undefined => {
      const current = readRunLock(db);
      if (current) check(current);
      const next = holder();
      db.prepare(
        `INSERT INTO pipeline_lock (id, pid, host, token, purpose, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, token = excluded.token,
         purpose = excluded.purpose, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
      ).run(next.pid, next.host, next.token, next.purpose, next.acquiredAt, next.heartbeatAt);
      return current;
    })
    .immediate();
}

/** Records a heartbeat of the holder with this token; false when the lock is no longer theirs. */
export function heartbeatRunLock(db: Db, token: string, at: string): boolean {
  return db.prepare('UPDATE pipeline_lock SET heartbeat_at = ? WHERE id = 1 AND token = ?').run(at, token).changes > 0;
}

/** Frees the lock if the holder with this token still has it. */
export function releaseRunLock(db: Db, token: string): void {
  db.prepare('DELETE FROM pipeline_lock WHERE id = 1 AND token = ?').run(token);
}
