import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { RateLimiter } from '../../src/api/rate-limit.js';
import { RequestLog } from '../../src/api/request-log.js';
import { threadedRequestLogWriter } from '../../src/api/request-log-thread.js';
import { openDatabase } from '../../src/store/db.js';
import { createKey } from '../../src/store/keys.js';
import { countRequests, listRequests } from '../../src/store/requests.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import { requestLogEntry } from '../helpers/request-log-entry.js';
import { STONE, testApp, testHome } from './helpers.js';

const entry = (i: number) => requestLogEntry({ at: 0, route: '/x', url: `/x?${i}` });

describe('request log', () => {
  it('logs every request and answer, errors included, with latency, key and model version; flushed on close', async () => {
    const home = await testHome();
    const t = await testApp(home, { open: false, flushIntervalMs: 60_000 });
    const { key, secret } = createKey(home.db, { name: 'ACME', scopes: ['valuations'] });
    const auth = { authorization: `Bearer ${secret}` };
    await t.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE, headers: auth });
    await t.app.inject({ method: 'POST', url: '/v1/valuations', payload: { ...STONE, carat: 99 }, headers: auth });
    await t.app.inject({
      method: 'POST',
      url: '/v1/valuations',
      payload: '{oops',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    await t.app.inject({ method: 'GET', url: '/v1/models' });
    // Nothing is written in the request's path...
    expect(countRequests(home.db)).toBe(0);
    // ...and nothing is lost when the server closes.
    await t.app.close();
    const rows = listRequests(home.db, { limit: 10 }).reverse();
    expect(rows.map((r) => [r.route, r.status])).toEqual([
      ['/v1/valuations', 200],
      ['/v1/valuations', 400],
      ['/v1/valuations', 400],
      ['/v1/models', 401],
    ]);
    expect(rows[0]).toMatchObject({ method: 'POST', keyId: key.id, keyName: 'ACME', modelVersion: 'v0001' });
    expect(rows[0].latencyMs).toBeGreaterThan(0);
    expect(rows[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(rows[0].at) - Date.now())).toBeLessThan(120_000);
    expect(JSON.parse(rows[0].requestBody!)).toEqual(STONE);
    expect(rows[0].responseBody).toMatch(/^\{"price":\d+,"currency":"USD","range":\{/); // a summary of a success
    expect(JSON.parse(rows[1].responseBody!).errors[0].field).toBe('carat');
    expect(rows[2].requestBody).toBe('{oops');
    expect(rows[3]).toMatchObject({ keyId: null, modelVersion: null });
    home.cleanup();
  });

  it('keeps no API key sent in a URL by mistake: the log and the problem name only its listed prefix', async () => {
    const home = await testHome();
    const t = await testApp(home, { open: false, flushIntervalMs: 60_000 });
    const { key, secret } = createKey(home.db, { name: 'ACME', scopes: ['valuations'] });
    const shown = `${key.prefix}[redacted]`;
    const encoded = secret.replace('lp_', 'lp%5F');
    const answers = [
      await t.app.inject({ method: 'GET', url: `/v1/models/current?api_key=${secret}` }),
      await t.app.inject({ method: 'GET', url: `/v1/models/current?token=${encoded}` }),
      await t.app.inject({ method: 'GET', url: `/v1/nope/${secret}`, headers: { authorization: `Bearer ${secret}` } }),
      await t.app.inject({
        method: 'GET',
        url: `/v1/models/current?api_key=${secret}`,
        headers: { authorization: `Bearer ${secret}` },
      }),
    ];
    // With a valid key, the stray parameter is an unknown field of the query (the one query policy).
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 404, 400]);
    expect(answers[3].json().errors[0]).toMatchObject({ field: 'api_key', code: 'unknown_field' });
    for (const a of answers) {
      expect(a.body).not.toContain(secret.slice(9));
      expect(a.json().instance).toContain(shown);
    }
    expect(answers[2].json().detail).toContain(shown);
    await t.app.close();
    const rows = listRequests(home.db, { limit: 10 }).reverse();
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(JSON.stringify(r)).not.toContain(secret.slice(9));
      expect(r.url).toContain(shown);
    }
    expect(rows[3].keyId).toBe(key.id);
    home.cleanup();
  });

  it('keeps no API key sent in a body or in a header other than Authorization, in the request log or the server log', async () => {
    const home = await testHome();
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    const t = await testApp(home, { open: false, flushIntervalMs: 60_000, logger });
    const { secret } = createKey(home.db, { name: 'ACME', scopes: ['admin'] });
    // Another key, pasted where it does not belong: in a stone's ref, a grade, a broken body, a header.
    const { key: other, secret: pasted } = createKey(home.db, { name: 'Other', scopes: ['valuations'] });
    const shown = `${other.prefix}[redacted]`;
    const auth = { authorization: `Bearer ${secret}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const answers = [
      await t.app.inject({
        method: 'POST',
        url: '/v1/valuations/batch',
        payload: { stones: [{ ...STONE, ref: pasted }] },
        headers: auth,
      }),
      await t.app.inject({ method: 'POST', url: '/v1/valuations', payload: { ...STONE, cut: pasted }, headers: auth }),
      await t.app.inject({ method: 'POST', url: '/v1/valuations', payload: `{"key": "${pasted}"`, headers: json }),
      await t.app.inject({
        method: 'POST',
        url: '/v1/appraisals',
        payload: { ...STONE, price: 4000, ref: pasted },
        headers: auth,
      }),
      await t.app.inject({
        method: 'GET',
        url: '/v1/models',
        headers: { ...auth, 'x-request-id': pasted, 'x-api-key': pasted, cookie: `key=${pasted}` },
      }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 400, 400, 201, 200]);
    // A request id that is a key is not kept: the answer and the log name the request by a new one.
    expect(answers[4].headers['x-request-id']).not.toContain(pasted.slice(9));
    await t.app.close();
    const rows = listRequests(home.db, { limit: 10 }).reverse();
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(JSON.stringify(r)).not.toContain(pasted.slice(9));
    expect(rows[0].requestBody).toContain(shown);
    expect(rows[1].responseBody).toContain(shown);
    expect(rows[2].requestBody).toBe(`{"key": "${shown}"`);
    expect(lines.join('')).not.toContain(pasted.slice(9));
    home.cleanup();
  });

  it('a failure inside Loupe is logged without any key its message carries', async () => {
    const home = await testHome();
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    const { secret } = createKey(home.db, { name: 'ACME', scopes: ['admin'] });
    const failing = sqliteStore(home.db);
    failing.listModels = async () => {
      throw new Error(`no such version: ${secret}`);
    };
    const t = await testApp(home, { open: false, logger, store: failing });
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/models',
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(res.statusCode).toBe(500);
    await t.app.close();
    const logged = lines.join('');
    expect(logged).toContain('request failed');
    expect(logged).toContain(`no such version: ${secret.slice(0, 9)}[redacted]`);
    expect(logged).not.toContain(secret.slice(9));
    home.cleanup();
  });

  it('logs answers given before routing or parsing too: a bad URL, a too-large body, a wrong media type', async () => {
    const home = await testHome({ promote: false });
    const t = await testApp(home);
    await t.app.inject({ method: 'GET', url: '/v1/%' });
    await t.app.inject({
      method: 'POST',
      url: '/v1/valuations',
      payload: 'x'.repeat(70_000),
      headers: { 'content-type': 'application/json' },
    });
    await t.app.inject({
      method: 'POST',
      url: '/v1/valuations',
      payload: 'x',
      headers: { 'content-type': 'text/csv' },
    });
    await t.app.close();
    const rows = listRequests(home.db, { limit: 10 }).reverse();
    expect(rows.map((r) => r.status)).toEqual([400, 413, 415]);
    for (const r of rows) expect(JSON.parse(r.responseBody!).status).toBe(r.status);
    home.cleanup();
  });

  it('names the key of every request made with a valid key, a 403 (scope) or a 429 (its rate limit) too', async () => {
    const home = await testHome();
    const t = await testApp(home, { open: false, limiter: new RateLimiter(() => 0) });
    const narrow = createKey(home.db, { name: 'narrow', scopes: ['valuations'], ratePerMinute: 1 });
    const admin = createKey(home.db, { name: 'ops', scopes: ['admin'] }).secret;
    const auth = { authorization: `Bearer ${narrow.secret}` };
    expect((await t.app.inject({ method: 'GET', url: '/v1/requests', headers: auth })).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE, headers: auth })).statusCode,
    ).toBe(200);
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE, headers: auth })).statusCode,
    ).toBe(429);
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/requests?limit=10`,
      headers: { authorization: `Bearer ${admin}` },
    });
    const rows = (res.json().requests as { status: number; keyId: number | null; keyName: string | null }[]).reverse();
    expect(rows.map((r) => [r.status, r.keyId, r.keyName])).toEqual([
      [403, narrow.key.id, 'narrow'],
      [200, narrow.key.id, 'narrow'],
      [429, narrow.key.id, 'narrow'],
    ]);
    await t.app.close();
    home.cleanup();
  });

  it('writes in batches: one write per flush, and a failed write is kept for the next one', async () => {
    const batches: number[] = [];
    let fail = true;
    const onError = vi.fn();
    const log = new RequestLog(
      (entries) => {
        if (fail) throw new Error('database is locked');
        batches.push(entries.length);
      },
      { flushIntervalMs: 60_000, onError },
    );
    for (let i = 0; i < 5; i++) log.push(entry(i));
    log.flush();
    log.flush();
    expect(onError).toHaveBeenCalledOnce();
    expect(log.pending).toBe(5);
    fail = false;
    log.push(entry(5));
    await log.close();
    expect(batches).toEqual([6]);
    expect(log.stats).toEqual({ written: 6, pending: 0, dropped: 0 });
    expect(onError).toHaveBeenCalledOnce(); // once per run of failures, not on every retry
  });

  it('flushes by itself when many entries wait', async () => {
    const batches: number[] = [];
    const log = new RequestLog((entries) => batches.push(entries.length), { flushIntervalMs: 60_000, maxBatch: 10 });
    for (let i = 0; i < 10; i++) log.push(entry(i));
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([10]);
    await log.close();
  });

  it('GET /v1/requests pages newest first and filters by status', async () => {
    const home = await testHome();
    const t = await testApp(home);
    for (let i = 0; i < 5; i++)
      await t.app.inject({ method: 'POST', url: '/v1/valuations', payload: i % 2 ? { ...STONE, cut: 'bad' } : STONE });
    const first = (await t.app.inject({ method: 'GET', url: '/v1/requests?limit=2' })).json();
    expect(first.requests).toHaveLength(2);
    expect(first.requests[0].id).toBeGreaterThan(first.requests[1].id);
    const next = (await t.app.inject({ method: 'GET', url: `/v1/requests?limit=2&before=${first.nextBefore}` })).json();
    expect(next.requests[0].id).toBeLessThan(first.requests[1].id);
    const bad = (await t.app.inject({ method: 'GET', url: '/v1/requests?status=400&route=/v1/valuations' })).json();
    expect(bad.requests).toHaveLength(2);
    await t.app.close();
    home.cleanup();
  });

  it('on a writer thread: every entry is written by close(), even while another connection holds the write lock', async () => {
    const home = await testHome({ ingest: false, promote: false });
    const writer = threadedRequestLogWriter(home.paths.database);
    const log = new RequestLog((entries) => writer.write(entries), {
      flushIntervalMs: 60_000,
      onClose: () => writer.close(),
    });
    const blocker = openDatabase(home.paths.database);
    blocker.pragma('busy_timeout = 0');
    blocker.exec('BEGIN IMMEDIATE'); // a long write elsewhere (e.g. the pipeline)
    for (let i = 0; i < 2500; i++) log.push(entry(i));
    log.flush();
    const released = new Promise((r) =>
      setTimeout(() => {
        blocker.exec('COMMIT');
        blocker.close();
        r(null);
      }, 300),
    );
    await log.close();
    await released;
    expect(countRequests(home.db)).toBe(2500);
    home.cleanup();
  });
});
