import { describe, expect, it } from 'vitest';
import { expectProblem, testApp, testHome, useTestApp } from './helpers.js';

const ctx = useTestApp();

const get = (url: string) => ctx.t.app.inject({ method: 'GET', url });
const Q = 'carat=0.9&cut=Ideal&color=G&clarity=VS2';

describe('GET /v1/diamonds/similar', () => {
  it('gives the n stones of the same cut, colour and clarity with the closest carat, and their prices', async () => {
    const res = await get(`/v1/diamonds/similar?${Q}&n=7`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ mode: 'grades', count: 7 });
    for (const s of body.stones) {
      expect(s).toMatchObject({ cut: 'Ideal', color: 'G', clarity: 'VS2' });
      expect(s.price).toBeGreaterThan(0);
      expect(s.distance).toBeCloseTo(Math.abs(s.carat - 0.9), 6);
    }
    const distances = body.stones.map((s: { distance: number }) => s.distance);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    // Nothing closer was left out: every other stone of these grades is at least as far as the last one given.
    const others = ctx.home.db
      .prepare(
        "SELECT min(abs(carat - 0.9)) AS d FROM diamonds WHERE cut = 'Ideal' AND color = 'G' AND clarity = 'VS2' AND id NOT IN (" +
          body.stones.map((s: { id: number }) => s.id).join(',') +
          ')',
      )
      .get() as { d: number };
    expect(others.d).toBeGreaterThanOrEqual(distances[distances.length - 1] - 1e-9);
  });

  it('defaults to 5 and gives fewer when fewer exist', async () => {
    expect((await get(`/v1/diamonds/similar?${Q}`)).json().count).toBe(5);
    const rare = (await get('/v1/diamonds/similar?carat=3&cut=Fair&color=D&clarity=IF&n=50')).json();
    const inDb = (
      ctx.home.db
        .prepare("SELECT count(*) AS n FROM diamonds WHERE cut = 'Fair' AND color = 'D' AND clarity = 'IF'")
        .get() as { n: number }
    ).n;
    expect(rare.count).toBe(Math.min(50, inDb));
  });

  it('mode=all: closest over every characteristic, standardised; needs the measurements', async () => {
    const res = await get(`/v1/diamonds/similar?${Q}&depth=61.8&table=57&x=6.2&y=6.24&z=3.84&mode=all&n=10`);
    expect(res.statusCode).toBe(200);
    const stones = res.json().stones;
    expect(stones).toHaveLength(10);
    expect(
      stones.some(
        (s: { cut: string; color: string; clarity: string }) =>
          s.cut !== 'Ideal' || s.color !== 'G' || s.clarity !== 'VS2',
      ),
    ).toBe(true);
    for (const s of stones) expect(Math.abs(s.carat - 0.9)).toBeLessThan(0.3);
    const p = expectProblem(await get(`/v1/diamonds/similar?${Q}&mode=all&depth=61`), 400);
    expect(p.errors.map((e: { field: string }) => e.field)).toEqual(['table', 'x', 'y', 'z']);
  });

  it('validates the query from the diamond schema', async () => {
    const p = expectProblem(await get('/v1/diamonds/similar?carat=abc&cut=Excellent&color=G&n=51&zoom=2'), 400);
    const byField = Object.fromEntries(p.errors.map((e: { field: string; code: string }) => [e.field, e.code]));
    expect(byField).toMatchObject({
      carat: 'wrong_type',
      cut: 'not_allowed',
      clarity: 'missing',
      n: 'out_of_range',
      zoom: 'unknown_field',
    });
    expectProblem(await get(`/v1/diamonds/similar?${Q}&carat=1`), 400); // carat twice
    expectProblem(await get(`/v1/diamonds/similar?${Q}&mode=nearest`), 400);
  });

  it('reads numbers in the query strictly: decimal digits, whole where a count is meant', async () => {
    for (const n of ['0x10', '5.5', '1e1', '0b11', '', 'Infinity', '%2B5', '%205', '5%20', '%095']) {
      const p = expectProblem(await get(`/v1/diamonds/similar?${Q}&n=${n}`), 400);
      expect(p.errors[0].field).toBe('n');
    }
    for (const carat of ['0x1', '1e', '.'])
      expectProblem(await get(`/v1/diamonds/similar?carat=${carat}&cut=Ideal&color=G&clarity=VS2`), 400);
    expectProblem(await get('/v1/requests?limit=1.5'), 400);
    expect((await get(`/v1/diamonds/similar?${Q}&n=7`)).json().count).toBe(7);
    const negative = expectProblem(await get(`/v1/diamonds/similar?${Q}&n=-7`), 400);
    expect(negative.errors[0]).toMatchObject({ field: 'n', code: 'out_of_range' }); // a number, out of range
    const huge = expectProblem(await get('/v1/diamonds/similar?carat=1e309&cut=Ideal&color=G&clarity=VS2'), 400);
    expect(huge.errors[0]).toMatchObject({
      field: 'carat',
      code: 'not_a_number',
      message: 'carat is too large to be a number; allowed is a number from 0.1 to 10.',
    });
    expect((await get('/v1/diamonds/similar?carat=.9&cut=Ideal&color=G&clarity=VS2&n=3')).json().count).toBe(3);
  });
});

describe('models', () => {
  it('GET /v1/models lists versions with metrics and data snapshot; current is the champion', async () => {
    const list = (await get('/v1/models')).json();
    expect(list.champion).toBe('v0001');
    expect(list.models[0]).toMatchObject({ version: 'v0001', kind: 'hedonic', isChampion: true });
    expect(list.models[0].trainingDataSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(list.models[0].promotedAt).toBeTruthy();
    expect(list.models[0].metrics).toBeTypeOf('object');
    expect(list.models[0].artifactPath).toBeUndefined();
    const current = (await get('/v1/models/current')).json();
    expect(current.version).toBe('v0001');
    expect((await get('/v1/models/v0001')).json().version).toBe('v0001');
    expectProblem(await get('/v1/models/v9999'), 404);
  });

  it('/v1/models/current gives the carat limit of the model served, the one a valuation is refused beyond', async () => {
    // hunt-web #13: the web app's hint said "0.1 to 10 ct" while the server refused anything above 6.2 ct.
    const current = (await get('/v1/models/current')).json();
    expect(current.caratLimit).toBeTypeOf('number');
    const over = await ctx.t.app.inject({
      method: 'POST',
      url: '/v1/valuations',
      payload: { carat: Math.min(10, current.caratLimit + 0.01), cut: 'Ideal', color: 'G', clarity: 'VS2' },
    });
    if (current.caratLimit < 10) {
      const p = expectProblem(over, 422);
      expect(p.errors[0]).toMatchObject({ field: 'carat', allowed: `at most ${current.caratLimit} ct` });
    } else expect(over.statusCode).toBe(200);
  });

  it('/v1/models/current is a 404 problem before any promotion', async () => {
    const empty = await testHome({ ingest: false, promote: false });
    const e = await testApp(empty);
    try {
      expectProblem(await e.app.inject({ method: 'GET', url: '/v1/models/current' }), 404);
      expect((await e.app.inject({ method: 'GET', url: '/v1/models' })).json()).toEqual({ champion: null, models: [] });
    } finally {
      await e.app.close();
      empty.cleanup();
    }
  });

  it('problem types resolve to an explanation', async () => {
    const res = await get('/problems/rate-limited');
    expect(res.json()).toMatchObject({ status: 429, title: 'Too many requests' });
    expectProblem(await get('/problems/nope'), 404);
  });
});
