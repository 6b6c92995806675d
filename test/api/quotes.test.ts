/**
 * Quotes that last: stored valuations (GET /v1/valuations/{id}), batch refs and ids, Idempotency-Key, retention.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, ModelSource, registryChampions, RequestLog } from '../../src/api/index.js';
import { QuoteStore, threadedQuoteStore } from '../../src/api/quote-store.js';
import type { FromWriter } from '../../src/api/row-writer-thread.js';
import { createKey } from '../../src/store/keys.js';
import { openDatabase } from '../../src/store/db.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import { countValuations, type QuoteWrite, type StoredValuationRow } from '../../src/store/quotes.js';
import {
  behindWriter,
  expectProblem,
  numberedValuation,
  STONE,
  testApp,
  testHome,
  until,
  valuationIdOf,
  type TestApp,
  type TestHome,
} from './helpers.js';

let home: TestHome;
let t: TestApp;
let acme: string;
let other: string;
let admin: string;

beforeAll(async () => {
  home = await testHome();
  t = await testApp(home, { open: false, flushIntervalMs: 10_000 });
  acme = `Bearer ${createKey(home.db, { name: 'ACME', scopes: ['valuations'] }).secret}`;
  other = `Bearer ${createKey(home.db, { name: 'Other', scopes: ['valuations'] }).secret}`;
  admin = `Bearer ${createKey(home.db, { name: 'ops', scopes: ['admin'] }).secret}`;
});
afterAll(async () => {
  await t.app.close();
  home.cleanup();
});

const post = (url: string, payload: unknown, authorization: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers: { authorization, ...headers } });
const get = (id: string, authorization: string) =>
  t.app.inject({ method: 'GET', url: `/v1/valuations/${encodeURIComponent(id)}`, headers: { authorization } });

describe('stored valuations', () => {
  it('every valuation has an opaque id; GET returns exactly what was answered, before and after the write, and after a new champion', async () => {
    const res = await post('/v1/valuations', STONE, acme);
    expect(res.statusCode).toBe(200);
    const answer = JSON.parse(res.body);
    expect(answer.id).toMatch(/^val_[A-Za-z0-9_-]{22}$/);
    expect(Date.parse(answer.valuedAt)).toBeGreaterThan(Date.now() - 60_000);
    const fromMemory = await get(answer.id, acme);
    expect(fromMemory.statusCode).toBe(200);
    expect(fromMemory.body).toBe(`{"valuation":${res.body},"stone":${JSON.stringify(STONE)}}`);
    await t.quotes!.flush();
    expect(countValuations(home.db)).toBeGreaterThan(0);
    const fromDisk = await get(answer.id, acme);
    expect(fromDisk.body).toBe(fromMemory.body);
    home.promote({ seed: 9, rows: 3000 });
    await t.models.refresh();
    const now = JSON.parse((await post('/v1/valuations', STONE, acme)).body);
    expect(now.modelVersion).not.toBe(answer.modelVersion);
    expect(JSON.parse((await get(answer.id, acme)).body).valuation).toEqual(answer);
  });

  it('a key sees only its own valuations (others get 404, not 403); an admin key sees all; unknown ids are 404', async () => {
    const { id } = JSON.parse((await post('/v1/valuations?explain=false', STONE, acme)).body);
    expect((await get(id, acme)).statusCode).toBe(200);
    expect((await get(id, admin)).statusCode).toBe(200);
    const theirs = expectProblem(await get(id, other), 404);
    const unknown = expectProblem(await get('val_AAAAAAAAAAAAAAAAAAAAAA', acme), 404);
    expect(theirs.title).toBe(unknown.title);
    expectProblem(await get('x'.repeat(300), acme), 400);
    expectProblem(await get(id, ''), 401);
  });

  it('ids are unguessable: 1,000 valuations, 1,000 distinct ids of 80 random bits after the time', async () => {
    const res = await post(
      '/v1/valuations/batch?explain=false',
      { stones: Array.from({ length: 1000 }, () => STONE) },
      acme,
    );
    const ids: string[] = JSON.parse(res.body).results.map((r: { valuation: { id: string } }) => r.valuation.id);
    expect(new Set(ids).size).toBe(1000);
    // 16 bytes each: the time of the valuation (48 bits, so ids made together are stored together), then 80
    // random bits, which differ between every two ids even made in the same millisecond
    const bytes = ids.map((id) => Buffer.from(id.slice(4), 'base64url'));
    for (const b of bytes) expect(b).toHaveLength(16);
    const now = Date.now();
    for (const b of bytes) expect(now - b.readUIntBE(0, 6)).toBeLessThan(60_000);
    expect(new Set(bytes.map((b) => b.subarray(6).toString('hex'))).size).toBe(1000);
  });
});

describe('batch refs and ids', () => {
  it("each valued item has its own id and its ref; a ref that is not a short text is that item's problem", async () => {
    const stones = [
      { ...STONE, ref: 'lot-17' },
      { ...STONE, ref: 17 },
      { ...STONE, ref: 'x'.repeat(101) },
      STONE,
      { ...STONE, carat: 90, ref: 'bad carat' },
    ];
    const res = await post('/v1/valuations/batch?explain=false', { stones }, acme);
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, false, false, true, false]);
    expect(body.results[0].ref).toBe('lot-17');
    expect(body.results[1].errors).toEqual([
      expect.objectContaining({
        field: 'stones/1/ref',
        code: 'wrong_type',
        message: 'ref must be a text, not a number.',
      }),
    ]);
    expect(body.results[2].errors[0]).toMatchObject({ field: 'stones/2/ref', code: 'too_long' });
    expect(body.results[3].ref).toBeUndefined();
    expect(body.results[4]).toMatchObject({ ref: 'bad carat', ok: false });
    expect(body.results[0].valuation.id).not.toBe(body.results[3].valuation.id);
    const stored = JSON.parse((await get(body.results[0].valuation.id, acme)).body);
    expect(stored).toEqual({ valuation: body.results[0].valuation, stone: STONE, ref: 'lot-17' });
  });
});

describe('Idempotency-Key', () => {
  it('the same key and body within 24 h: the same answer and id, marked as replayed; another body: 409', async () => {
    const key = { 'idempotency-key': 'order-1234' };
    const first = await post('/v1/valuations', STONE, acme, key);
    const again = await post('/v1/valuations', STONE, acme, key);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    await t.quotes!.flush(); // from the database too
    expect((await post('/v1/valuations', STONE, acme, key)).body).toBe(first.body);
    const changed = await post('/v1/valuations', { ...STONE, carat: 0.91 }, acme, key);
    expect(expectProblem(changed, 409).type).toBe('/problems/idempotency-conflict');
    expectProblem(await post('/v1/valuations?explain=false', STONE, acme, key), 409);
    // keys are per partner: another key's "order-1234" is its own
    const theirs = await post('/v1/valuations', STONE, other, key);
    expect(JSON.parse(theirs.body).id).not.toBe(JSON.parse(first.body).id);
  });

  it('batches too; concurrent retries wait for the first and get its answer', async () => {
    const key = { 'idempotency-key': 'batch-9' };
    const body = { stones: [{ ...STONE, ref: 'a' }, STONE] };
    const answers = await Promise.all([1, 2, 3].map(() => post('/v1/valuations/batch', body, acme, key)));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
  });

  it('a key over 255 characters, empty or with control characters: 400 naming the header', async () => {
    for (const bad of ['k'.repeat(256), '', 'a\tb']) {
      const res = await post('/v1/valuations', STONE, acme, { 'idempotency-key': bad });
      const problem = expectProblem(res, 400);
      expect(problem.errors[0]).toMatchObject({ field: 'Idempotency-Key', code: 'invalid_header' });
    }
    expect((await post('/v1/valuations', STONE, acme, { 'idempotency-key': 'k'.repeat(255) })).statusCode).toBe(200);
  });

  it('an Idempotency-Key sent twice is a 400 (Node would join the two into one key)', async () => {
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = new URL(base);
      const body = JSON.stringify(STONE);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('data', (c) => chunks.push(c));
        socket.on('error', reject);
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
        socket.end(
          `POST /v1/valuations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${acme}\r\nConnection: close\r\n` +
            'Content-Type: application/json\r\nIdempotency-Key: a1\r\nIdempotency-Key: a2\r\n' +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      const problem = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(problem.errors[0]).toMatchObject({ field: 'Idempotency-Key', code: 'invalid_header' });
      expect(problem.detail).toMatch(/sent more than once/);
    } finally {
      await t.app.server.close();
    }
  });

  it('one key names one request across both valuation routes: the key of a single stone reused for a batch is a 409', async () => {
    const key = { 'idempotency-key': 'order-both' };
    expect((await post('/v1/valuations', STONE, acme, key)).statusCode).toBe(200);
    const batch = await post('/v1/valuations/batch', { stones: [STONE] }, acme, key);
    expect(expectProblem(batch, 409).type).toBe('/problems/idempotency-conflict');
    await t.quotes!.flush(); // and from the database
    expectProblem(await post('/v1/valuations/batch', { stones: [STONE] }, acme, key), 409);
    const again = await post('/v1/valuations', STONE, acme, key);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('a failed answer is not kept: the same bad body fails again, and the corrected body is valued under the same key', async () => {
    const key = { 'idempotency-key': 'bad-then' };
    expectProblem(await post('/v1/valuations', { ...STONE, carat: 90 }, acme, key), 400);
    expectProblem(await post('/v1/valuations', { ...STONE, carat: 90 }, acme, key), 400);
    expect((await post('/v1/valuations', STONE, acme, key)).statusCode).toBe(200);
  });
});

describe('retention', () => {
  it('valuations are kept by default; with a retention, older ones go, and idempotency records after 24 h', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const db = openDatabase(':memory:');
    const store = new QuoteStore(sqliteStore(db), null, { now: () => now, retentionDays: 30 });
    const keep = new QuoteStore(sqliteStore(db), null, { now: () => now });
    const row = (id: string, at: number) => ({
      id,
      at,
      keyId: null,
      modelVersion: 'v',
      stone: '{}',
      ref: null,
      answer: '{}',
    });
    store.saveValuation(row('val_old', now - 31 * 86_400_000));
    store.saveValuation(row('val_new', now - 29 * 86_400_000));
    store.saveIdempotent({
      keyId: 0,
      route: '/r',
      idempotencyKey: 'k',
      fingerprint: 'f'.repeat(64),
      at: now - 25 * 3_600_000,
      answer: '{}',
    });
    await store.flush();
    expect(await store.idempotent(0, '/r', 'k')).toBeUndefined(); // older than 24 h: not found even before it is purged
    expect(await keep.purge()).toEqual({ valuations: 0, idempotency: 1 });
    expect(await store.purge()).toEqual({ valuations: 1, idempotency: 0 });
    expect(await store.valuation('val_old')).toBeUndefined();
    expect(await store.valuation('val_new')).toBeDefined();
    await store.close();
    await keep.close();
    db.close();
  });

  it('a purge the database refuses is reported and tried again at the next interval', async () => {
    const db = openDatabase(':memory:');
    const store = sqliteStore(db);
    let refusals = 2;
    const refusing = {
      ...store,
      purgeQuotes: (valuationsBefore: number | null, idempotencyBefore: number) =>
        refusals-- > 0
          ? Promise.reject(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))
          : store.purgeQuotes(valuationsBefore, idempotencyBefore),
    };
    const errors: string[] = [];
    const quotes = new QuoteStore(refusing, null, {
      retentionDays: 30,
      purgeIntervalMs: 5,
      onPurgeError: (err) => errors.push(err.message),
    });
    await until(() => refusals < 0, 'a third purge, after two refused');
    expect(errors).toEqual(['database is locked', 'database is locked']);
    await quotes.close();
    db.close();
  });
});

describe('the writer thread', () => {
  it('a valuation just answered is found before, during and after its commit; runs of rows are written as sent', async () => {
    const home = await testHome({ ingest: false, promote: false });
    const quotes = threadedQuoteStore(sqliteStore(home.db), home.paths.database, { flushIntervalMs: 5 });
    // 40 valuations with idempotency records between some of them: runs of one statement longer and shorter than
    // the thread's multi-row insert, a duplicate id (kept once, as sent first), refs, keys and texts that differ.
    const sent: StoredValuationRow[] = [];
    for (let i = 0; i < 40; i++) {
      const row = {
        ...numberedValuation(i, JSON.stringify({ price: 1000 + i, note: `it's "${i}"` })),
        at: 1_700_000_000_000 + i,
        keyId: i % 3 === 0 ? null : i,
        ref: i % 4 === 0 ? `ref ${i}` : null,
        stone: JSON.stringify({ carat: i / 10 }),
      };
      quotes.saveValuation(row);
      sent.push(row);
      if (i === 20 || i === 27) {
        const idem = {
          keyId: 1,
          route: 'POST /v1/valuations',
          idempotencyKey: `k${i}`,
          fingerprint: 'f'.repeat(64),
          at: Date.now(),
        };
        quotes.saveIdempotent({ ...idem, answer: '{"price":1}' });
      }
      // Asked for at once: from this thread's queue, or from the writer thread before its commit.
      if (i % 7 === 0) expect((await quotes.valuation(row.id))?.answer).toBe(row.answer);
    }
    quotes.saveValuation({ ...numberedValuation(5, '{"price":0}'), at: 1_700_000_000_000 });
    for (const row of sent) {
      expect(await quotes.valuation(row.id)).toEqual({
        id: row.id,
        at: new Date(row.at).toISOString(),
        keyId: row.keyId,
        stone: row.stone,
        ref: row.ref,
        answer: row.answer,
      });
    }
    expect(await quotes.close()).toBe(0);
    expect(countValuations(home.db)).toBe(40);
    const stored = home.db
      .prepare('SELECT id, at, key_id AS keyId, stone, ref, answer FROM valuations ORDER BY id')
      .all() as { id: string; at: string }[];
    expect(stored).toEqual(
      sent.map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        keyId: r.keyId,
        stone: r.stone,
        ref: r.ref,
        answer: r.answer,
      })),
    );
    expect((home.db.prepare('SELECT count(*) AS n FROM idempotency_keys').get() as { n: number }).n).toBe(2);
    home.cleanup();
  });
});

describe('closing while the writer is behind', () => {
  const db = openDatabase(':memory:');
  const rows = Array.from({ length: 300 }, (_, i) => numberedValuation(i, '{"price":1}'));

  it('hands the last rows over once the writer takes them, and says none were lost', async () => {
    const { taken, write } = behindWriter<QuoteWrite>(5);
    const quotes = new QuoteStore(sqliteStore(db), { write, close: async () => 0 }, { flushIntervalMs: 60_000 });
    for (const row of rows) quotes.saveValuation(row);
    expect(await quotes.close()).toBe(0);
    expect(taken.map((w) => w[1])).toEqual(rows.map((r) => r.id));
  });

  it('counts the rows a writer never takes as not written', async () => {
    const { taken, write } = behindWriter<QuoteWrite>(Number.POSITIVE_INFINITY);
    const writer = { write, close: async () => 0 };
    const quotes = new QuoteStore(sqliteStore(db), writer, { flushIntervalMs: 60_000, closeHandoverMs: 50 });
    for (const row of rows) quotes.saveValuation(row);
    expect(await quotes.close()).toBe(rows.length);
    expect(taken).toEqual([]);
  });

  it('the request log and the stored valuations are written out at once: on a full disk each waits, not one after the other', async () => {
    // Each writer retries for 10 s on close while the disk is full; one after the other, a SIGTERM took 20 s.
    let logClosing = false;
    let quotesClosing = false;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const requestLog = new RequestLog(() => {}, {
      onClose: () => {
        logClosing = true;
        return finished;
      },
    });
    const writer = {
      write() {},
      close: async () => {
        quotesClosing = true;
        await finished;
        return 0;
      },
    };
    const quotes = new QuoteStore(sqliteStore(home.db), writer, { flushIntervalMs: 60_000 });
    const models = new ModelSource(registryChampions(sqliteStore(home.db)), { pollMs: 60_000 });
    await models.refresh();
    const app = await buildApp({ store: sqliteStore(home.db), models, open: true, requestLog, quotes });
    await app.ready();
    const closed = app.close();
    try {
      await until(() => logClosing && quotesClosing, 'both writers closing before either has finished', 5_000);
    } finally {
      finish();
      await closed;
      models.stop();
    }
  });
});

describe('a full disk (SQLite max_page_count)', () => {
  it("the writer thread's queue is bounded (oldest dropped and counted), and writing resumes when space returns", async () => {
    const home = await testHome({ ingest: false, promote: false });
    // Room that a delete can give back later: a table of about 400 kB, beside 30 free pages.
    home.db.exec(
      'CREATE TABLE filler (b BLOB); INSERT INTO filler SELECT zeroblob(4000) FROM (SELECT value FROM json_each(json_array(0,1,2,3,4,5,6,7,8,9))), json_each(json_array(0,1,2,3,4,5,6,7,8,9))',
    );
    const pages = home.db.pragma('page_count', { simple: true }) as number;
    const events: FromWriter[] = [];
    const quotes = threadedQuoteStore(sqliteStore(home.db), home.paths.database, {
      pragmas: [`max_page_count = ${pages + 30}`],
      maxQueued: 2000,
      maxInFlight: 500,
      maxWaiting: 2000,
      chunk: 100,
      flushIntervalMs: 10,
      // the disk is still too full for all that waits when it closes: what is left counts as lost after this, not
      // after the 10 s a server waits
      closeWaitMs: 500,
      onEvent: (e) => events.push(e),
    });
    const answer = JSON.stringify({ price: 4530, explanation: { summary: 'x'.repeat(1000) } });
    const id = valuationIdOf;
    const total = 20_000;
    for (let i = 0; i < total; i++) {
      quotes.saveValuation(numberedValuation(i, answer));
      if (i % 500 === 499) await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => events.some((e) => e.type === 'failing'), 'the failure report');
    expect(events.find((e) => e.type === 'failing')).toMatchObject({ message: expect.stringMatching(/full/) });
    // Bounded: the thread keeps maxQueued rows; the oldest were dropped, and leave this thread's memory too.
    // (the first rows fit before the disk filled; those after, up to the newest few thousand, cannot all wait)
    for (let n = 0; (await quotes.valuation(id(10_000))) !== undefined; n++) {
      if (n > 1000) throw new Error('the oldest valuation was never dropped');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(quotes.backlog.waiting).toBeLessThanOrEqual(2000);
    expect(await quotes.valuation(id(total - 1))).toBeDefined(); // the newest wait, and are found
    // Space returns: the filler goes, its pages are reused, and what waits is written (as much as fits).
    const before = countValuations(home.db);
    home.db.exec('DROP TABLE filler');
    await until(() => events.some((e) => e.type === 'recovered'), 'the recovery');
    const recovered = events.find((e) => e.type === 'recovered') as Extract<FromWriter, { type: 'recovered' }>;
    expect(recovered.dropped).toBeGreaterThan(0);
    const notWritten = await quotes.close();
    // Every valuation is accounted for: written, or dropped and counted.
    expect(countValuations(home.db) + notWritten + quotes.backlog.dropped).toBe(total);
    expect(countValuations(home.db)).toBeGreaterThan(before + 100);
    home.cleanup();
  }, 60_000);
});
