/**
 * The running totals /metrics reads (SQLite's migration 31, PostgreSQL's 4): a database made before them gets them
 * filled from the files and runs it already holds, and the triggers keep them equal to a full recount as files are
 * stored and runs finish — one finished twice, one of no readable duration — afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { ingestInto } from '../../src/ingest/index.js';
import { openDatabase } from '../../src/store/db.js';
import { sqliteIngestTarget } from '../../src/store/ingest-target.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { operationsCounts } from '../../src/store/operations.js';
import { sqlitePipelineStore, type PipelineStore } from '../../src/store/pipeline-store.js';
import { migratePostgres, openPostgres } from '../../src/store/postgres/connect.js';
import { postgresIngestTarget } from '../../src/store/postgres/ingest.js';
import { postgresPipelineStore } from '../../src/store/postgres/pipeline.js';
import { PG_MIGRATIONS } from '../../src/store/postgres/schema.js';
import { postgresStore } from '../../src/store/postgres/store.js';
import type { IngestTarget } from '../../src/store/ingest-target.js';
import type { OperationsCounts } from '../../src/store/operations.js';
import {
  recount,
  RECOUNT_FILES_SQL,
  RECOUNT_RUNS_SQL,
  type RecountFile,
  type RecountRun,
} from '../helpers/operations-recount.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

let dir: string;
let fresh: string;
let server: TestPostgres | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-operations-totals-'));
  fresh = join(dir, 'fresh.csv');
  writeFileSync(
    fresh,
    'carat,cut,color,clarity,depth,table,price,x,y,z\n' +
      '0.5,Ideal,E,VS1,61.5,55,1600,5.1,5.13,3.15\n' +
      '0.5,Ideal,E,VS1,61.5,55,1600,5.1,5.13,3.15\n' + // a duplicate
      '90,Ideal,E,VS1,61.5,55,3000,6.1,6.1,3.8\n', // out of range
  );
});
afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Stores files and runs of every kind, through the code that writes them. */
async function write(target: IngestTarget, runs: PipelineStore, file: string): Promise<void> {
  expect((await ingestInto(target, file)).status).toBe('ingested');
  await runs.finishRun(await runs.startRun(), 'succeeded', { decision: 'promoted' });
  await runs.finishRun(await runs.startRun(), 'failed', { error: 'planted' });
  await runs.startRun();
  expect(await runs.markInterrupted()).toBe(1);
}

/** Each outcome with at least one run, and what the recount found: the totals are to equal it. */
const expectEqual = (totals: OperationsCounts, truth: OperationsCounts) => {
  expect(totals).toEqual(truth);
  expect(truth.acceptedRows).toBeGreaterThan(0);
  expect(truth.rejectedRows.duplicate).toBeGreaterThan(0);
};

describe('on SQLite', () => {
  it('fills the totals of a database made before migration 31, and keeps them after', async () => {
    const file = join(dir, 'before.db');
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < 31) });
    await write(sqliteIngestTarget(before), sqlitePipelineStore(before), loupePaths().referenceData);
    before.close();

    const db = openDatabase(file);
    const truth = () => {
      const runs = db.prepare(RECOUNT_RUNS_SQL).all() as RecountRun[];
      const all = recount(db.prepare(RECOUNT_FILES_SQL).all() as RecountFile[], runs);
      // A run whose times do not parse counts in no finite bucket and adds no seconds.
      const readable = recount(
        [],
        runs.filter((r) => !Number.isNaN(Date.parse(r.started_at))),
      );
      return { ...all, runs: all.runs.map((r, i) => ({ ...r, seconds: readable.runs[i].seconds })) };
    };
    try {
      expectEqual(operationsCounts(db), truth());
      const runs = sqlitePipelineStore(db);
      await write(sqliteIngestTarget(db), runs, fresh);
      // A run finished again moves to its new outcome.
      const again = await runs.startRun();
      await runs.finishRun(again, 'failed', { error: 'first' });
      await runs.finishRun(again, 'succeeded', {});
      db.prepare(
        "INSERT INTO pipeline_runs (started_at, finished_at, pid, status) VALUES ('?', '2026-12-07T00:00:00.000Z', 1, 'failed')",
      ).run();
      const counts = operationsCounts(db);
      expect(counts.runs.map((r) => [r.status, r.runs])).toEqual([
        ['succeeded', 3],
        ['nothing_to_do', 0],
        ['failed', 3],
        ['interrupted', 2],
      ]);
      expectEqual(counts, truth());
    } finally {
      db.close();
    }
  });
});

describe('on PostgreSQL', () => {
  it('fills the totals of a database made before schema 4, and keeps them after', async () => {
    server = await startPostgres();
    const pool = await openPostgres(server.newDatabase('totals'), { migrate: false });
    try {
      await migratePostgres(
        pool,
        PG_MIGRATIONS.filter((m) => m.version < 4),
      );
      const runs = postgresPipelineStore(pool, { home: dir });
      await write(postgresIngestTarget(pool), runs, loupePaths().referenceData);
      await migratePostgres(pool);
      const store = postgresStore(pool, { home: dir });
      const truth = async () =>
        recount(
          (await pool.query<RecountFile>(RECOUNT_FILES_SQL)).rows,
          (await pool.query<RecountRun>(RECOUNT_RUNS_SQL)).rows,
        );
      expectEqual(await store.operationsCounts(), await truth());
      await write(postgresIngestTarget(pool), runs, fresh);
      const again = await runs.startRun();
      await runs.finishRun(again, 'failed', { error: 'first' });
      await runs.finishRun(again, 'succeeded', {});
      expectEqual(await store.operationsCounts(), await truth());
    } finally {
      await pool.end();
    }
  }, 120_000);
});
