/**
 * What every JSON page of GET /v1/appraisals answers beside its rows, whatever is recorded: who recorded how many and
 * the total of all (or of one recorder) come from the recorders' totals (SQLite's migration 32, PostgreSQL's 5: a row
 * per recorder, kept by triggers), equal to a count of the stored rows for a database made before them and after
 * more submissions; and which model learned from them is counted once per model, not on each page.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestInto } from '../../src/ingest/index.js';
import { countRecordedQuery } from '../../src/store/appraisals.js';
import { openDatabase } from '../../src/store/db.js';
import type { IngestTarget } from '../../src/store/ingest-target.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { migratePostgres, openPostgres } from '../../src/store/postgres/connect.js';
import { PG_MIGRATIONS } from '../../src/store/postgres/schema.js';
import { postgresStore } from '../../src/store/postgres/store.js';
import { RECORDERS_SQL } from '../../src/store/recorder-totals.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { recordingDb, recordingPool, type Read } from '../helpers/recording-store.js';

const HEADER = 'carat,cut,color,clarity,depth,table,price,x,y,z';
const stone = (price: number, cut = 'Ideal') => `0.5,${cut},E,VS1,61.5,55,${price},5.1,5.13,3.15`;
const outOfRange = (price: number) => `90,Ideal,E,VS1,61.5,55,${price},6.1,6.1,3.8`;

let dir: string;
let made = 0;
let server: TestPostgres | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-recorded-totals-'));
});
afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Submissions by three people: stones, a repeat, a file of rejected rows only (its sender recorded nothing). */
async function record(target: () => IngestTarget, base: number): Promise<void> {
  const files: [string, string[]][] = [
    ['Giulia', [stone(base + 1), stone(base + 2, 'Good'), stone(base + 1)]],
    ['Marco', [stone(base + 3), outOfRange(base)]],
    ['Giulia', [stone(base + 4, 'Good')]],
    [`Nobody ${base}`, [outOfRange(base)]],
  ];
  for (const [who, rows] of files) {
    const file = join(dir, `s${made++}.csv`);
    writeFileSync(file, `${HEADER}\n${rows.join('\n')}\n`);
    const at = new Date(Date.UTC(2026, 11, 1) + made * 60_000).toISOString();
    const kind = rows.length === 1 ? 'stone' : 'upload';
    const summary = await ingestInto(target(), file, { submission: { kind, recordedBy: who, recordedAt: at } });
    expect(summary.status).toBe('ingested');
  }
}

/** The recorders and totals counted from the stored rows, as every page did before the totals. */
const COUNTED_RECORDERS = `SELECT s.recorded_by AS name, count(d.id) AS appraisals
  FROM submissions s JOIN diamonds d ON d.file_id = s.file_id GROUP BY s.recorded_by ORDER BY s.recorded_by`;

async function expectCounted(store: Store, counted: (sql: string) => Promise<{ name: string; appraisals: number }[]>) {
  const recorders = (await counted(COUNTED_RECORDERS)).map((r) => ({ ...r, appraisals: Number(r.appraisals) }));
  expect(await store.recorders()).toEqual(recorders);
  expect(recorders.map((r) => r.name)).toEqual(['Giulia', 'Marco']);
  const all = recorders.reduce((n, r) => n + r.appraisals, 0);
  expect(await store.countRecorded({})).toBe(all);
  expect(await store.countRecorded({ who: 'Giulia' })).toBe(recorders[0].appraisals);
  expect(await store.countRecorded({ who: 'nobody at all' })).toBe(0);
  // Any other filter still counts the rows.
  expect(await store.countRecorded({ who: 'Giulia', cut: 'Good' })).toBe((recorders[0].appraisals / 3) * 2);
}

describe('the recorders and the total of a page', () => {
  it('read a row per recorder, not the recorded rows', () => {
    const db = openDatabase(':memory:');
    try {
      for (const q of [{ sql: RECORDERS_SQL, params: [] }, countRecordedQuery({}), countRecordedQuery({ who: 'G' })]) {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map(
          (p) => p.detail,
        );
        expect(plan.join(' | '), q.sql).not.toMatch(/\b(diamonds|submissions|files|d|s)\b/);
      }
    } finally {
      db.close();
    }
  });

  it('on SQLite: equal the stored rows for a database made before migration 32, and after', async () => {
    const file = join(dir, 'before.db');
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < 32) });
    await record(() => sqliteStore(before).ingestion(), 1000);
    before.close();
    const db = openDatabase(file);
    try {
      const store = sqliteStore(db);
      const counted = async (sql: string) => db.prepare(sql).all() as { name: string; appraisals: number }[];
      await expectCounted(store, counted);
      await record(() => store.ingestion(), 2000);
      await expectCounted(store, counted);
    } finally {
      db.close();
    }
  });

  it('on PostgreSQL: equal the stored rows for a database made before schema 5, and after', async () => {
    server = await startPostgres();
    const pool = await openPostgres(server.newDatabase('recorders'), { migrate: false });
    try {
      await migratePostgres(
        pool,
        PG_MIGRATIONS.filter((m) => m.version < 5),
      );
      const store = postgresStore(pool, { home: dir });
      await record(() => store.ingestion(), 1000);
      await migratePostgres(pool);
      const counted = async (sql: string) => (await pool.query(sql)).rows;
      await expectCounted(store, counted);
      await record(() => store.ingestion(), 2000);
      await expectCounted(store, counted);
    } finally {
      await pool.end();
    }
  }, 120_000);
});

describe('which model learned from recorded appraisals', () => {
  /** Registers a model trained on a snapshot of every stored stone, through `run` (SQLite's or PostgreSQL's). */
  const register =
    (run: (text: string, params: unknown[]) => Promise<unknown>, ids: string) => async (version: string) => {
      const sha = version.padEnd(64, '0');
      await run(
        `INSERT INTO training_snapshots (sha256, rows, diamond_ids, max_file_id, created_at)
       SELECT ?, count(*), '[' || ${ids} || ']', (SELECT max(id) FROM files), '2026-12-07' FROM diamonds`,
        [sha],
      );
      await run(
        `INSERT INTO models (version, kind, created_at, artifact_path, artifact_sha256, training_data_sha256,
         training_rows, params, metrics, duration_ms) VALUES (?, 'hedonic', '2026-12-07', 'models/x', ?, ?, 1, '{}', '{}', 1)`,
        [version, 'b'.repeat(64), sha],
      );
    };

  const expectCountedOnce = async (store: Store, reads: Read[], registerModel: (version: string) => Promise<void>) => {
    expect(await store.lastLearning()).toBeUndefined();
    await registerModel('v0001');
    const first = await store.lastLearning();
    expect(first).toMatchObject({ version: 'v0001', trainedOn: 4 });
    reads.length = 0;
    expect(await store.lastLearning()).toEqual(first);
    // Every page after the first reads the model's row only, not the ids of its snapshot.
    expect(reads.length).toBe(1);
    expect(reads[0].sql).not.toMatch(/diamond_ids|json/);
    await record(() => store.ingestion(), 4000);
    await registerModel('v0002');
    expect(await store.lastLearning()).toMatchObject({ version: 'v0002', trainedOn: 8 });
  };

  it('on SQLite: is counted once per model', async () => {
    const db = openDatabase(':memory:');
    const reads: Read[] = [];
    try {
      const store = sqliteStore(recordingDb(db, reads));
      await record(() => store.ingestion(), 3000);
      const run = async (text: string, params: unknown[]) => db.prepare(text).run(...params);
      await expectCountedOnce(store, reads, register(run, '(SELECT group_concat(id) FROM diamonds)'));
    } finally {
      db.close();
    }
  });

  it('on PostgreSQL: is counted once per model', async () => {
    server ??= await startPostgres();
    const pool: pg.Pool = await openPostgres(server.newDatabase('learning'));
    const reads: Read[] = [];
    try {
      const store = postgresStore(recordingPool(pool, reads), { home: dir });
      await record(() => store.ingestion(), 3000);
      const run = async (text: string, params: unknown[]) => {
        let n = 0;
        await pool.query(
          text.replace(/\?/g, () => `$${++n}`),
          params,
        );
      };
      await expectCountedOnce(store, reads, register(run, "(SELECT string_agg(id::text, ',') FROM diamonds)"));
    } finally {
      await pool.end();
    }
  }, 120_000);
});
