/**
 * Arbitrary input at every endpoint: malformed JSON, wrong types, unknown fields, NaN, odd unicode, odd media
 * types, odd query strings and paths. No input may give a 5xx, and every error is a problem+json answer.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../src/api/routes/web.js';
import { createKey } from '../../src/store/keys.js';
import { STONE, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

let home: TestHome;
let t: TestApp;
let admin: string;

beforeAll(async () => {
  home = await testHome();
  t = await testApp(home, { open: false, requestLog: true });
  admin = `Bearer ${createKey(home.db, { name: 'fuzz', scopes: ['admin'], ratePerMinute: 1_000_000 }).secret}`;
});
afterAll(async () => {
  await t.app.close();
  home.cleanup();
});

const RUNS = { numRuns: 250 };

async function send(
  method: string,
  url: string,
  payload?: string,
  contentType?: string,
  auth: string | undefined = admin,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = { ...extra };
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (auth !== undefined) headers.authorization = auth;
  const res = await t.app.inject({ method: method as 'GET', url, payload, headers });
  // Whether web/dist exists depends on the checkout (the run's global setup builds it, but a build can fail or be
  // removed): the web app's 503 "not built yet" page is then a true answer, not a failure.
  const webNotBuilt = res.statusCode === 503 && !existsSync(join(WEB_DIST, 'index.html'));
  if (res.statusCode >= 500 && !webNotBuilt)
    throw new Error(
      `${method} ${url} ${JSON.stringify(payload)?.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`,
    );
  if (res.statusCode >= 400 && method !== 'HEAD' && !webNotBuilt) {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const p = JSON.parse(res.body);
    expect(p.status).toBe(res.statusCode);
    if (p.errors)
      for (const e of p.errors) expect(typeof e.field === 'string' && typeof e.message === 'string').toBe(true);
  } else if (method !== 'HEAD' && String(res.headers['content-type']).startsWith('application/json')) {
    JSON.parse(res.body);
  }
  return res;
}

/** Any text, including lone surrogates and control characters. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('NaN', 'Infinity', '-0', '1e999', '\u0000', '\ufeff', 'Ideal\u200b'),
);
const anyJsonValue = fc.jsonValue({ maxDepth: 3 });
const fieldValue = fc.oneof(
  anyJsonValue,
  text,
  fc.double(),
  fc.constantFrom(0, -1, 1e308, -1e308, 0.1, 10, 100, null, true, [], {}),
);

/** A stone with some fields replaced by anything, some removed, maybe extra ones. */
const mutatedStone = fc
  .record({
    replace: fc.dictionary(fc.constantFrom(...Object.keys(STONE)), fieldValue, { maxKeys: 4 }),
    remove: fc.subarray(Object.keys(STONE), { maxLength: 3 }),
    extra: fc.dictionary(text, fieldValue, { maxKeys: 2 }),
  })
  .map(({ replace, remove, extra }) => {
    const s: Record<string, unknown> = { ...STONE, ...extra, ...replace };
    for (const k of remove) delete s[k];
    return s;
  });

const body = fc.oneof(
  mutatedStone.map((s) => JSON.stringify(s)),
  anyJsonValue.map((v) => JSON.stringify(v)),
  text,
  mutatedStone.map((s) => JSON.stringify(s).slice(0, -3)), // truncated
  fc.constantFrom(
    '{"carat": NaN}',
    '{"carat": Infinity}',
    '{"carat": 0.9,}',
    '',
    ' ',
    'null',
    '[]',
    '{"__proto__": {"x": 1}}',
    '{"constructor": {"prototype": {}}}',
    '\ufeff{}',
  ),
);
const contentType = fc.oneof(
  fc.constant('application/json'),
  fc.constantFrom(
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/JSON',
    '',
  ),
  text,
);

describe('no input gives a 5xx', () => {
  it('POST /v1/valuations', async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        contentType,
        fc.constantFrom('', '?explain=false', '?explain=0', '?explain=%00'),
        async (b, type, q) => {
          await send('POST', `/v1/valuations${q}`, b, type);
        },
      ),
      RUNS,
    );
  });

  it('POST /v1/valuations with any stone-shaped JSON: 200 with a price in its range, or 400 naming fields', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedStone, async (s) => {
        const res = await send('POST', '/v1/valuations', JSON.stringify(s), 'application/json');
        if (res.statusCode === 200) {
          const v = res.json();
          // a stone may now lack its measurements (4Cs alone), so a heavy one can be valid: no range, and why
          if (v.range === null) expect(v.warnings.map((w: { code: string }) => w.code)).toContain('range_withheld');
          else {
            expect(v.range.low).toBeLessThanOrEqual(v.price);
            expect(v.price).toBeLessThanOrEqual(v.range.high);
          }
        } else if (res.statusCode === 422) {
          expect(res.json().type).toBe('/problems/beyond-limit');
        } else {
          expect(res.statusCode).toBe(400);
          expect(res.json().errors?.length ?? 0).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('POST /v1/valuations/batch', async () => {
    const batch = fc.oneof(
      fc.array(mutatedStone, { maxLength: 20 }).map((stones) => JSON.stringify({ stones })),
      fc.array(fieldValue, { maxLength: 5 }).map((stones) => JSON.stringify({ stones })),
      body,
    );
    await fc.assert(
      fc.asyncProperty(batch, contentType, async (b, type) => {
        const res = await send('POST', '/v1/valuations/batch', b, type);
        if (res.statusCode === 200) {
          const r = res.json();
          expect(r.valued + r.failed).toBe(r.results.length);
        }
      }),
      RUNS,
    );
  });

  it('POST /v1/valuations and /batch with any Idempotency-Key, and batch items with any ref', async () => {
    const key = fc.oneof(text, fc.string({ minLength: 250, maxLength: 300 }), fc.uuid());
    const withRef = fc.tuple(mutatedStone, fieldValue).map(([stone, ref]) => ({ ...stone, ref }));
    const payload = fc.oneof(
      mutatedStone.map((st) => ({ url: '/v1/valuations', b: JSON.stringify(st) })),
      fc
        .array(withRef, { maxLength: 5 })
        .map((stones) => ({ url: '/v1/valuations/batch', b: JSON.stringify({ stones }) })),
    );
    await fc.assert(
      fc.asyncProperty(payload, key, async ({ url, b }, k) => {
        try {
          const res = await send('POST', url, b, 'application/json', admin, { 'idempotency-key': k });
          expect([200, 400, 409]).toContain(res.statusCode);
        } catch (e) {
          if (e instanceof TypeError && /header/i.test(e.message)) return; // Node refuses the header before sending
          throw e;
        }
      }),
      RUNS,
    );
  });

  const queryPart = fc
    .tuple(
      fc.oneof(
        fc.constantFrom(
          'carat',
          'cut',
          'color',
          'clarity',
          'depth',
          'table',
          'x',
          'y',
          'z',
          'n',
          'mode',
          'limit',
          'before',
          'status',
          'route',
          'explain',
        ),
        text,
      ),
      fc.oneof(
        text,
        fc.double().map(String),
        fc.constantFrom('0.9', 'Ideal', 'G', 'VS2', 'all', '5', '-1', '1e400', 'NaN'),
      ),
    )
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const query = fc.array(queryPart, { maxLength: 12 }).map((parts) => parts.join('&'));

  it('GET /v1/diamonds/similar', async () => {
    const base = fc.constantFrom('carat=0.9&cut=Ideal&color=G&clarity=VS2&', '');
    await fc.assert(
      fc.asyncProperty(base, query, async (b, q) => {
        await send('GET', `/v1/diamonds/similar?${b}${q}`);
      }),
      RUNS,
    );
  });

  it('GET /v1/requests, /v1/models, /v1/models/{version}, /healthz, /readyz, /problems/{slug}', async () => {
    const path = fc.oneof(
      query.map((q) => `/v1/requests?${q}`),
      text.map((v) => `/v1/models/${encodeURIComponent(v)}`),
      text.map((v) => `/v1/valuations/${encodeURIComponent(v)}`),
      text.map((v) => `/problems/${encodeURIComponent(v)}`),
      fc.constantFrom(
        '/v1/models',
        '/v1/models/current',
        '/healthz',
        '/readyz',
        '/openapi.json',
        '/v1/models/%',
        '/v1/%E0%A4%A',
        '//v1/models',
        '/v1/models/..%2F..',
      ),
    );
    await fc.assert(
      fc.asyncProperty(path, async (p) => {
        await send('GET', p);
      }),
      RUNS,
    );
  });

  it('any method, path, body and Authorization header', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
    const path = fc.oneof(
      fc.constantFrom(
        '/v1/valuations',
        '/v1/valuations/batch',
        '/v1/diamonds/similar',
        '/v1/models',
        '/v1/requests',
        '/',
        '/v1',
        '/v1/',
      ),
      text.map((s) => `/v1/${encodeURIComponent(s)}`),
    );
    const auth = fc.oneof(
      fc.constant(admin),
      fc.constant(undefined),
      text.map((s) => `Bearer ${s.replace(/[\r\n\0]/g, '')}`),
      fc.constantFrom('Bearer', 'Basic abc', 'bearer  lp_x', ''),
    );
    await fc.assert(
      fc.asyncProperty(method, path, body, auth, async (m, p, b, a) => {
        const hasBody = m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS';
        try {
          await send(m, p, hasBody ? b : undefined, hasBody ? 'application/json' : undefined, a);
        } catch (e) {
          // Node refuses some header values itself (before the server sees them); that is not a server answer.
          if (e instanceof TypeError && /header/i.test(e.message)) return;
          throw e;
        }
      }),
      RUNS,
    );
  });
});
