/**
 * /v1/appraisals: recording stones and files through the ingestion's own checks, who and when, rejected rows kept
 * until fixed or dismissed, the model's view, filters and export, bad input refused before anything is stored, and
 * no duplicate when two people record the same stone at once. On both stores: SQLite, and a real PostgreSQL holding
 * a `loupe db copy` of the same home (test/helpers/postgres.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { partitionData } from '../../src/pipeline/data.js';
import { openPostgres } from '../../src/store/postgres/connect.js';
import { copySqliteToPostgres } from '../../src/store/postgres/copy.js';
import { postgresPipelineStore } from '../../src/store/postgres/pipeline.js';
import { postgresStore } from '../../src/store/postgres/store.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import type { Db } from '../../src/store/db.js';
import type { PipelineStore } from '../../src/store/pipeline-store.js';
import type { Store } from '../../src/store/store.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { expectProblem, REFERENCE, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

describe.each(['sqlite', 'postgres'] as const)('on %s', (backend) => {
  let home: TestHome;
  let t: TestApp;
  let store: Store;
  /** What the pipeline reads: the same database as the app's store. */
  let pipeline: Db | PipelineStore;
  let server: TestPostgres | undefined;
  let expert: string;
  let partner: string;
  let second: string;
  /** Rows in a table of the store the app uses. */
  let count: (table: 'diamonds' | 'files') => Promise<number>;

  beforeAll(async () => {
    home = await testHome();
    if (backend === 'postgres') {
      server = await startPostgres();
      const pool = await openPostgres(server.newDatabase('appraisals'));
      await copySqliteToPostgres(home.db, pool);
      const pgStore = postgresStore(pool, { home: home.dir });
      store = pgStore;
      pipeline = postgresPipelineStore(pool, { home: home.dir });
      count = async (table) => (await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    } else {
      store = sqliteStore(home.db);
      pipeline = home.db;
      count = async (table) => (home.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    }
    t = await testApp(home, { open: false, store });
    expert = (await store.createKey({ name: 'Giulia', scopes: ['appraisals'] })).secret;
    partner = (await store.createKey({ name: 'ACME', scopes: ['valuations'] })).secret;
    second = (await store.createKey({ name: 'Marco', scopes: ['appraisals'] })).secret;
  }, 120_000);
  afterAll(async () => {
    await t?.app.close();
    if (backend === 'postgres') await store?.close();
    server?.stop();
    home?.cleanup();
  });

  const STONE = {
    carat: 0.71,
    cut: 'Ideal',
    color: 'F',
    clarity: 'VS1',
    depth: 61.7,
    table: 56,
    price: 3310,
    x: 5.72,
    y: 5.75,
    z: 3.54,
  };

  const auth = (key = expert) => ({ authorization: `Bearer ${key}` });
  const post = (body: unknown, key = expert) =>
    t.app.inject({ method: 'POST', url: '/v1/appraisals', headers: auth(key), payload: body as object });
  const upload = (csv: string | Buffer, name = 'week.csv', type = 'text/csv') =>
    t.app.inject({
      method: 'POST',
      url: `/v1/appraisals?name=${encodeURIComponent(name)}`,
      headers: { ...auth(), 'content-type': type },
      payload: csv,
    });
  const list = (query = '') => t.app.inject({ method: 'GET', url: `/v1/appraisals${query}`, headers: auth() });

  describe('recording one stone', () => {
    it('stores it with who and when, and says what the current model would have said', async () => {
      const before = await count('diamonds');
      const res = await post(STONE);
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      expect(body.submission).toMatchObject({ kind: 'stone', recordedBy: 'Giulia', accepted: 1, rejected: 0 });
      expect(body.appraisals).toHaveLength(1);
      const a = body.appraisals[0];
      expect(a).toMatchObject({ ...STONE, recordedBy: 'Giulia' });
      expect(a.model.version).toBe(t.models.current!.version);
      expect(a.model.difference).toBe(STONE.price - a.model.price);
      expect(a.model.inside).toBe(STONE.price >= a.model.range.low && STONE.price <= a.model.range.high);
      expect(await count('diamonds')).toBe(before + 1);
      const listed = (await list()).json();
      expect(listed.appraisals[0]).toMatchObject({ id: a.id, recordedBy: 'Giulia' });
      expect(listed.recorders).toContainEqual({ name: 'Giulia', appraisals: 1 });
    });

    it('refuses what ingestion refuses, with its messages, and keeps the row until it is fixed', async () => {
      const res = await post({ ...STONE, carat: '0,72', price: 3400 });
      expect(res.statusCode).toBe(201);
      const { submission, rejects } = res.json();
      expect(submission).toMatchObject({ accepted: 0, rejected: 1 });
      expect(rejects[0].reasons[0]).toMatchObject({ field: 'carat', code: 'not_a_number' });
      expect(rejects[0].reasons[0].suggestion ?? rejects[0].reasons[0].message).toMatch(/0\.72/);
      expect(rejects[0].fields.carat).toBe('0,72');
      const open = (await t.app.inject({ method: 'GET', url: '/v1/appraisals/rejects', headers: auth() })).json();
      expect(open.rejects.map((r: { id: number }) => r.id)).toContain(rejects[0].id);

      const fixed = await t.app.inject({
        method: 'POST',
        url: `/v1/appraisals/rejects/${rejects[0].id}/fix`,
        headers: auth(),
        payload: { ...STONE, carat: 0.72, price: 3400 },
      });
      expect(fixed.statusCode, fixed.body).toBe(201);
      expect(fixed.json().appraisals[0]).toMatchObject({ carat: 0.72, price: 3400 });
      const after = (await t.app.inject({ method: 'GET', url: '/v1/appraisals/rejects', headers: auth() })).json();
      expect(after.rejects.map((r: { id: number }) => r.id)).not.toContain(rejects[0].id);
      // Fixed once: a second fix of the same row is a 404.
      const again = await t.app.inject({
        method: 'POST',
        url: `/v1/appraisals/rejects/${rejects[0].id}/fix`,
        headers: auth(),
        payload: STONE,
      });
      expectProblem(again, 404);
    });

    it('refuses an empty correction (or an empty stone) with 400, and the rejected row stays open', async () => {
      const { rejects } = (await post({ ...STONE, cut: 'Splendid' })).json();
      const id = rejects[0].id as number;
      const before = await count('files');
      for (const [url, payload] of [
        [`/v1/appraisals/rejects/${id}/fix`, {}],
        [`/v1/appraisals/rejects/${id}/fix`, { ref: 'A-1' }],
        ['/v1/appraisals', {}],
      ] as const) {
        const p = expectProblem(await t.app.inject({ method: 'POST', url, headers: auth(), payload }), 400);
        expect(p.errors).toEqual([
          {
            field: '',
            code: 'empty',
            message:
              'The stone has none of its fields; send carat, cut, color, clarity, depth, table, price, x, y and z.',
            allowed: 'an appraisal: carat, cut, color, clarity, depth, table, price, x, y, z (and ref)',
          },
        ]);
      }
      expect(await count('files')).toBe(before);
      const open = (await t.app.inject({ method: 'GET', url: '/v1/appraisals/rejects', headers: auth() })).json();
      expect(open.rejects.find((r: { id: number }) => r.id === id)?.fields.cut).toBe('Splendid');
    });

    it('dismisses a rejected row', async () => {
      const { rejects } = (await post({ ...STONE, cut: 'Superb' })).json();
      expect(rejects[0].reasons[0].code).toBe('unknown_grade');
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/appraisals/rejects/${rejects[0].id}/dismiss`,
        headers: auth(),
      });
      expect(res.statusCode).toBe(200);
      const open = (await t.app.inject({ method: 'GET', url: '/v1/appraisals/rejects', headers: auth() })).json();
      expect(open.rejects.map((r: { id: number }) => r.id)).not.toContain(rejects[0].id);
    });

    it('lists open rejected rows a page at a time, newest first, with how many are open in all', async () => {
      const ids: number[] = [];
      for (const cut of ['Superb', 'Magnificent', 'Dazzling'])
        ids.push((await post({ ...STONE, cut })).json().rejects[0].id);
      const get = (query: string) =>
        t.app.inject({ method: 'GET', url: `/v1/appraisals/rejects${query}`, headers: auth() });
      const all = (await get('')).json();
      expect(all.offset).toBe(0);
      expect(all.total).toBe(all.rejects.length);
      const first = (await get('?limit=2')).json();
      expect(first).toMatchObject({ total: all.total, offset: 0 });
      expect(first.rejects.map((r: { id: number }) => r.id)).toEqual([ids[2], ids[1]]);
      const next = (await get('?limit=2&offset=2')).json();
      expect(next.rejects[0].id).toBe(ids[0]);
      expect(next.total).toBe(all.total);
      for (const bad of ['?limit=0', '?limit=1001', '?offset=-1', '?limit=abc', '?page=2'])
        expectProblem(await get(bad), 400);
    });

    it('stores one stone when two people record it at once; the other is a duplicate', async () => {
      const stone = { ...STONE, carat: 0.8, price: 4100, x: 5.95, y: 5.97, z: 3.68 };
      const before = await count('diamonds');
      const answers = await Promise.all([post(stone), post(stone, second)]);
      const bodies = answers.map((r) => r.json());
      for (const r of answers) expect(r.statusCode, r.body).toBe(201);
      expect(bodies.filter((b) => b.submission.accepted === 1)).toHaveLength(1);
      const dups = bodies.filter((b) => b.submission.rejected === 1);
      expect(dups).toHaveLength(1);
      for (const d of dups) expect(d.rejects[0].reasons[0].code).toBe('duplicate');
      expect(await count('diamonds')).toBe(before + 1);
    });

    it('needs the appraisals scope', async () => {
      expectProblem(await post(STONE, partner), 403);
      expectProblem(await t.app.inject({ method: 'GET', url: '/v1/appraisals' }), 401);
    });
  });

  describe('uploading a file', () => {
    // Planted defects: a price in text, a grade in lower case (normalised, accepted), a missing field, a duplicate.
    const csv = [
      'carat,cut,color,clarity,depth,table,price,x,y,z,stock',
      '0.52,Premium,E,SI1,61.2,58,1620,5.17,5.2,3.17,A-1',
      '0.61,very good,G,VS2,62.1,57,$1,890,5.4,5.44,3.37,A-2',
      '0.61,very good,G,VS2,62.1,57,1890,5.4,5.44,3.37,A-3',
      '0.43,Good,H,,63.1,57,790,4.8,4.84,3.04,A-4',
      '0.52,Premium,E,SI1,61.2,58,1620,5.17,5.2,3.17,A-5',
    ].join('\n');

    it('accepts and rejects each row as `loupe ingest` does, and refuses the same file twice', async () => {
      const res = await upload(csv);
      expect(res.statusCode, res.body).toBe(201);
      const { submission, appraisals, rejects } = res.json();
      expect(submission).toMatchObject({ name: 'week.csv', kind: 'upload', rowsRead: 5, accepted: 2, rejected: 3 });
      expect(appraisals.map((a: { cut: string }) => a.cut).sort()).toEqual(['Premium', 'Very Good']);
      expect(rejects.map((r: { reasons: { code: string }[] }) => r.reasons[0].code)).toEqual([
        'malformed_row',
        'missing',
        'duplicate',
      ]);
      expectProblem(await upload(csv), 409);
    });

    it('keeps a row longer than 65,536 characters as one rejected row, even one whose kept text ends in a quote', async () => {
      // A note of two lines, quoted and closed: the row is too long, and what is kept of it ends inside the quote.
      const note = `"${'n'.repeat(40_000)}\n${'n'.repeat(40_000)}"`;
      const long = [
        'carat,cut,color,clarity,depth,table,price,x,y,z,note',
        `0.52,Premium,E,SI1,61.2,58,1621,5.17,5.2,3.17,${note}`,
        '0.52,Premium,E,SI1,61.2,58,1625,5.17,5.2,3.17,B-2',
      ].join('\n');
      const res = await upload(long, 'long.csv');
      expect(res.statusCode, res.body).toBe(201);
      const { submission, rejects } = res.json();
      expect(submission).toMatchObject({ rowsRead: 2, accepted: 1, rejected: 1 });
      expect(rejects).toMatchObject([
        {
          line: 2,
          reasons: [
            {
              code: 'malformed_row',
              message: 'Line 2 is longer than 65,536 characters, the most one row may have, so it was not read.',
            },
          ],
        },
      ]);
    });

    it('refuses a 50 MB file, another type, binary data and 10,000 columns before storing anything', async () => {
      const files = await count('files');
      const big = Buffer.alloc(50 * 1024 * 1024, 'a');
      expectProblem(await upload(big), 413);
      expectProblem(await upload('<xml/>', 'x.xml', 'application/xml'), 415);
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
      expect(expectProblem(await upload(png, 'photo.png'), 400).detail).toMatch(/binary/);
      const wide = `${Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',')}\n${'1,'.repeat(9_999)}1\n`;
      expect(expectProblem(await upload(wide, 'wide.csv'), 400).detail).toMatch(/10,000 columns/);
      expect(await count('files')).toBe(files);
    });
  });

  describe('an upload of many bad rows', () => {
    it('answers with the first 1,000 rejected rows and pages the rest by submission', async () => {
      // 2,500 rows whose measurements do not fit their carat (the geometry check), and 10 that pass.
      const rows = ['carat,cut,color,clarity,depth,table,price,x,y,z'];
      for (let i = 0; i < 2500; i++)
        rows.push(`${(3 + (i % 200) / 100).toFixed(2)},Premium,H,SI1,61.8,57,${20_000 + i},6.2,6.24,3.84`);
      for (let i = 0; i < 10; i++) rows.push(`0.93,Premium,H,SI1,61.8,57,${4000 + i},6.2,6.24,3.84`);
      const res = await upload(`${rows.join('\n')}\n`, 'many-bad.csv');
      expect(res.statusCode, res.body.slice(0, 500)).toBe(201);
      const { submission, rejects, appraisals } = res.json();
      expect(submission).toMatchObject({ rowsRead: 2510, rejected: 2500 });
      expect(appraisals).toHaveLength(submission.accepted);
      expect(rejects).toHaveLength(1000);
      expect(rejects.map((r: { line: number }) => r.line)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 2));
      // What 1,000 rows take, not 2,500: about 1 KB a rejected row.
      expect(res.body.length).toBeLessThan(1500 * 1000);

      const page = (query: string) =>
        t.app.inject({ method: 'GET', url: `/v1/appraisals/rejects${query}`, headers: auth() });
      const rest = (await page(`?submission=${submission.id}&offset=1000&limit=1000`)).json();
      expect(rest).toMatchObject({ total: 2500, offset: 1000 });
      expect(rest.rejects.map((r: { line: number }) => r.line)).toEqual(
        Array.from({ length: 1000 }, (_, i) => i + 1002),
      );
      const last = (await page(`?submission=${submission.id}&offset=2000&limit=1000`)).json();
      expect(last.rejects).toHaveLength(500);
      expect(last.rejects.every((r: { submissionId: number }) => r.submissionId === submission.id)).toBe(true);
      expectProblem(await page('?submission=0'), 400);
    });
  });

  describe('listing', () => {
    it('filters by who, grade and outside-range, and exports CSV', async () => {
      const all = (await list()).json();
      expect(all.total).toBeGreaterThanOrEqual(5);
      const premium = (await list('?cut=Premium')).json();
      expect(premium.appraisals.every((a: { cut: string }) => a.cut === 'Premium')).toBe(true);
      expect((await list('?who=nobody')).json().total).toBe(0);
      // A stone priced far above anything the model would say is outside its range.
      await post({ ...STONE, carat: 0.9, price: 18_000, x: 6.2, y: 6.24, z: 3.84 });
      const outside = (await list('?outside=true')).json();
      expect(outside.appraisals.map((a: { price: number }) => a.price)).toContain(18_000);
      expect(outside.appraisals.every((a: { model: { inside: boolean } }) => a.model.inside === false)).toBe(true);
      const inside = (await list('?outside=false')).json();
      expect(inside.total + outside.total).toBe((await list()).json().total);
      const today = new Date().toISOString().slice(0, 10);
      expect((await list(`?from=${today}&to=${today}`)).json().total).toBe((await list()).json().total);
      expect((await list('?to=2000-01-01')).json().total).toBe(0);
      const csv = await list('?format=csv&outside=true');
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const lines = csv.body.trim().split('\n');
      expect(lines[0]).toMatch(/^recorded_at,recorded_by,submission,carat,.*,inside_range,difference$/);
      expect(lines).toHaveLength(outside.total + 1);
    });

    it('recorded appraisals reach the pipeline like a file: training rows, or holdout', async () => {
      const part = await partitionData(pipeline, home.paths);
      const recorded = (await list('?limit=1000')).json().appraisals.map((a: { id: number }) => a.id);
      const training = new Set(part.training.map((r) => r.id));
      const held = new Set([...part.holdout.values()].flat().map((r) => r.id));
      expect(recorded.length).toBeGreaterThan(0);
      for (const id of recorded) expect(training.has(id) !== held.has(id)).toBe(true);
      expect(readFileSync(REFERENCE).length).toBeGreaterThan(0);
    });
  });
});
