/**
 * The OpenAPI document's examples are real: each operation's documented request (its parameter and body examples)
 * is sent to a running server, and the answer must have the status and the shape of the documented example —
 * every field the example shows is in the answer with the same type, and every field of the answer is in the
 * example. Then each documented problem that a request can provoke (401, 403, 404, 413, 415, 429) is provoked on
 * every operation that documents it, and must be the documented problem type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMissingCards } from '../../src/pipeline/report.js';
import { createKey } from '../../src/store/keys.js';
import { listModels } from '../../src/store/models.js';
import { testApp, testHome, type TestApp, type TestHome } from './helpers.js';

type Operation = {
  operationId: string;
  security?: unknown[];
  parameters?: { in: string; name: string; example?: unknown; required?: boolean }[];
  requestBody?: { content: Record<string, { schema?: { examples?: unknown[] }; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: { examples?: unknown[] }; example?: unknown }> }>;
};
type Op = { method: string; path: string; op: Operation };

let home: TestHome;
let t: TestApp;
let base: string;
let ops: Op[];
const keys: Record<string, string> = {};

beforeAll(async () => {
  home = await testHome();
  t = await testApp(home, { open: false });
  for (const scope of ['admin', 'valuations', 'appraisals'] as const)
    keys[scope] = createKey(home.db, { name: scope, scopes: [scope] }).secret;
  keys.slow = createKey(home.db, { name: 'slow', scopes: ['admin'], ratePerMinute: 1 }).secret;
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const doc = await (await fetch(`${base}/openapi.json`)).json();
  ops = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
});
afterAll(async () => {
  await t?.app.close();
  home?.cleanup();
});

const exampleOf = (c: { schema?: { examples?: unknown[] }; example?: unknown } | undefined): unknown =>
  c?.example ?? c?.schema?.examples?.[0];

/** Objects whose keys are data, not a shape: a model's params are its kind's own (the test trains another kind). */
const FREE_FORM = ['.params'];

/** Where the shapes of a documented example and a live answer differ, as paths; [] when they agree. */
function shapeDifferences(example: unknown, live: unknown, at = '$'): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  // A nullable field (a range, a promotion) may be null in one and an object in the other.
  if (example === null || live === null) return [];
  if (kind(example) !== kind(live)) return [`${at}: documented ${kind(example)}, answered ${kind(live)}`];
  if (Array.isArray(example) && Array.isArray(live))
    return example.length > 0 && live.length > 0 ? shapeDifferences(example[0], live[0], `${at}[0]`) : [];
  if (kind(example) !== 'object' || FREE_FORM.some((f) => at.endsWith(f))) return [];
  const e = example as Record<string, unknown>;
  const l = live as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(e)) {
    if (!(k in l)) out.push(`${at}.${k}: documented, not answered`);
    else out.push(...shapeDifferences(e[k], l[k], `${at}.${k}`));
  }
  for (const k of Object.keys(l)) if (!(k in e)) out.push(`${at}.${k}: answered, not documented`);
  return out;
}

/** The documented request: the path and query from the parameters' examples, the body from the body's example. */
function documentedRequest({ method, path, op }: Op, pathOverride: Record<string, string> = {}) {
  let url = path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  for (const p of op.parameters ?? []) {
    if (p.example === undefined) continue;
    if (p.in === 'path')
      url = url.replace(`{${p.name}}`, encodeURIComponent(pathOverride[p.name] ?? String(p.example)));
    else if (p.in === 'query') query.set(p.name, String(p.example));
    else if (p.in === 'header' && p.name.toLowerCase() !== 'idempotency-key') headers[p.name] = String(p.example);
  }
  const content = op.requestBody?.content ?? {};
  const type = 'application/json' in content ? 'application/json' : Object.keys(content)[0];
  let body: string | undefined;
  if (type) {
    const example = exampleOf(content[type]);
    body = typeof example === 'string' ? example : JSON.stringify(example);
    headers['content-type'] = type;
  }
  const q = query.toString();
  return { method, url: `${base}${url}${q ? `?${q}` : ''}`, headers, body };
}

/**
 * Says which step was slow when one takes over 3 s (each takes milliseconds alone). In a whole-suite run on
 * 6 Dec 2026 (a693c00) the first test took 30.4 s where it takes about 1 s alone: the next such run says where.
 */
async function timed<T>(what: string, step: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  try {
    return await step();
  } finally {
    const ms = performance.now() - start;
    if (ms > 3000) {
      const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      console.warn(`live-examples: ${what} took ${Math.round(ms)} ms (heap ${heapMb} MB)`);
    }
  }
}

async function send(r: ReturnType<typeof documentedRequest>, key?: string) {
  return timed(`${r.method} ${r.url.replace(base, '')}`, () => sendNow(r, key));
}

async function sendNow(r: ReturnType<typeof documentedRequest>, key?: string) {
  // Each request has its own deadline, so that a request that never answers names itself instead of the whole
  // test timing out (once, in a CI run with a CPU hog beside it, this test ran past 60 s without saying where).
  const res = await fetch(r.url, {
    method: r.method,
    headers: { ...r.headers, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: r.body,
    signal: AbortSignal.timeout(45_000),
  }).catch((e: unknown) => {
    throw new Error(`${r.method} ${r.url}: no answer (${e instanceof Error ? e.message : String(e)})`);
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, body: type.includes('json') ? JSON.parse(text) : text };
}

describe('the documented examples, replayed against a live server', () => {
  it('every operation answers its documented request with its documented success, in the shape of its example', async () => {
    // A rejected row to fix and one to dismiss (the documented id names one; here they get the live ids).
    // Prices a person might type, each rejected with what was probably meant (as the documented reject shows).
    const bad = (price: string) =>
      `carat,cut,color,clarity,depth,table,price,x,y,z\n0.71,Ideal,F,VS1,61.7,56,${price},5.72,5.75,3.54\n`;
    const upload = async (name: string, price: string) => {
      const res = await send(
        {
          method: 'POST',
          url: `${base}/v1/appraisals?name=${name}`,
          headers: { 'content-type': 'text/csv' },
          body: bad(price),
        },
        keys.admin,
      );
      if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.rejects[0].id as number;
    };
    const stored = await send(documentedRequest(ops.find((o) => o.op.operationId === 'createValuation')!), keys.admin);
    // The ids a documented request names exist on the server that made the example; here they are the live ones.
    const ids: Record<string, string> = {
      fixReject: String(await upload('fix.csv', '"$3,310"')),
      dismissReject: String(await upload('dismiss.csv', '"US$ 3,310"')),
      getValuation: stored.body.id,
    };
    await timed('writing the model cards', () => writeMissingCards(listModels(home.db)));
    const failures: string[] = [];
    for (const o of ops) {
      const name = `${o.method} ${o.path} (${o.op.operationId})`;
      const id = ids[o.op.operationId];
      const res = await send(documentedRequest(o, id === undefined ? {} : { id }), keys.admin);
      const success = Object.keys(o.op.responses).find((s) => s.startsWith('2'));
      if (String(res.status) !== success) {
        failures.push(
          `${name}: answered ${res.status}, documented ${success}: ${JSON.stringify(res.body).slice(0, 200)}`,
        );
        continue;
      }
      const content = o.op.responses[success]?.content ?? {};
      const documented = Object.keys(content).find((type) => res.type.startsWith(type));
      if (!documented) {
        failures.push(`${name}: answered ${res.type}, documented ${Object.keys(content).join(', ')}`);
        continue;
      }
      if (typeof res.body === 'string') continue; // a page or a CSV: its media type is what is documented
      failures.push(...shapeDifferences(exampleOf(content[documented]), res.body).map((d) => `${name}: ${d}`));
    }
    expect(failures).toEqual([]);
  }, 180_000);

  it("the valuation and similar-stone examples show this server's own answers, value for value", async () => {
    // The server here serves what a fresh home's first hedonic model is (the reference data, seed 42, v0001): the
    // documented examples are that model's answers, so a change of the model or the explanation shows up here.
    const byId = (id: string) => ops.find((o) => o.op.operationId === id)!;
    const value = byId('createValuation');
    const live = await send(documentedRequest(value), keys.admin);
    const documented = exampleOf(value.op.responses['200']!.content!['application/json']) as Record<string, unknown>;
    const { id: _id, valuedAt: _at, ...liveValues } = live.body as Record<string, unknown>;
    const { id: _docId, valuedAt: _docAt, ...documentedValues } = documented;
    expect(documentedValues).toEqual(liveValues);
    const similar = byId('findSimilarDiamonds');
    const nearest = await send(documentedRequest(similar), keys.admin);
    const documentedSimilar = exampleOf(similar.op.responses['200']!.content!['application/json']) as {
      stones: unknown[];
    };
    expect(documentedSimilar.stones[0]).toEqual((nearest.body as { stones: unknown[] }).stones[0]);
  });

  it('every documented 401, 403, 404, 413, 415 and 429 is what the server answers, as its example says', async () => {
    const failures: string[] = [];
    let provoked = 0;
    const check = async (o: Op, status: string, r: ReturnType<typeof documentedRequest>, key?: string) => {
      const documented = o.op.responses[status];
      if (!documented) return;
      provoked++;
      const example = exampleOf(documented.content?.['application/problem+json']) as Record<string, unknown>;
      const res = await send(r, key);
      const body = res.body as Record<string, unknown>;
      if (res.status !== Number(status) || !res.type.startsWith('application/problem+json'))
        failures.push(`${o.op.operationId} ${status}: answered ${res.status} ${res.type}`);
      else if (body.type !== example.type || body.title !== example.title)
        failures.push(`${o.op.operationId} ${status}: answered ${body.type}, documented ${example.type}`);
      else failures.push(...shapeDifferences(example, body).map((d) => `${o.op.operationId} ${status}: ${d}`));
    };
    for (const o of ops) {
      const r = documentedRequest(o, { id: '999999' });
      const keyed = (o.op.security ?? []).length > 0;
      if (keyed) {
        await check(o, '401', r);
        const other =
          o.path.startsWith('/v1/appraisals') || o.path === '/v1/requests' ? keys.valuations : keys.appraisals;
        await check(o, '403', r, other);
      }
      if (o.path.includes('{')) {
        const unknown = documentedRequest(o, { id: '999999', version: 'v9999' });
        await check(o, '404', unknown, keys.admin);
      }
      if (o.method === 'POST') {
        await check(o, '415', { ...r, headers: { 'content-type': 'text/plain' }, body: 'x' }, keys.admin);
        const huge = `{"x":"${'a'.repeat(9 * 1024 * 1024)}"}`;
        await check(o, '413', { ...r, headers: { 'content-type': 'application/json' }, body: huge }, keys.admin);
      }
      if (keyed) {
        await send(r, keys.slow); // the one request a minute this key may make (or already made)
        await check(o, '429', r, keys.slow);
      }
    }
    expect(failures).toEqual([]);
    expect(provoked).toBeGreaterThan(40);
  });
});
