import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expectProblem, STONE, testApp, testHome, useTestApp } from './helpers.js';

const ctx = useTestApp();

const post = (payload: unknown, url = '/v1/valuations') =>
  ctx.t.app.inject({ method: 'POST', url, payload: payload as object });
const BIG = { carat: 6, cut: 'Premium', color: 'H', clarity: 'SI2', depth: 62, table: 58, x: 11.6, y: 11.6, z: 7.19 };

describe('POST /v1/valuations', () => {
  it('prices a stone: rounded USD price inside its range, coverage, model version, explanation in reading order', async () => {
    const res = await post(STONE);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const v = res.json();
    expect(v.currency).toBe('USD');
    expect(v.modelVersion).toBe(ctx.t.models.current!.version);
    expect(Number.isInteger(v.price)).toBe(true); // to the dollar, where the explanation ends
    expect(Math.round(v.explanation.price)).toBe(v.price);
    expect(v.range.low).toBeLessThan(v.price);
    expect(v.range.high).toBeGreaterThan(v.price);
    expect(v.range.coverage).toBe(0.9);
    expect(v.warnings).toEqual([]);
    const e = v.explanation;
    expect(e.steps.map((s: { factor: string }) => s.factor)).toEqual([
      'carat',
      'cut',
      'color',
      'clarity',
      'proportions',
    ]);
    // The steps chain: typical price × every multiplier = the price before rounding, and dollars add up to it.
    const product = e.steps.reduce((p: number, s: { multiplier: number }) => p * s.multiplier, e.typicalPrice);
    expect(Math.abs(product / e.price - 1)).toBeLessThan(1e-3);
    const dollars = e.steps.reduce((sum: number, s: { dollars: number }) => sum + s.dollars, e.typicalPrice);
    expect(Math.abs(dollars - e.price)).toBeLessThan(0.1);
    expect(Math.abs(e.price - v.price)).toBeLessThanOrEqual(5);
    expect(e.summary).toMatch(/\$/);
  });

  it('gives the same price as the model layer, and skips the explanation with ?explain=false', async () => {
    const direct = ctx.t.models.current!.value(STONE, { explain: false });
    const res = await post(STONE, '/v1/valuations?explain=false');
    expect(res.statusCode).toBe(200);
    const { id, valuedAt, ...rest } = res.json();
    expect(rest).toEqual({ ...direct });
    expect(id).toMatch(/^val_/);
    expect(typeof valuedAt).toBe('string');
    expect(res.json().explanation).toBeUndefined();
  });

  it('warns once per cause about a stone beyond the data, naming every field, and gives no range it cannot back', async () => {
    const res = await post(BIG);
    expect(res.statusCode).toBe(200);
    const v = res.json();
    expect(v.support).toMatchObject({ level: 'beyond' });
    expect(v.range).toBeNull();
    expect(v.warnings.map((w: { code: string }) => w.code)).toEqual([
      'outside_training_range',
      'above_price_ceiling',
      'range_withheld',
    ]);
    expect(v.warnings[0]).toMatchObject({ field: 'carat,x,y,z' });
    expect(v.warnings[0].message).toMatch(/carat 6 ct \(learned .*\(x\) 11\.6 mm.*\(y\) 11\.6 mm.*\(z\) 7\.19 mm/);
    // The ceiling warning gives the price as answered and the highest price the model learned from.
    const [, given, highest] = /^The price, \$([\d,]+), is above the highest price .* \(\$([\d,]+)\)/.exec(
      v.warnings[1].message,
    )!;
    const usd = (s: string) => Number(s.replace(/,/g, ''));
    expect(usd(given)).toBe(v.price);
    expect(usd(highest)).toBe(ctx.t.models.current!.artifact.trainingData.ranges.price![1]);
    expect(v.price).toBeGreaterThan(usd(highest));
  });

  it('says how well a common stone is supported', async () => {
    const v = (await post(STONE)).json();
    expect(v.support.level).toBe('typical');
    expect(v.warnings).toEqual([]);
    expect(v.support.comparableStones).toBeGreaterThanOrEqual(20);
    expect(v.support.summary).toMatch(/training stones within 10% of its carat/);
  });

  it('refuses a stone past the carat limit with a problem naming the limit, alone or in a batch', async () => {
    const heavy = {
      carat: 9.5,
      cut: 'Ideal',
      color: 'D',
      clarity: 'IF',
      depth: 61.8,
      table: 57,
      x: 14.3,
      y: 14.3,
      z: 8.84,
    };
    const p = expectProblem(await post(heavy), 422);
    expect(p.type).toBe('/problems/beyond-limit');
    expect(p.errors).toEqual([
      expect.objectContaining({
        field: 'carat',
        code: 'beyond_limit',
        allowed: expect.stringMatching(/^at most \d+(\.\d+)? ct$/),
      }),
    ]);
    expect(p.detail).toMatch(/limit .*heaviest stone the model learned from/);
    const batch = (await post({ stones: [STONE, heavy] }, '/v1/valuations/batch')).json();
    expect(batch.results[1]).toMatchObject({ ok: false, errors: [{ field: 'stones/1/carat', code: 'beyond_limit' }] });
    expect(batch.results[0].ok).toBe(true);
  });

  it('takes the carat limit from the configuration', async () => {
    const t = await testApp(ctx.home, { maxCarat: 0.5 });
    try {
      const res = await t.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE });
      const p = expectProblem(res, 422);
      expect(p.errors[0]).toMatchObject({ field: 'carat', allowed: 'at most 0.5 ct' });
      expect(p.detail).toMatch(/set by LOUPE_MAX_CARAT/);
    } finally {
      await t.app.close();
    }
  });

  it('explains every wrong field at once: type, grade spelling, unknown field, each with what is allowed', async () => {
    const res = await post({ ...STONE, carat: '0.9', cut: 'Ideel', sparkle: 'lots' });
    const p = expectProblem(res, 400);
    expect(p.type).toBe('/problems/invalid-input');
    expect(p.errors).toEqual([
      expect.objectContaining({
        field: 'carat',
        code: 'wrong_type',
        allowed: 'a number from 0.1 to 10 ct',
        suggestion: '0.9 (without quotes)',
      }),
      expect.objectContaining({ field: 'cut', code: 'unknown_grade', suggestion: 'Ideal' }),
      expect.objectContaining({ field: 'sparkle', code: 'unknown_field' }),
    ]);
    for (const e of p.errors) expect(e.allowed).toBeTruthy();
  });

  it.each([
    ['out of range', { ...STONE, depth: 95 }, 'depth', 'out_of_range'],
    ['missing', (({ table: _t, ...rest }) => rest)(STONE), 'table', 'missing'],
    ['an unknown grade', { ...STONE, color: 'Z' }, 'color', 'unknown_grade'],
    ['null', { ...STONE, x: null }, 'x', 'missing'],
    ['a boolean', { ...STONE, y: true }, 'y', 'wrong_type'],
    ['a nested object', { ...STONE, clarity: { grade: 'VS2' } }, 'clarity', 'wrong_type'],
    ['a huge number', { ...STONE, carat: 1e308 }, 'carat', 'out_of_range'],
  ])('names the field when a value is %s', async (_what, body, field, code) => {
    const p = expectProblem(await post(body), 400);
    expect(p.errors).toContainEqual(expect.objectContaining({ field, code }));
  });

  it('refuses measurements that contradict each other', async () => {
    const p = expectProblem(await post({ ...STONE, z: 9 }), 400);
    expect(p.errors[0].code).toBe('implausible_geometry');
    expect(p.errors[0].field).toContain('z');
  });

  it('suggests the carat when it was typed in points', async () => {
    const p = expectProblem(await post({ ...STONE, carat: 90 }), 400);
    expect(p.errors[0].suggestion).toMatch(/^0\.9 ct/);
  });

  it.each([
    ['malformed JSON', '{"carat": 0.9,', 'application/json', 400, 'malformed-json'],
    ['an empty body', '', 'application/json', 400, 'malformed-json'],
    ['an array', '[]', 'application/json', 400, 'invalid-input'],
    ['a number', '42', 'application/json', 400, 'invalid-input'],
    ['null', 'null', 'application/json', 400, 'invalid-input'],
    ['a form', 'carat=0.9', 'application/x-www-form-urlencoded', 415, 'unsupported-media-type'],
    ['plain text', 'carat 0.9', 'text/plain', 415, 'unsupported-media-type'],
    ['a __proto__ key', '{"__proto__": {"carat": 1}}', 'application/json', 400, 'invalid-input'],
    ['lone surrogates', '{"cut": "\\ud800\\udfff\\ud800"}', 'application/json', 400, 'invalid-input'],
  ])('answers %s with a problem', async (_what, payload, type, status, slug) => {
    const res = await ctx.t.app.inject({
      method: 'POST',
      url: '/v1/valuations',
      payload,
      headers: { 'content-type': type },
    });
    expect(expectProblem(res, status).type).toBe(`/problems/${slug}`);
  });

  it('refuses a compressed body with 415 naming the encodings accepted, on every endpoint that takes a body', async () => {
    const json = JSON.stringify(STONE);
    for (const [url, encoding, body, type] of [
      ['/v1/valuations', 'gzip', gzipSync(json), 'application/json'],
      ['/v1/valuations/batch', 'br', brotliCompressSync(JSON.stringify({ stones: [STONE] })), 'application/json'],
      ['/v1/appraisals', 'deflate, gzip', gzipSync('carat,cut\n0.9,Ideal\n'), 'text/csv'],
    ] as const) {
      const res = await ctx.t.app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: { 'content-type': type, 'content-encoding': encoding },
      });
      const p = expectProblem(res, 415);
      expect(p.type).toBe('/problems/unsupported-encoding');
      expect(p.detail).toBe(
        `Content-Encoding ${JSON.stringify(encoding)} is not accepted; send the body uncompressed (identity: no Content-Encoding).`,
      );
      expect(res.headers['accept-encoding']).toBe('identity');
    }
    // identity is no encoding at all
    const plain = await ctx.t.app.inject({
      method: 'POST',
      url: '/v1/valuations',
      payload: json,
      headers: { 'content-type': 'application/json', 'content-encoding': 'identity' },
    });
    expect(plain.statusCode).toBe(200);
  });

  it('never echoes the bytes of a body that is not JSON', async () => {
    for (const [payload, said] of [
      [Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x41]), 'an unexpected character U+001F'],
      ['xyz-secret', 'an unexpected character "x"'],
      ['{"carat": 0.9,', 'Expected double-quoted property name in JSON at position 14'],
    ] as const) {
      const res = await ctx.t.app.inject({
        method: 'POST',
        url: '/v1/valuations',
        payload,
        headers: { 'content-type': 'application/json' },
      });
      const p = expectProblem(res, 400);
      expect(p.detail).toContain(said);
      expect(p.detail).not.toMatch(/secret|is not valid JSON\./);
      expect(p.detail).not.toContain(String.fromCharCode(0x1f));
    }
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const res = await ctx.t.app.inject({
      method: 'POST',
      url: '/v1/valuations',
      payload: JSON.stringify({ ...STONE, pad: 'x'.repeat(70_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 413);
  });

  it('answers an unknown route or method with a 404 problem', async () => {
    expectProblem(await ctx.t.app.inject({ method: 'GET', url: '/v1/valuations' }), 404);
    expectProblem(await ctx.t.app.inject({ method: 'GET', url: '/v2/anything' }), 404);
  });

  it('says a number too large for JSON is too large, alone and in a batch (not "null")', async () => {
    const text = JSON.stringify(STONE).replace(/"carat":[\d.]+/, '"carat":1e309');
    const p = expectProblem(
      await ctx.t.app.inject({
        method: 'POST',
        url: '/v1/valuations',
        payload: text,
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    expect(p.errors[0]).toMatchObject({
      field: 'carat',
      code: 'not_a_number',
      message: expect.stringMatching(/too large to be a number/),
    });
    expect(JSON.stringify(p)).not.toMatch(/null/);
    const batch = await ctx.t.app.inject({
      method: 'POST',
      url: '/v1/valuations/batch',
      payload: `{"stones":[${text.replace('1e309', '-1e309')}]}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(batch.json().results[0].errors[0].message).toMatch(/too large to be a number/);
  });

  it('refuses unknown query parameters and a non-boolean explain', async () => {
    const p = expectProblem(await post(STONE, '/v1/valuations?explain=maybe&debug=1'), 400);
    expect(p.errors.map((e: { field: string }) => e.field).sort()).toEqual(['debug', 'explain']);
    // what the message allows is all that is taken: true or false, as written
    for (const explain of ['0', '1', 'TRUE', 'False', 'yes']) {
      const bad = expectProblem(await post(STONE, `/v1/valuations?explain=${explain}`), 400);
      expect(bad.errors).toEqual([expect.objectContaining({ field: 'explain', allowed: 'true or false' })]);
    }
    expect((await post(STONE, '/v1/valuations?explain=true')).json().explanation).toBeDefined();
  });
});

describe('valuations from the 4Cs alone', () => {
  const FOUR_CS = { carat: STONE.carat, cut: STONE.cut, color: STONE.color, clarity: STONE.clarity };

  it('prices a stone without its measurements, with a range at least as wide and one warning saying what they would add', async () => {
    const res = await post(FOUR_CS);
    expect(res.statusCode, res.body).toBe(200);
    const v = res.json();
    const full = (await post(STONE)).json();
    expect(v.range.low).toBeLessThan(v.price);
    expect(v.range.high).toBeGreaterThan(v.price);
    // this stone's proportions are the typical ones its 4Cs are filled with (depth 61.8%, table 57%), so its range
    // from the 4Cs is at least as wide, not necessarily wider once rounded to $10
    expect(v.range.high / v.range.low).toBeGreaterThanOrEqual(full.range.high / full.range.low);
    expect(v.warnings).toHaveLength(1);
    expect(v.warnings[0]).toMatchObject({ code: 'measurements_missing', field: 'depth,table,x,y,z' });
    expect(v.warnings[0].message).toMatch(/4Cs alone.*Add the measurements/);
    expect(v.support.level).toBe('typical');
    const direct = ctx.t.models.current!.value(FOUR_CS, { explain: false });
    const { id: _id, valuedAt: _at, ...rest } = (await post(FOUR_CS, '/v1/valuations?explain=false')).json();
    expect(rest).toEqual({ ...direct });
  });

  it('refuses some measurements without the others, naming each one left out', async () => {
    const res = await post({ ...FOUR_CS, depth: 61.8, table: 57 });
    const problem = expectProblem(res, 400);
    expect(problem.errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
      ['x', 'missing'],
      ['y', 'missing'],
      ['z', 'missing'],
    ]);
    expect(problem.errors[0].message).toMatch(/give all five measurements .* or none/);
  });

  it('values 4Cs-only and measured stones side by side in a batch', async () => {
    const res = await post({ stones: [FOUR_CS, STONE, { ...FOUR_CS, x: 6.2 }] }, '/v1/valuations/batch');
    expect(res.statusCode).toBe(200);
    const answer = res.json();
    expect(answer).toMatchObject({ valued: 2, failed: 1 });
    expect(answer.results[0].valuation.warnings.map((w: { code: string }) => w.code)).toEqual(['measurements_missing']);
    expect(answer.results[1].valuation.warnings).toEqual([]);
    expect(answer.results[2].errors.map((e: { field: string }) => e.field)).toEqual([
      'stones/2/depth',
      'stones/2/table',
      'stones/2/y',
      'stones/2/z',
    ]);
  });
});

describe('POST /v1/valuations/batch', () => {
  it('answers every stone: a valuation or its problems, in order, with one model version', async () => {
    const res = await post(
      { stones: [STONE, { ...STONE, carat: -1 }, 'not a stone', BIG] },
      '/v1/valuations/batch?explain=false',
    );
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b).toMatchObject({ modelVersion: ctx.t.models.current!.version, valued: 2, failed: 2 });
    expect(b.results.map((r: { index: number; ok: boolean }) => [r.index, r.ok])).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(b.results[0].valuation.price).toBe(ctx.t.models.current!.value(STONE).price);
    expect(b.results[0].valuation.explanation).toBeUndefined();
    expect(b.results[1].errors[0]).toMatchObject({ field: 'stones/1/carat', code: 'out_of_range' });
    expect(b.results[2].errors[0]).toMatchObject({ field: 'stones/2', code: 'wrong_type' });
    expect(b.results[3].valuation.warnings.length).toBeGreaterThan(0);
  });

  it('explains by default and takes 1,000 stones', async () => {
    const res = await post(
      { stones: Array.from({ length: 1000 }, (_, i) => ({ ...STONE, table: 55 + (i % 5) })) },
      '/v1/valuations/batch',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().valued).toBe(1000);
    expect(res.json().results[999].valuation.explanation.steps).toHaveLength(5);
  });

  it('refuses 1,001 stones, an empty list, a missing list and unknown fields, listing each', async () => {
    expect(
      expectProblem(await post({ stones: Array.from({ length: 1001 }, () => STONE) }, '/v1/valuations/batch'), 400)
        .errors[0],
    ).toMatchObject({ field: 'stones', code: 'too_many_items' });
    expect(expectProblem(await post({ stones: [] }, '/v1/valuations/batch'), 400).errors[0]).toMatchObject({
      code: 'too_few_items',
    });
    expect(expectProblem(await post({}, '/v1/valuations/batch'), 400).errors[0]).toMatchObject({
      field: 'stones',
      code: 'missing',
    });
    expect(
      expectProblem(await post({ stones: [STONE], extra: 1 }, '/v1/valuations/batch'), 400).errors[0],
    ).toMatchObject({ field: 'extra', code: 'unknown_field' });
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const res = await post(
      { stones: Array.from({ length: 1000 }, () => ({ ...STONE, pad: 'x'.repeat(1100) })) },
      '/v1/valuations/batch',
    );
    expectProblem(res, 413);
  });
});

describe('problem lists are bounded (a hostile body cannot blow up the answer)', () => {
  /** A stone of nothing but 128 unknown keys: the 4Cs missing + 128 unknown fields = 132 problems (measurements may be left out). */
  const hostile = (i: number) =>
    Object.fromEntries(Array.from({ length: 128 }, (_, k) => [`_${k.toString(36)}`, i % 10]));
  type Entry = { field: string; code: string; omitted?: number };

  it('a batch of 1,000 such stones: 20 problems a stone, 2,000 in all, then one a stone; counts of the rest', async () => {
    const body = JSON.stringify({ stones: Array.from({ length: 1000 }, (_, i) => hostile(i)) });
    expect(body.length).toBeLessThan(1024 * 1024);
    const res = await ctx.t.app.inject({
      method: 'POST',
      url: '/v1/valuations/batch',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body.length).toBeLessThan(1.5 * 1024 * 1024); // 24.7 MB when every problem was listed
    const answer = res.json();
    expect(answer).toMatchObject({ valued: 0, failed: 1000 });
    let listed = 0;
    for (const [i, r] of answer.results.entries()) {
      const errors = r.errors as Entry[];
      const more = errors.filter((e) => e.code === 'more_problems');
      expect(more).toHaveLength(1);
      expect(more[0].field).toBe(`stones/${i}`);
      expect(errors.length - 1).toBeLessThanOrEqual(20);
      expect(errors.length - 1 + (more[0].omitted ?? 0)).toBe(132);
      expect(errors[0]).toMatchObject({ field: `stones/${i}/carat`, code: 'missing' }); // every row says why
      listed += errors.length - 1;
    }
    // 2,000 problems in all (100 stones × 20), then each further stone lists its first problem only
    expect(answer.results[99].errors).toHaveLength(21);
    expect(answer.results[100].errors).toHaveLength(2);
    expect(listed).toBe(2000 + 900);
  });

  it('one such stone: 20 problems and a count of the rest, and the detail counts all 132', async () => {
    const p = expectProblem(await post(hostile(1)), 400);
    expect(p.errors).toHaveLength(21);
    expect(p.errors[20]).toMatchObject({ field: '', code: 'more_problems', omitted: 112 });
    expect(p.detail).toMatch(/^132 problems: /);
  });

  it('a query string with 300 unknown parameters lists 20 and counts the rest', async () => {
    const query = Array.from({ length: 300 }, (_, k) => `q${k}=1`).join('&');
    const p = expectProblem(
      await ctx.t.app.inject({
        method: 'GET',
        url: `/v1/diamonds/similar?carat=1&cut=Ideal&color=G&clarity=VS2&${query}`,
      }),
      400,
    );
    expect(p.errors.length).toBeLessThanOrEqual(21);
    expect(p.errors.at(-1)).toMatchObject({ code: 'more_problems' });
  });
});

describe('without a model', () => {
  it('answers 503 not-ready (and /readyz says so) until a champion exists', async () => {
    const empty = await testHome({ ingest: false, promote: false });
    const e = await testApp(empty);
    try {
      expect(
        expectProblem(await e.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE }), 503).type,
      ).toBe('/problems/not-ready');
      expectProblem(await e.app.inject({ method: 'GET', url: '/readyz' }), 503);
      expect((await e.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await e.app.close();
      empty.cleanup();
    }
  });
});
