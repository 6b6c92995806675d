/**
 * What one /metrics scrape asks of the database, whatever is stored: the same few rows of running totals, never a
 * row per ingested file or pipeline run (each stone recorded in the app is a file of its own), and no statement
 * that reads the files or runs themselves. The figures still equal a full recount of the files and runs after two
 * `loupe ingest` processes stored files at the same time (repeating each other's stones, so which one is a
 * duplicate depends on their order) and runs were started, finished and interrupted. On SQLite (a wrapper around
 * the connection records what the store reads) and on a real PostgreSQL holding a copy (a wrapper around the pool).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { REASON_CODES } from '../../src/diamond/index.js';
import { RUN_DURATION_BUCKETS, type OperationsCounts } from '../../src/store/operations.js';
import { sqlitePipelineStore, type PipelineStore } from '../../src/store/pipeline-store.js';
import { openPostgres } from '../../src/store/postgres/connect.js';
import { copySqliteToPostgres } from '../../src/store/postgres/copy.js';
import { postgresPipelineStore } from '../../src/store/postgres/pipeline.js';
import { postgresStore } from '../../src/store/postgres/store.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { cliArgv } from '../helpers/cli-js.js';
import { recordingDb, recordingPool, type Read } from '../helpers/recording-store.js';
import {
  recount,
  RECOUNT_FILES_SQL,
  RECOUNT_RUNS_SQL,
  type RecountFile,
  type RecountRun,
} from '../helpers/operations-recount.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { testApp, testHome, type TestApp, type TestHome } from './helpers.js';

/** The value of one series of a scrape (a line `name{labels} value`). */
const seriesValue = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const REFERENCE_ROWS = readFileSync(loupePaths().referenceData, 'utf8').trim().split('\n');
let made = 0;

/**
 * `n` CSV files of three rows each: a stone of its own (a reference stone at a price no other has), a carat out of
 * range, and a stone every `batch` shares with the other process's file of the same number (one of the two is a
 * duplicate, whichever is stored second).
 */
function csvFiles(dir: string, batch: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const k = made++;
    const own = REFERENCE_ROWS[1 + (k % 4000)].split(',');
    own[6] = String(20_000 + k);
    const shared = REFERENCE_ROWS[4001 + (i % 900)].split(',');
    shared[6] = String(100_000 + i);
    const file = join(dir, `${batch}-${i}.csv`);
    writeFileSync(
      file,
      `${REFERENCE_ROWS[0]}\n${own.join(',')}\n90,Ideal,E,VS1,61.5,55,3000,6.1,6.1,3.8\n${shared.join(',')}\n`,
    );
    return file;
  });
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (backend) => {
  let home: TestHome;
  let t: TestApp;
  let store: Store;
  let runs: PipelineStore;
  let pool: pg.Pool | undefined;
  let server: TestPostgres | undefined;
  let databaseUrl: string | undefined;
  let dir: string;
  const reads: Read[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loupe-metrics-bounds-'));
    home = await testHome();
    if (backend === 'postgres') {
      server = await startPostgres();
      databaseUrl = server.newDatabase('metrics_bounds');
      pool = await openPostgres(databaseUrl);
      await copySqliteToPostgres(home.db, pool);
      store = postgresStore(recordingPool(pool, reads), { home: home.dir });
      runs = postgresPipelineStore(pool, { home: home.dir });
    } else {
      store = sqliteStore(recordingDb(home.db, reads));
      runs = sqlitePipelineStore(home.db);
    }
    t = await testApp(home, { store });
  }, 120_000);
  afterAll(async () => {
    await t?.app.close();
    if (backend === 'postgres') await store?.close();
    server?.stop();
    home?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async (): Promise<OperationsCounts> => {
    const sql = async <R>(text: string) =>
      pool ? (await pool.query(text)).rows : (home.db.prepare(text).all() as R[]);
    return recount(await sql<RecountFile>(RECOUNT_FILES_SQL), await sql<RecountRun>(RECOUNT_RUNS_SQL));
  };

  /** Two `loupe ingest` processes at once, `n` files each, on the same database. */
  const ingestConcurrently = async (n: number) => {
    const batches = ['a', 'b'].map((b) => csvFiles(dir, `${made}-${b}`, n));
    const env = { ...process.env, LOUPE_HOME: home.dir, LOUPE_DATABASE_URL: databaseUrl ?? '' };
    const codes = await Promise.all(
      batches.map(
        (files) =>
          new Promise<[number | null, string]>((resolve) => {
            const child = spawn(process.execPath, cliArgv('ingest', ...files), { env, stdio: 'pipe' });
            let out = '';
            child.stdout.on('data', (d) => (out += d));
            child.stderr.on('data', (d) => (out += d));
            child.on('exit', (code) => resolve([code, out]));
          }),
      ),
    );
    for (const [code, out] of codes) expect(code, out).toBe(0);
  };

  /** One scrape: its text and what it read from the database. */
  const scrape = async () => {
    reads.length = 0;
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return { text: res.body, reads: [...reads] };
  };

  const expectTruth = async (text: string) => {
    const truth = await stored();
    expect(await store.operationsCounts()).toEqual(truth);
    expect(seriesValue(text, 'loupe_ingestion_accepted_rows_total')).toBe(truth.acceptedRows);
    for (const [reason, n] of Object.entries(truth.rejectedRows))
      expect(seriesValue(text, `loupe_ingestion_rejected_rows_total{reason="${reason}"}`), reason).toBe(n);
    for (const r of truth.runs)
      expect(seriesValue(text, `loupe_pipeline_runs_total{outcome="${r.status}"}`), r.status).toBe(r.runs);
    return truth;
  };

  it('reports exactly what a recount finds, after two processes ingested at once and runs came and went', async () => {
    await ingestConcurrently(12);
    const finished = await runs.startRun();
    await runs.finishRun(finished, 'succeeded', { decision: 'kept the champion' });
    await runs.finishRun(await runs.startRun(), 'failed', { error: 'planted' });
    await runs.startRun(); // still running: not counted
    const running = await runs.startRun();
    expect(await runs.markInterrupted()).toBe(2);
    // A run finished again (a slow process whose run another marked interrupted): it moves from one outcome to another.
    await runs.finishRun(running, 'nothing_to_do', {});
    const truth = await expectTruth((await scrape()).text);
    expect(truth.rejectedRows.duplicate).toBeGreaterThanOrEqual(12);
    expect(truth.runs.map((r) => r.runs)).toEqual([1, 1, 1, 1]);
  }, 120_000);

  it('reads the same few rows of totals however many files and runs are stored', async () => {
    const before = await scrape();
    const acceptedBefore = (await stored()).acceptedRows;
    await ingestConcurrently(150);
    for (let i = 0; i < 30; i++) await runs.finishRun(await runs.startRun(), 'nothing_to_do', {});
    const after = await scrape();
    expect((await stored()).acceptedRows).toBeGreaterThan(acceptedBefore);

    const rows = (s: { reads: Read[] }) => s.reads.reduce((n, r) => n + r.rows, 0);
    expect(after.reads.length).toBe(before.reads.length);
    expect(rows(after)).toBe(rows(before));
    // At most a row per reason code and accepted, and per outcome and duration bucket.
    expect(rows(after)).toBeLessThanOrEqual(REASON_CODES.length + 1 + 4 * (RUN_DURATION_BUCKETS.length + 1) + 1);
    // None of the statements reads the files or the runs themselves.
    for (const r of after.reads) expect(r.sql).not.toMatch(/\b(files|pipeline_runs)\b/);
    if (backend === 'sqlite')
      for (const r of after.reads) {
        const plan = home.db.prepare(`EXPLAIN QUERY PLAN ${r.sql}`).all(...r.args) as { detail: string }[];
        for (const step of plan) expect(step.detail, r.sql).not.toMatch(/\b(files|pipeline_runs|diamonds|rejects)\b/);
      }
    await expectTruth(after.text);
  }, 180_000);
});
