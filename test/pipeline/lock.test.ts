import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, LockBusyError, lockHolder, waitForLock } from '../../src/pipeline/lock.js';
import { openDatabase, type Db } from '../../src/store/db.js';

const dirs: string[] = [];
function db(): { a: Db; b: Db } {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-lock-test-'));
  dirs.push(dir);
  const file = join(dir, 'loupe.db');
  return { a: openDatabase(file), b: openDatabase(file) };
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** The PID of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('the pipeline lock', () => {
  it('is held by one connection at a time; the second is refused with the holder named', () => {
    const { a, b } = db();
    const lock = acquireLock(a, 'pipeline run');
    expect(() => acquireLock(b, 'bootstrap')).toThrow(LockBusyError);
    expect(() => acquireLock(b, 'bootstrap')).toThrow(new RegExp(`pipeline run by PID ${process.pid}`));
    lock.release();
    const again = acquireLock(b, 'bootstrap');
    expect(lockHolder(a)?.purpose).toBe('bootstrap');
    again.release();
    expect(lockHolder(a)).toBeUndefined();
  });

  it('is taken over from a holder whose process is dead', () => {
    const { a, b } = db();
    const now = new Date().toISOString();
    const pid = deadPid();
    a.prepare(
      'INSERT INTO pipeline_lock (id, pid, host, token, purpose, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?, ?)',
    ).run(pid, hostname(), 'old', 'pipeline run', now, now);
    expect(lockHolder(b)?.stale).toBe(true);
    const lock = acquireLock(b, 'pipeline run');
    expect(lock.tookOverFrom?.pid).toBe(pid);
    lock.release();
  });

  it('is taken over from a silent holder on another host after staleMs, not before', () => {
    const { a, b } = db();
    const old = new Date(Date.now() - 60_000).toISOString();
    a.prepare(
      'INSERT INTO pipeline_lock (id, pid, host, token, purpose, acquired_at, heartbeat_at) VALUES (1, 1, ?, ?, ?, ?, ?)',
    ).run('other-host', 'old', 'pipeline run', old, old);
    expect(() => acquireLock(b, 'x', { staleMs: 120_000 })).toThrow(LockBusyError);
    acquireLock(b, 'x', { staleMs: 30_000 }).release();
  });

  it('heartbeat fails loudly once the lock was taken over; waitForLock waits for a release', async () => {
    const { a, b } = db();
    const lock = acquireLock(a, 'first');
    a.prepare("UPDATE pipeline_lock SET token = 'someone-else'").run();
    expect(() => lock.heartbeat()).toThrow(/taken over/);
    a.prepare('DELETE FROM pipeline_lock').run();
    const held = acquireLock(a, 'first');
    setTimeout(() => held.release(), 300);
    const t0 = Date.now();
    const second = await waitForLock(b, 'second', { pollMs: 50, timeoutMs: 5000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    second.release();
    const third = acquireLock(a, 'third');
    await expect(waitForLock(b, 'fourth', { pollMs: 20, timeoutMs: 100 })).rejects.toThrow(LockBusyError);
    third.release();
  });
});
