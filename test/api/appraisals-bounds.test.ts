/**
 * What one request of /v1/appraisals may cost, whatever is recorded: an `outside=` listing values at most
 * OUTSIDE_EXAMINED rows and says how far it looked (`examined`, `next`), following `next` finds every match; the CSV
 * export is read a window at a time, and a /healthz sent while it is under way is answered before it has read them
 * all. The reference data's 4,984 stones are made one recorded upload straight in the database (a `submissions`
 * row), on SQLite and on a real PostgreSQL holding a copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Readable } from 'node:stream';
import { withModel } from '../../src/api/appraisal-desk.js';
import { OUTSIDE_EXAMINED } from '../../src/api/appraisal-schemas.js';
import { openPostgres } from '../../src/store/postgres/connect.js';
import { copySqliteToPostgres } from '../../src/store/postgres/copy.js';
import { postgresStore } from '../../src/store/postgres/store.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { expectProblem, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

describe.each(['sqlite', 'postgres'] as const)('on %s', (backend) => {
  let home: TestHome;
  let t: TestApp;
  let store: Store;
  let server: TestPostgres | undefined;
  /** What happened, in order: each read of recorded appraisals, and the answers the tests wait for. */
  const events: string[] = [];
  let recorded: number;

  beforeAll(async () => {
    home = await testHome();
    home.db
      .prepare(
        "INSERT INTO submissions (file_id, kind, recorded_by, recorded_at) VALUES (1, 'upload', 'Giulia', '2026-12-01T09:00:00.000Z')",
      )
      .run();
    recorded = (home.db.prepare('SELECT count(*) AS n FROM diamonds WHERE file_id = 1').get() as { n: number }).n;
    let inner: Store;
    if (backend === 'postgres') {
      server = await startPostgres();
      const pool = await openPostgres(server.newDatabase('bounds'));
      await copySqliteToPostgres(home.db, pool);
      inner = postgresStore(pool, { home: home.dir });
    } else inner = sqliteStore(home.db);
    store = {
      ...inner,
      async listRecorded(filter, page) {
        events.push('read');
        return inner.listRecorded(filter, page);
      },
    };
    t = await testApp(home, { store });
  }, 120_000);
  afterAll(async () => {
    await t?.app.close();
    if (backend === 'postgres') await store?.close();
    server?.stop();
    home?.cleanup();
  });

  const list = async (query: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/appraisals${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** The ids of the stones outside the model's range among `rows`, as the listing values them. */
  const outsideIds = (rows: Awaited<ReturnType<Store['listRecorded']>>) =>
    withModel(rows, t.models.current)
      .filter((a) => a.model?.inside === false)
      .map((a) => a.id);

  it('an outside= listing looks at no more than its bound, says so, and its next finds every match', async () => {
    expect(recorded).toBeGreaterThan(2 * OUTSIDE_EXAMINED);
    const first = await list('?outside=true&limit=1');
    expect(first.examined).toBe(OUTSIDE_EXAMINED);
    expect(first.next).toEqual(expect.any(String));
    expect(first.appraisals.length).toBeLessThanOrEqual(1);

    const truth = outsideIds(await store.listRecorded({}));
    expect(truth.length).toBeGreaterThan(0);
    const found: number[] = [];
    let examined = 0;
    let after = '';
    for (;;) {
      const page = await list(`?outside=true&limit=1000${after}`);
      expect(page.examined).toBeLessThanOrEqual(OUTSIDE_EXAMINED);
      expect(page.total).toBe(page.appraisals.length);
      examined += page.examined;
      found.push(...page.appraisals.map((a: { id: number }) => a.id));
      if (page.next === null) break;
      after = `&after=${page.next}`;
    }
    expect(examined).toBe(recorded);
    expect(found).toEqual(truth);
  });

  it('filters by grade within what it looked at, and pages without outside= by next as by offset', async () => {
    const fair = await list('?outside=false&cut=Fair&limit=1000');
    expect(fair.examined).toBe(OUTSIDE_EXAMINED);
    expect(
      fair.appraisals.every((a: { cut: string; model: { inside: boolean } }) => a.cut === 'Fair' && a.model.inside),
    ).toBe(true);

    const byOffset = await list('?cut=Premium&offset=50&limit=50');
    const firstPage = await list('?cut=Premium&limit=50');
    expect(firstPage).toMatchObject({ examined: null, total: byOffset.total });
    const byNext = await list(`?cut=Premium&limit=50&after=${firstPage.next}`);
    expect(byNext.appraisals.map((a: { id: number }) => a.id)).toEqual(
      byOffset.appraisals.map((a: { id: number }) => a.id),
    );
    expect((await list(`?limit=1000&offset=${recorded - 1000}`)).next).toBeNull();
    expect((await list(`?limit=1000&offset=${recorded - 1001}`)).next).toEqual(expect.any(String));
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/appraisals?after=${firstPage.next}&offset=1` }), 400);
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/appraisals?after=7' }), 400);
    // The CSV export holds every match: a cursor there would be silently ignored, so it is refused.
    const csvAfter = await t.app.inject({ method: 'GET', url: `/v1/appraisals?format=csv&after=${firstPage.next}` });
    expectProblem(csvAfter, 400);
    expect(csvAfter.json().detail).toMatch(/format=csv .*every match.*after/);
  });

  it('streams the CSV export a window at a time: /healthz is answered before it has read every row', async () => {
    events.length = 0;
    const exported = await t.app.inject({
      method: 'GET',
      url: '/v1/appraisals?format=csv',
      payloadAsStream: true,
    });
    expect(exported.statusCode).toBe(200);
    // Nobody reads the export yet: it waits for its reader, as on a slow network.
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    events.push('healthz answered');
    let csv = '';
    for await (const chunk of exported.stream() as Readable) csv += chunk;
    events.push('export read');
    expect(csv.trim().split('\n')).toHaveLength(recorded + 1);
    const answered = events.indexOf('healthz answered');
    expect(events.slice(answered + 1)).toContain('read');
  });
});
