/**
 * The headers partners' developers expect: X-Request-Id on every answer (and in the request log), the IETF
 * RateLimit fields on keyed answers, CORS only for the configured origins, ETags on the model resources.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCorsOrigins } from '../../src/api/settings.js';
import { RateLimiter } from '../../src/api/rate-limit.js';
import { createKey } from '../../src/store/keys.js';
import { listRequests } from '../../src/store/requests.js';
import { expectProblem, STONE, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

let home: TestHome;
let keyed: TestApp;
let withCors: TestApp;
let partner: string;
let clock = 0;

beforeAll(async () => {
  home = await testHome();
  keyed = await testApp(home, { open: false, limiter: new RateLimiter(() => clock), flushIntervalMs: 10 });
  withCors = await testApp(home, { open: false, requestLog: false, corsOrigins: ['https://shop.example'] });
  partner = `Bearer ${createKey(home.db, { name: 'ACME', scopes: ['valuations'], ratePerMinute: 3 }).secret}`;
});
afterAll(async () => {
  await keyed.app.close();
  await withCors.app.close();
  home.cleanup();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  it('is on every answer: successes, problems, unknown routes, undecodable URLs, public pages', async () => {
    const answers = [
      await keyed.app.inject({ method: 'GET', url: '/healthz' }),
      await keyed.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE }), // 401
      await keyed.app.inject({ method: 'GET', url: '/nowhere' }),
      await keyed.app.inject({ method: 'GET', url: '/v1/models/%E0%A4%A' }),
    ];
    for (const res of answers) expect(res.headers['x-request-id']).toMatch(UUID);
    expect(new Set(answers.map((r) => r.headers['x-request-id'])).size).toBe(answers.length);
  });

  it('keeps a sane id the caller sent, replaces anything else, and the request log has it', async () => {
    const mine = 'acme-order-42.retry:1';
    const sane = await keyed.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': mine } });
    expect(sane.headers['x-request-id']).toBe(mine);
    for (const bad of ['', 'x'.repeat(129), 'has space', 'new\u0085line', '<script>']) {
      const res = await keyed.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
    const problem = await keyed.app.inject({
      method: 'GET',
      url: '/v1/models',
      headers: { 'x-request-id': 'ticket-7' },
    });
    expect(problem.statusCode).toBe(401);
    keyed.requestLog!.flush();
    const [logged] = listRequests(home.db, { limit: 1, requestId: 'ticket-7' });
    expect(logged).toMatchObject({ requestId: 'ticket-7', status: 401, route: '/v1/models' });
    expect(listRequests(home.db, { limit: 1, requestId: mine })[0].route).toBe('/healthz');
  });
});

describe('RateLimit headers', () => {
  it('every keyed answer says the limit, what is left and when it is full again; a 429 adds Retry-After', async () => {
    clock = 0;
    const limiter = new RateLimiter(() => clock);
    const app = await testApp(home, { open: false, requestLog: false, limiter });
    const key = `Bearer ${createKey(home.db, { name: 'small', scopes: ['valuations'], ratePerMinute: 3 }).secret}`;
    try {
      const seen = [];
      for (let i = 0; i < 4; i++)
        seen.push(await app.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: key } }));
      expect(seen.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
      expect(seen.map((r) => r.headers['ratelimit-limit'])).toEqual(['3', '3', '3', '3']);
      expect(seen.map((r) => r.headers['ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
      // 3 a minute: one token every 20 s, so a bucket short of n tokens is full in 20·n s
      expect(seen.map((r) => r.headers['ratelimit-reset'])).toEqual(['20', '40', '60', '60']);
      expect(seen[3].headers['retry-after']).toBe('20');
      expectProblem(seen[3], 429);
      clock = 20_000;
      const later = await app.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: key } });
      expect(later.statusCode).toBe(200);
      expect(later.headers['ratelimit-remaining']).toBe('0');
    } finally {
      await app.app.close();
    }
  });

  it('unkeyed answers (public pages, open mode) carry none', async () => {
    const res = await keyed.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['ratelimit-limit']).toBeUndefined();
  });
});

describe('CORS', () => {
  const preflight = (app: TestApp, origin: string) =>
    app.app.inject({
      method: 'OPTIONS',
      url: '/v1/valuations',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });

  it("answers an allowed origin's preflight with the origin, methods and headers, without a key", async () => {
    const res = await preflight(withCors, 'https://shop.example');
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST');
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/Authorization.*Content-Type.*Idempotency-Key/);
    expect(res.headers['x-request-id']).toMatch(UUID);
    const actual = await withCors.app.inject({
      method: 'POST',
      url: '/v1/valuations',
      payload: STONE,
      headers: { origin: 'https://shop.example', authorization: partner },
    });
    expect(actual.statusCode).toBe(200);
    expect(actual.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(String(actual.headers['access-control-expose-headers'])).toMatch(/X-Request-Id.*RateLimit-Remaining/);
  });

  it('allows nothing to another origin, and nothing at all by default', async () => {
    for (const app of [withCors, keyed]) {
      const res = await preflight(app, 'https://evil.example');
      expectProblem(res, 404);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const get = await app.app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('LOUPE_CORS_ORIGINS is a comma-separated list of origins; anything else is refused by name', () => {
    expect(parseCorsOrigins(undefined)).toEqual([]);
    expect(parseCorsOrigins(' https://a.example , http://localhost:5173,')).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(parseCorsOrigins('*')).toEqual(['*']);
    expect(() => parseCorsOrigins('https://a.example/path')).toThrow(/"https:\/\/a.example\/path" is not an origin/);
    expect(() => parseCorsOrigins('shop.example')).toThrow(/not an origin/);
  });
});

describe('answers given before routing', () => {
  const SAME = [
    'x-content-type-options',
    'content-security-policy',
    'x-frame-options',
    'referrer-policy',
    'cross-origin-opener-policy',
    'access-control-allow-origin',
    'access-control-expose-headers',
    'vary',
  ];
  let browser: string;
  beforeAll(() => {
    browser = `Bearer ${createKey(home.db, { name: 'shop-app', scopes: ['valuations'], ratePerMinute: 600 }).secret}`;
  });
  const get = (url: string, authorization = browser) =>
    withCors.app.inject({ method: 'GET', url, headers: { origin: 'https://shop.example', authorization } });

  it('an undecodable URL or an over-long path parameter has the headers of any other answer', async () => {
    const usual = await get('/v1/valuations/nope'); // a 404 from the route, after every hook
    expectProblem(usual, 404);
    expect(usual.headers['ratelimit-limit']).toBe('600');
    let remaining = Number(usual.headers['ratelimit-remaining']);
    for (const url of ['/v1/valuations/%E0%A4%A', `/v1/valuations/${'a'.repeat(201)}`]) {
      const res = await get(url);
      expectProblem(res, 400);
      for (const h of [...SAME, 'ratelimit-limit'])
        expect([url.slice(0, 20), h, res.headers[h]]).toEqual([url.slice(0, 20), h, usual.headers[h]]);
      // a keyed answer: it counts against the key's limit like any other, and says so
      expect(Number(res.headers['ratelimit-remaining'])).toBe(--remaining);
      expect(res.headers['ratelimit-reset']).toMatch(/^\d+$/);
    }
    const other = await withCors.app.inject({
      method: 'GET',
      url: '/v1/%',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is let in as any other request first: no key is a 401, a key past its limit a 429, as for an unknown route', async () => {
    const url = '/v1/valuations/%E0%A4%A';
    const keyless = await withCors.app.inject({ method: 'GET', url, headers: { origin: 'https://shop.example' } });
    expectProblem(keyless, 401);
    expect(keyless.headers['access-control-allow-origin']).toBe('https://shop.example');
    const once = `Bearer ${createKey(home.db, { name: 'once', scopes: ['valuations'], ratePerMinute: 1 }).secret}`;
    expectProblem(await get(url, once), 400);
    const limited = await get(url, once);
    expectProblem(limited, 429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
  });

  it('a path parameter over 200 characters: a field problem saying what is allowed, as one of 101', async () => {
    const at101 = expectProblem(await get(`/v1/valuations/${'a'.repeat(101)}`), 400);
    const at201 = expectProblem(await get(`/v1/valuations/${'a'.repeat(201)}`), 400);
    expect(at101.errors).toEqual([
      expect.objectContaining({ field: 'id', code: 'too_long', allowed: 'a text of at most 100 characters' }),
    ]);
    expect(at201.errors).toEqual([
      {
        field: 'id',
        code: 'too_long',
        message: 'id is 201 characters long, too long; allowed is a text of at most 100 characters.',
        allowed: 'a text of at most 100 characters',
      },
    ]);
    expect(at201.detail).not.toMatch(/max param length/);
    const long = expectProblem(await get(`/v1/models/${'v'.repeat(2048)}`), 400);
    expect(long.errors[0]).toMatchObject({ field: 'version', code: 'too_long' });
    expect(long.detail.length).toBeLessThan(300);
  });
});

describe('ETag on models', () => {
  it('GET /v1/models… carries an ETag and Cache-Control; If-None-Match with it gives a bodiless 304', async () => {
    for (const url of ['/v1/models', '/v1/models/current']) {
      const auth = `Bearer ${createKey(home.db, { name: `etag${url}`, scopes: ['valuations'] }).secret}`;
      const first = await keyed.app.inject({ method: 'GET', url, headers: { authorization: auth } });
      expect(first.statusCode).toBe(200);
      const tag = first.headers.etag as string;
      expect(tag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(first.headers['cache-control']).toBe('private, no-cache');
      const again = await keyed.app.inject({
        method: 'GET',
        url,
        headers: { authorization: auth, 'if-none-match': `"other", W/${tag}` },
      });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(tag);
      const stale = await keyed.app.inject({
        method: 'GET',
        url,
        headers: { authorization: auth, 'if-none-match': '"other"' },
      });
      expect(stale.statusCode).toBe(200);
      expect(stale.body).toBe(first.body);
    }
  });

  it('the OpenAPI document lists the 304 of every operation that can answer it, with no body', async () => {
    const doc = JSON.parse((await keyed.app.inject({ method: 'GET', url: '/openapi.json' })).body) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
    };
    for (const path of ['/v1/models', '/v1/models/current', '/v1/models/{version}', '/v1/models/{version}/card']) {
      const notModified = doc.paths[path]?.get?.responses['304'];
      expect(notModified, path).toBeDefined();
      expect(notModified?.content, path).toBeUndefined();
    }
  });

  it('a promotion changes the tag', async () => {
    const auth = `Bearer ${createKey(home.db, { name: 'etag-promote', scopes: ['valuations'] }).secret}`;
    const before = await keyed.app.inject({
      method: 'GET',
      url: '/v1/models/current',
      headers: { authorization: auth },
    });
    home.promote({ seed: 7, rows: 3000 });
    const after = await keyed.app.inject({
      method: 'GET',
      url: '/v1/models/current',
      headers: { authorization: auth, 'if-none-match': before.headers.etag as string },
    });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });
});

describe('one query policy', () => {
  it('every documented endpoint refuses a query parameter it does not take: 400 unknown_field naming it', async () => {
    const doc = JSON.parse((await keyed.app.inject({ method: 'GET', url: '/openapi.json' })).body) as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string; example?: unknown }[] }>>;
    };
    const admin = `Bearer ${createKey(home.db, { name: 'query-policy', scopes: ['admin'], ratePerMinute: 10_000 }).secret}`;
    const answers: [string, number, unknown][] = [];
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(methods)) {
        // The path's own parameters from their examples, so that only the query can be wrong.
        let url = path;
        for (const p of op.parameters ?? [])
          if (p.in === 'path') url = url.replace(`{${p.name}}`, String(p.example ?? 'x'));
        const res = await keyed.app.inject({
          method: method.toUpperCase() as 'GET',
          url: `${url}?zoom=2`,
          headers: { authorization: admin },
          // A valid body where one is taken (a stone, an appraisal): the query is then the only thing wrong.
          ...(method === 'post' ? { payload: url.endsWith('/batch') ? { stones: [STONE] } : STONE } : {}),
        });
        const errors = res.statusCode === 400 ? (JSON.parse(res.body).errors as { field: string; code: string }[]) : [];
        answers.push([`${method.toUpperCase()} ${path}`, res.statusCode, errors.find((e) => e.field === 'zoom')?.code]);
      }
    expect(answers.length).toBeGreaterThan(15);
    expect(answers.filter(([, status, code]) => status !== 400 || code !== 'unknown_field')).toEqual([]);
    const none = expectProblem(await keyed.app.inject({ method: 'GET', url: '/healthz?x=1' }), 400);
    expect(none.errors).toEqual([
      {
        field: 'x',
        code: 'unknown_field',
        message: '"x" is not a field of the query string.',
        allowed: 'none: this endpoint takes no query string',
      },
    ]);
  });
});
