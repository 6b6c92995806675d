/**
 * Writes made on the thread that answers requests (stored valuations, the request log, when no writer thread takes
 * them) wait only EVENT_LOOP_BUSY_MS for another connection's lock, not the connection's busy timeout: the lock may
 * be held by an ingestion on the same thread (its transaction spans awaits), which cannot end while the thread
 * waits. Here another process holds the lock for 2 s: a write that waited the busy timeout (10 s) would get it and
 * succeed; the bounded one fails with SQLITE_BUSY, and succeeds once the lock is gone. The purge of stored
 * valuations (a timer on the same thread) is bounded the same way, and lets the event loop run between statements.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { countValuations, purgeQuotes, quoteWriter, valuationWrite } from '../../src/store/quotes.js';
import { requestLogWriter } from '../../src/store/requests.js';
import { requestLogEntry } from '../helpers/request-log-entry.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-busy-'));
  db = openDatabase(join(dir, 'loupe.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Another process takes the write lock, says so, and releases it 2 s later; `exited`: its end. */
async function lockElsewhere(): Promise<{ exited: Promise<void> }> {
  const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]);
db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n');
setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, 2000);`;
  const child = spawn(process.execPath, ['-e', script, join(dir, 'loupe.db')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited ${code}`)))),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', () => reject(new Error('the lock holder ended before locking')));
  });
  return { exited };
}

const valuation = {
  id: 'val_busy',
  at: Date.UTC(2026, 11, 6),
  keyId: null,
  modelVersion: 'v0001',
  stone: '{"carat":0.5}',
  ref: null,
  answer: '{"price":1500}',
};
const entry = requestLogEntry({ requestId: 'req-1' });

describe('writes on the request thread', () => {
  it('fail fast while another connection holds the lock, keep the busy timeout, and go through after', async () => {
    const writeQuotes = quoteWriter(db);
    const writeRequests = requestLogWriter(db);
    const holder = await lockElsewhere();
    expect(() => writeQuotes([valuationWrite(valuation)])).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    expect(() => writeRequests([entry])).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    expect(db.pragma('busy_timeout', { simple: true })).toBe(10_000);
    await holder.exited;
    writeQuotes([valuationWrite(valuation)]);
    writeRequests([entry]);
    expect(countValuations(db)).toBe(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM request_log').get()).toEqual({ n: 1 });
  }, 30_000);

  it('purge stored valuations a statement at a time, failing fast on a lock held elsewhere', async () => {
    const DAY = 86_400_000;
    const old = Date.UTC(2026, 0, 1);
    const rows = Array.from({ length: 25 }, (_, i) => valuationWrite({ ...valuation, id: `val_${i}`, at: old + i }));
    const writeQuotes = quoteWriter(db);
    writeQuotes([...rows, valuationWrite({ ...valuation, id: 'val_new', at: old + 60 * DAY })]);
    const idempotent = db.prepare(
      "INSERT INTO idempotency_keys (key_id, route, idempotency_key, fingerprint, at, answer) VALUES (1, '/v1/valuations', ?, ?, ?, '{}')",
    );
    for (let i = 0; i < 12; i++) idempotent.run(`k${i}`, 'f'.repeat(64), old + i);

    const holder = await lockElsewhere();
    await expect(purgeQuotes(db, old + 30 * DAY, old + 30 * DAY, 10)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    expect(db.pragma('busy_timeout', { simple: true })).toBe(10_000);
    await holder.exited;

    // Ten rows a statement: the event loop runs before the purge is over (a callback queued after it starts).
    let loopRan = false;
    const purge = purgeQuotes(db, old + 30 * DAY, old + 30 * DAY, 10);
    setImmediate(() => {
      loopRan = true;
    });
    expect(await purge).toEqual({ valuations: 25, idempotency: 12 });
    expect(loopRan).toBe(true);
    expect(countValuations(db)).toBe(1);
  }, 30_000);
});
