/**
 * The store suite, run against both backends: SQLite (the embedded default) and a real PostgreSQL 15 started for
 * this file (test/helpers/postgres.ts). One SQLite home is made the usual way (the reference data ingested, a
 * model promoted, keys); PostgreSQL gets it through `loupe db copy`'s function, so every read below must give the
 * same records from both, and every write must read back the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleStone, type Stone } from '../../src/diamond/index.js';
import { createKey, revokeKey } from '../../src/store/keys.js';
import { getModel, listModels } from '../../src/store/models.js';
import { valuationWrite, idempotencyWrite } from '../../src/store/quotes.js';
import { REQUESTS_EXAMINED, type RequestLogEntry } from '../../src/store/requests.js';
import type { LiveAccuracy } from '../../src/store/runs.js';
import { similarFinder, similarWindow, type Spread } from '../../src/store/similar.js';
import { createRng } from '../../src/engine/random.js';
import { CLARITIES, COLORS, CUTS } from '../../src/diamond/grades.js';
import { WINDOW_QUERY_SQL, windowValues } from '../../src/store/postgres/similar.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { openPostgres } from '../../src/store/postgres/connect.js';
import { copySqliteToPostgres, type CopyReport } from '../../src/store/postgres/copy.js';
import { postgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import { testHome, type TestHome } from '../api/helpers.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

const STONE = exampleStone() as unknown as Stone;
const figures = { rows: 500, mae: 310.5, mape: 8.25, coverage: 90.2 };
/** Live-accuracy entries as runs record them (store/runs.ts LiveAccuracy); null: a run without new appraisals. */
const ACCURACY_ENTRIES: (LiveAccuracy | null)[] = [
  { champion: 'v0001', ...figures, coverage: 89.5, nominal: 90, referenceMape: 7.9 },
  null,
  {
    champion: 'v0002',
    ...figures,
    coverage: 88,
    nominal: 90,
    referenceMape: 7.5,
    reference: { ...figures, mape: 7.5 },
    segments: [{ partition: 'carat', group: '<0.5 ct', ...figures, reference: { ...figures, coverage: null } }],
  },
];
let home: TestHome;
let server: TestPostgres;
let copied: CopyReport;
const stores: Record<'sqlite' | 'postgres', Store> = {} as never;
let liveSecret: string;
let revokedSecret: string;

beforeAll(async () => {
  home = await testHome();
  liveSecret = createKey(home.db, { name: 'ACME', scopes: ['valuations'] }).secret;
  revokedSecret = createKey(home.db, { name: 'old', scopes: ['admin'], ratePerMinute: 5 }).secret;
  revokeKey(home.db, 'old');
  home.promote({ seed: 7, rows: 2000 }); // a second model, now the champion
  // Finished pipeline runs of known durations (0.5 s, 90 s, 4,000 s) and one still running (not counted).
  const run = home.db.prepare('INSERT INTO pipeline_runs (started_at, finished_at, pid, status) VALUES (?, ?, 1, ?)');
  run.run('2026-12-04T10:00:00.000Z', '2026-12-04T10:00:00.500Z', 'succeeded');
  run.run('2026-12-04T11:00:00.000Z', '2026-12-04T11:01:30.000Z', 'succeeded');
  run.run('2026-12-04T12:00:00.000Z', '2026-12-04T13:06:40.000Z', 'failed');
  run.run('2026-12-04T14:00:00.000Z', null, 'running');
  // Runs with summaries: two measured the champion on new appraisals, one between them found none.
  const summarised = home.db.prepare(
    "INSERT INTO pipeline_runs (started_at, finished_at, pid, status, summary) VALUES (?, ?, 1, 'nothing_to_do', ?)",
  );
  for (const [i, accuracy] of ACCURACY_ENTRIES.entries())
    summarised.run(`2026-12-05T0${i}:00:00.000Z`, `2026-12-05T0${i}:00:01.000Z`, JSON.stringify({ accuracy }));
  // The reference file's rejected rows as those of a recorded upload: open rejects to list and count.
  home.db
    .prepare("INSERT INTO submissions (file_id, kind, recorded_by, recorded_at) VALUES (1, 'upload', 'Giulia', ?)")
    .run('2026-12-05T09:00:00.000Z');
  server = await startPostgres();
  const pool = await openPostgres(server.newDatabase('suite'));
  copied = await copySqliteToPostgres(home.db, pool);
  stores.sqlite = sqliteStore(home.db);
  stores.postgres = postgresStore(pool, { home: home.dir });
}, 120_000);

afterAll(async () => {
  await stores.postgres?.close();
  server?.stop();
  home?.cleanup();
});

const entry = (i: number, over: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  at: Date.parse('2026-12-04T10:00:00Z') + i,
  method: 'POST',
  route: '/v1/valuations',
  url: '/v1/valuations',
  status: i % 2 ? 200 : 400,
  latencyMs: 1.25,
  keyId: 1,
  keyName: 'ACME',
  modelVersion: 'v0002',
  requestBody: '{"carat":0.9}',
  responseBody: null,
  requestId: `req-${i}`,
  ...over,
});

describe('loupe db copy', () => {
  it('moves every table with equal counts on both sides', () => {
    const byTable = Object.fromEntries(copied.tables.map((t) => [t.table, t]));
    expect(byTable.diamonds.sqlite).toBe(4984);
    expect(byTable.rejects.sqlite).toBe(16);
    expect(byTable.models.sqlite).toBe(2);
    for (const t of copied.tables) expect(t.postgres).toBe(t.sqlite);
  });

  it('refuses a database that is not empty, and copies nothing', async () => {
    const pool = (stores.postgres as Store & { pool: import('pg').Pool }).pool;
    await expect(copySqliteToPostgres(home.db, pool)).rejects.toThrow(/not empty \(files has 1 rows\)/);
  });
});

describe.each(['sqlite', 'postgres'] as const)('the store on %s', (backend) => {
  const store = () => stores[backend];

  it('finds a live key by its secret and never a revoked or unknown one', async () => {
    const key = await store().findKey(liveSecret);
    expect(key).toMatchObject({ name: 'ACME', scopes: ['valuations'], ratePerMinute: 600, revokedAt: null });
    expect(await store().findKey(revokedSecret)).toBeUndefined();
    expect(await store().findKey('lp_not-a-key')).toBeUndefined();
    expect(await store().countKeys()).toBe(1);
  });

  it('reads the registry as SQLite recorded it: the champion, every model, one model', async () => {
    const expected = listModels(home.db);
    expect(await store().listModels()).toEqual(expected);
    expect(await store().championVersion()).toBe('v0002');
    expect(await store().getChampion()).toEqual(getModel(home.db, 'v0002'));
    expect((await store().getModel('v0001'))?.isChampion).toBe(false);
    expect(await store().getModel('v0099')).toBeUndefined();
  });

  it('stores valuations and idempotent answers, ignores a repeated id, and purges by age', async () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    const row = (id: string, at: number) => ({
      id,
      at,
      keyId: 1,
      modelVersion: 'v0002',
      stone: '{"carat":0.9}',
      ref: id === 'val_b' ? 'my-ref' : null,
      answer: `{"id":"${id}","price":4530}`,
    });
    await store().writeQuotes([
      valuationWrite(row('val_a', now - 40 * 86_400_000)),
      valuationWrite(row('val_b', now)),
      idempotencyWrite({
        keyId: 1,
        route: '/v1/valuations',
        idempotencyKey: 'k1',
        fingerprint: 'f'.repeat(64),
        at: now,
        answer: '{}',
      }),
    ]);
    await store().writeQuotes([valuationWrite({ ...row('val_b', now), answer: '{"changed":true}' })]);
    expect(await store().findValuation('val_b')).toEqual({
      id: 'val_b',
      at: '2026-12-04T12:00:00.000Z',
      keyId: 1,
      stone: '{"carat":0.9}',
      ref: 'my-ref',
      answer: '{"id":"val_b","price":4530}',
    });
    expect(await store().findIdempotent(1, '/v1/valuations', 'k1', now - 1)).toEqual({
      fingerprint: 'f'.repeat(64),
      answer: '{}',
    });
    expect(await store().findIdempotent(1, '/v1/valuations', 'k1', now + 1)).toBeUndefined();
    expect(await store().purgeQuotes(now - 30 * 86_400_000, now + 1)).toEqual({ valuations: 1, idempotency: 1 });
    expect(await store().findValuation('val_a')).toBeUndefined();
    expect(await store().findValuation('val_b')).toBeDefined();
  });

  it('writes the request log and lists it newest first, filtered and paged', async () => {
    await store().writeRequests(Array.from({ length: 30 }, (_, i) => entry(i)));
    const { requests: newest } = await store().listRequests({ limit: 5 });
    expect(newest.map((r) => r.requestId)).toEqual(['req-29', 'req-28', 'req-27', 'req-26', 'req-25']);
    expect(newest[0]).toMatchObject({ at: '2026-12-04T10:00:00.029Z', status: 200, latencyMs: 1.25, keyId: 1 });
    const older = await store().listRequests({ limit: 5, before: newest[4].id, status: 400 });
    expect(older.requests.map((r) => r.requestId)).toEqual(['req-24', 'req-22', 'req-20', 'req-18', 'req-16']);
    expect((await store().listRequests({ limit: 5, requestId: 'req-3' })).requests).toHaveLength(1);
    expect(await store().listRequests({ limit: 5, route: '/nowhere' })).toEqual({ requests: [], nextBefore: null });
  });

  it('a filtered page of the request log looks at no more than REQUESTS_EXAMINED entries, and says where to go on', async () => {
    // One rare entry, then more than the window of entries that do not match: the newest page cannot reach it.
    await store().writeRequests([{ ...entry(0), route: '/v1/rare', requestId: 'rare-1' }]);
    await store().writeRequests(Array.from({ length: REQUESTS_EXAMINED + 10 }, (_, i) => entry(i)));
    const first = await store().listRequests({ limit: 5, route: '/v1/rare' });
    expect(first.requests).toEqual([]);
    expect(first.nextBefore).toEqual(expect.any(Number));
    const {
      requests: [newest],
    } = await store().listRequests({ limit: 1 });
    expect(Number(newest.id) + 1 - Number(first.nextBefore)).toBe(REQUESTS_EXAMINED);
    const second = await store().listRequests({ limit: 5, route: '/v1/rare', before: Number(first.nextBefore) });
    expect(second.requests.map((r) => r.requestId)).toEqual(['rare-1']);
    // Unfiltered pages read their rows only, as before: a full page goes on from its last row.
    const page = await store().listRequests({ limit: 3 });
    expect(page.nextBefore).toBe(page.requests[2].id);
  });

  it('finds the same similar stones as the SQLite finder, in both modes', async () => {
    const finder = similarFinder(home.db);
    for (const mode of ['grades', 'all'] as const) {
      for (const stone of [
        STONE,
        { ...STONE, carat: 1.5, cut: 'Fair' as const },
        { carat: 0.7, cut: 'Ideal', color: 'E', clarity: 'VS1' } as Stone,
      ]) {
        if (mode === 'all' && stone.depth === undefined) continue;
        const want = finder.find(stone, 7, mode);
        const got = await store().similarStones(stone, 7, mode);
        expect(got.map((s) => s.id)).toEqual(want.map((s) => s.id));
        got.forEach((s, i) => {
          expect(s.distance).toBeCloseTo(want[i].distance, 9);
          expect({ ...s, distance: 0 }).toEqual({ ...want[i], distance: 0 });
        });
      }
    }
  });

  it('answers all-characteristics searches as a scan of the whole table would, for stones far from all others too', async () => {
    const finder = similarFinder(home.db);
    const rng = createRng(20261205);
    for (let k = 0; k < 24; k++) {
      const far = k % 3 === 0; // the window has to grow, up to the whole table
      const x = far ? 3 + rng.nextFloat() * 12 : 4 + rng.nextFloat() * 4;
      const stone = {
        carat: Math.round((far ? 0.2 + rng.nextFloat() * 9.5 : 0.3 + rng.nextFloat() * 1.7) * 100) / 100,
        cut: CUTS[k % CUTS.length],
        color: COLORS[(k * 3) % COLORS.length],
        clarity: CLARITIES[(k * 5) % CLARITIES.length],
        depth: far ? 45 + rng.nextFloat() * 30 : 59 + rng.nextFloat() * 4,
        table: far ? 45 + rng.nextFloat() * 30 : 54 + rng.nextFloat() * 5,
        x,
        y: x * (0.98 + rng.nextFloat() * 0.04),
        z: x * (far ? 0.3 + rng.nextFloat() * 0.5 : 0.61),
      } as Stone;
      const n = [1, 5, 50][k % 3];
      const want = finder.find(stone, n, 'all', { scan: true });
      const got = await store().similarStones(stone, n, 'all');
      expect(
        got.map((s) => s.id),
        JSON.stringify(stone),
      ).toEqual(want.map((s) => s.id));
    }
  });

  it('counts ingested rows by outcome and reason, and finished runs by outcome and duration', async () => {
    const counts = await store().operationsCounts();
    expect(counts.acceptedRows).toBe(4984);
    expect(Object.values(counts.rejectedRows).reduce((a, b) => a + b, 0)).toBe(16);
    expect(counts.rejectedRows.out_of_range).toBeGreaterThan(0);
    const byOutcome = Object.fromEntries(counts.runs.map((r) => [r.status, r]));
    expect(byOutcome.succeeded).toMatchObject({ runs: 2, lastFinishedAt: '2026-12-04T11:01:30.000Z' });
    expect(byOutcome.succeeded.seconds).toBeCloseTo(90.5, 3);
    // Buckets 1, 5, 15, 30, 60, 120, …: the 0.5 s run is in all, the 90 s run from 120 on.
    expect(byOutcome.succeeded.atMost.slice(0, 6)).toEqual([1, 1, 1, 1, 1, 2]);
    expect(byOutcome.failed).toMatchObject({ runs: 1, seconds: 4000 });
    expect(byOutcome.failed.atMost.at(-2)).toBe(0); // ≤ 3,600 s
    expect(byOutcome.failed.atMost.at(-1)).toBe(1); // ≤ 7,200 s
    expect(byOutcome.interrupted).toMatchObject({ runs: 0, seconds: 0, lastFinishedAt: null });
  });

  it('keeps the live accuracy history: the last runs that measured the champion, oldest first', async () => {
    const history = await store().accuracyHistory(10);
    expect(history.map((h) => h.accuracy)).toEqual(ACCURACY_ENTRIES.filter((a) => a !== null));
    expect(history.map((h) => h.finishedAt)).toEqual(['2026-12-05T00:00:01.000Z', '2026-12-05T02:00:01.000Z']);
    expect(history.every((h) => h.status === 'nothing_to_do' && Number.isInteger(h.runId))).toBe(true);
    // Bounded: the last one only; a limit past MAX_ACCURACY_RUNS or below 1 is brought into range.
    expect((await store().accuracyHistory(1)).map((h) => h.accuracy.champion)).toEqual(['v0002']);
    expect(await store().accuracyHistory(0)).toHaveLength(1);
    expect(await store().accuracyHistory(10_000)).toHaveLength(2);
  });

  it('lists open rejected rows a page at a time and counts them all', async () => {
    const all = await store().listOpenRejects();
    expect(all.length).toBeGreaterThan(3);
    expect(await store().countOpenRejects()).toBe(all.length);
    const lines = all.map((r) => r.line);
    expect((await store().listOpenRejects({ limit: 2 })).map((r) => r.line)).toEqual(lines.slice(0, 2));
    expect((await store().listOpenRejects({ limit: 2, offset: 2 })).map((r) => r.line)).toEqual(lines.slice(2, 4));
    expect(await store().listOpenRejects({ limit: 5, offset: all.length })).toEqual([]);
  });

  it('counts recorded appraisals and reads a page of them as the whole list would', async () => {
    for (const filter of [{}, { cut: 'Ideal' }, { who: 'Giulia', color: 'E' }, { who: 'nobody' }]) {
      const all = await store().listRecorded(filter);
      expect(await store().countRecorded(filter)).toBe(all.length);
      const ids = all.map((a) => a.id);
      expect((await store().listRecorded(filter, { limit: 25, offset: 10 })).map((a) => a.id)).toEqual(
        ids.slice(10, 35),
      );
    }
    expect(await store().countRecorded({})).toBeGreaterThan(1000);
  });

  it('answers a ping', async () => {
    await expect(store().ping()).resolves.toBeUndefined();
  });
});

describe('similar stones on PostgreSQL', () => {
  it('reads a window on the measurements index (grades, then a carat range) rather than the whole table', async () => {
    const pool = (stores.postgres as PostgresStore).pool;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // A table of 5,000 stones is read faster whole; this asks whether the index can serve the window, as it
      // does for the planner once the table is large.
      await client.query('SET LOCAL enable_seqscan = off');
      const values = [1, 4, 3, 3, 61.8, 57, 6.4, 6.4, 3.95];
      const unit: Spread = { rows: 0, maxId: 0, sd: values.map(() => 1), min: [], max: [] };
      const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${WINDOW_QUERY_SQL}`, [
        ...values.flatMap((v) => [v, 1]),
        5,
        ...windowValues(similarWindow(values, unit, 0.25)),
      ]);
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toMatch(/diamonds_by_measurements/);
      expect(text).toMatch(/Index Cond: .*carat >= .*carat <= /s);
      expect(text).not.toMatch(/Seq Scan/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

// After the suite above: it changes the champion's history, which the suite compares between the two stores.
describe.each(['sqlite', 'postgres'] as const)('changes of champion on %s', (backend) => {
  const store = () => stores[backend];

  it('writes one of several changes of champion decided from the same history, the others not at all', async () => {
    const history = await store().listPromotions();
    const champion = (await store().championVersion())!;
    const other = (await store().listModels()).find((m) => m.version !== champion)!.version;
    const at = '2026-12-05T01:00:00.000Z';
    const written = await Promise.all(
      Array.from({ length: 8 }, () => store().insertPromotion(other, 'promote', 'race', at, history.length)),
    );
    expect(written.filter(Boolean)).toHaveLength(1);
    expect(await store().listPromotions()).toHaveLength(history.length + 1);
    expect(await store().championVersion()).toBe(other);
    // back as it was (a rollback pops the promotion), decided from the history as it is now
    expect(await store().insertPromotion(champion, 'rollback', 'restore', at, history.length)).toBe(false);
    expect(await store().insertPromotion(champion, 'rollback', 'restore', at, history.length + 1)).toBe(true);
    expect(await store().championVersion()).toBe(champion);
  });
});
