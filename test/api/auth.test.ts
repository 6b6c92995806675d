import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertOpenAllowed, isLoopback, resolvesToLoopback } from '../../src/api/auth.js';
import { RateLimiter } from '../../src/api/rate-limit.js';
import { createKey, hashKey, listKeys, revokeKey } from '../../src/store/keys.js';
import { expectProblem, STONE, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

let home: TestHome;
let t: TestApp;
let partner: string;
let admin: string;

beforeAll(async () => {
  home = await testHome();
  t = await testApp(home, { open: false });
  partner = createKey(home.db, { name: 'ACME', scopes: ['valuations'] }).secret;
  admin = createKey(home.db, { name: 'ops', scopes: ['admin'] }).secret;
});
afterAll(async () => {
  await t.app.close();
  home.cleanup();
});

const value = (key?: string, url = '/v1/valuations?explain=false') =>
  t.app.inject({ method: 'POST', url, payload: STONE, headers: key === undefined ? {} : { authorization: key } });

describe('API keys', () => {
  it('are stored as a hash and a short prefix, never the key', () => {
    const rows = home.db.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
    expect(rows.map((r) => r.sha256)).toContain(hashKey(partner));
    expect(JSON.stringify(rows)).not.toContain(partner);
    expect(partner).toMatch(/^lp_[A-Za-z0-9_-]{43}$/);
    expect(listKeys(home.db)[0].prefix).toBe(partner.slice(0, 9));
  });

  it('without a key: 401 with WWW-Authenticate; health, docs and the OpenAPI document stay public', async () => {
    const res = await value();
    expect(expectProblem(res, 401).type).toBe('/problems/unauthorized');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    for (const url of ['/healthz', '/readyz', '/openapi.json', '/docs'])
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(200);
  });

  it('a wrong, malformed or revoked key: 401', async () => {
    expectProblem(await value('Bearer lp_notakey'), 401);
    expectProblem(await value(partner), 401); // no "Bearer "
    const { secret } = createKey(home.db, { name: 'gone', scopes: ['valuations'] });
    expect((await value(`Bearer ${secret}`)).statusCode).toBe(200);
    revokeKey(home.db, 'gone');
    expectProblem(await value(`Bearer ${secret}`), 401);
  });

  it('scopes keep valuations apart from admin', async () => {
    expect((await value(`Bearer ${partner}`)).statusCode).toBe(200);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${partner}` } }))
        .statusCode,
    ).toBe(200);
    const forbidden = await t.app.inject({
      method: 'GET',
      url: '/v1/requests',
      headers: { authorization: `Bearer ${partner}` },
    });
    expect(expectProblem(forbidden, 403).detail).toMatch(/needs admin/);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/requests', headers: { authorization: `Bearer ${admin}` } }))
        .statusCode,
    ).toBe(200);
    expect((await value(`Bearer ${admin}`)).statusCode).toBe(200);
  });

  it('rate limits per key: 429 with Retry-After, other keys unaffected, tokens come back with time', async () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limited = await testApp(home, { open: false, limiter });
    try {
      const slow = createKey(home.db, { name: 'slow', scopes: ['valuations'], ratePerMinute: 3 }).secret;
      const send = (key: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/v1/valuations',
          payload: STONE,
          headers: { authorization: `Bearer ${key}` },
        });
      for (let i = 0; i < 3; i++) expect((await send(slow)).statusCode).toBe(200);
      const res = await send(slow);
      expect(expectProblem(res, 429).type).toBe('/problems/rate-limited');
      expect(Number(res.headers['retry-after'])).toBe(20);
      expect((await send(partner)).statusCode).toBe(200);
      now += 20_000;
      expect((await send(slow)).statusCode).toBe(200);
      expectProblem(await send(slow), 429);
    } finally {
      await limited.app.close();
    }
  });
});

describe('open access', () => {
  it('serves /v1 without a key when open, but still refuses a bad key', async () => {
    const open = await testApp(home, { open: true });
    try {
      expect((await open.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE })).statusCode).toBe(200);
      expectProblem(
        await open.app.inject({
          method: 'POST',
          url: '/v1/valuations',
          payload: STONE,
          headers: { authorization: 'Bearer lp_wrong' },
        }),
        401,
      );
    } finally {
      await open.app.close();
    }
  });

  it('is allowed only on a loopback address; names are resolved, not trusted', async () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(h)).toBe(true);
    // A name is not an address: ip6-localhost may be missing from /etc/hosts or point elsewhere.
    for (const h of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.com', '', 'ip6-localhost', 'ip6-loopback'])
      expect(isLoopback(h)).toBe(false);
    await expect(assertOpenAllowed('0.0.0.0')).rejects.toThrow(/only on a loopback address/);
    await expect(assertOpenAllowed('no-such-host.invalid')).rejects.toThrow(/only on a loopback address/);
    await expect(assertOpenAllowed('127.0.0.1')).resolves.toBeUndefined();
    await expect(assertOpenAllowed('localhost')).resolves.toBeUndefined(); // resolves to loopback addresses only
    expect(await resolvesToLoopback('[::1]')).toBe(true);
  });

  it('open: refuses a Host header that is not the bound loopback name (DNS rebinding)', async () => {
    const home = await testHome({ promote: false });
    const open = await testApp(home, { open: true });
    try {
      const body = expectProblem(
        await open.app.inject({ method: 'GET', url: '/v1/requests', headers: { host: 'attacker.example:3000' } }),
        403,
      );
      expect(body.detail).toMatch(/attacker\.example/);
      // No key is involved: the problem is about the Host, not what a key may do.
      expect(body).toMatchObject({ type: '/problems/wrong-host', title: 'The Host is not this server' });
      expect((await open.app.inject({ method: 'GET', url: '/problems/wrong-host' })).statusCode).toBe(200);
      expectProblem(
        await open.app.inject({ method: 'GET', url: '/healthz', headers: { host: 'attacker.example' } }),
        403,
      );
      for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'LOCALHOST']) {
        expect((await open.app.inject({ method: 'GET', url: '/healthz', headers: { host } })).statusCode).toBe(200);
      }
    } finally {
      await open.app.close();
      home.cleanup();
    }
  });
});
