/**
 * PostgreSQL going away in the middle of a command (`loupe ingest`, `loupe pipeline run`): one line saying the
 * database stopped answering (exit 1), not a stack trace, nothing half-written, and the next run works. The
 * connection is ended by the database itself at a chosen statement — a trigger that terminates its own session —
 * so the loss comes at the same point every time, inside the transaction that stores a file or registers a model.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/postgres/connect.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { PG_PASSWORD, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { smallReference } from '../helpers/small-data.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-database-lost-'));
let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Makes every INSERT into `table` end the session that runs it (as a server restarting would, mid-statement). */
async function vanishOnInsert(pool: pg.Pool, table: string): Promise<void> {
  await pool.query(`CREATE OR REPLACE FUNCTION loupe_test_vanish() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(60); RETURN NULL; END $$`);
  await pool.query(
    `CREATE TRIGGER vanish BEFORE INSERT ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION loupe_test_vanish()`,
  );
}

const count = async (pool: pg.Pool, table: string) =>
  (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

describe('the database lost in the middle of a command', () => {
  it('`loupe ingest`: one line, exit 1, nothing of the file stored', async () => {
    const url = server.newDatabase('ingest');
    const pool = await openPostgres(url);
    await vanishOnInsert(pool, 'files');
    const file = join(dir, 'batch.csv');
    copyFileSync(smallReference(), file);
    const r = await loupeInProcess(['ingest', file, '--home', join(dir, 'ingest-home')], {
      LOUPE_DATABASE_URL: url,
      LOG_LEVEL: 'silent',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^loupe: the database is not answering \([^\n]+\)\n$/);
    expect(r.out).not.toContain(PG_PASSWORD);
    expect(await count(pool, 'files')).toBe(0);
    expect(await count(pool, 'diamonds')).toBe(0);
    await pool.end();
  }, 60_000);

  it('`loupe pipeline run` while registering: one line, exit 1, no model; the next run completes the work', async () => {
    const url = server.newDatabase('pipeline');
    const home = join(dir, 'pipeline-home');
    const env = { LOUPE_DATABASE_URL: url, LOG_LEVEL: 'silent' };
    const run = () =>
      loupeInProcess(
        ['pipeline', 'run', '--home', home, '--data', smallReference(), '--kinds', 'hedonic', '--trials', '1'],
        env,
      );
    const pool = await openPostgres(url);
    await vanishOnInsert(pool, 'models');
    const lost = await run();
    expect(lost.status).toBe(1);
    expect(lost.stderr).toMatch(/^loupe: the database is not answering \([^\n]+\)\n$/);
    expect(await count(pool, 'models')).toBe(0);
    await pool.query('DROP TRIGGER vanish ON models');
    const next = await run();
    expect(next.status).toBe(0);
    const runs = await loupeInProcess(['pipeline', 'runs', '--home', home, '--json'], env);
    // The lost connection was the registering one: the run's record, on another, says why it failed.
    expect(JSON.parse(runs.stdout)).toMatchObject([
      { status: 'succeeded' },
      { status: 'failed', error: expect.stringMatching(/^the database is not answering/) },
    ]);
    expect(await count(pool, 'models')).toBeGreaterThan(0);
    await pool.end();
  }, 120_000);
});
