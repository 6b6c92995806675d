import { describe, expect, it } from 'vitest';
import { PRICE_BASIS } from '../../src/diamond/index.js';
import { writeMissingCards } from '../../src/pipeline/report.js';
import { listModels } from '../../src/store/models.js';
import { useTestApp } from './helpers.js';

const ctx = useTestApp();

describe('GET /v1/models/{version}/card', () => {
  it('answers 404 as a problem while no card has been written', async () => {
    const res = await ctx.t.app.inject({ method: 'GET', url: '/v1/models/v0001/card' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().detail).toMatch(/No model card has been written for v0001/);
  });

  it("serves the pipeline's card as self-contained HTML, and as Markdown on request", async () => {
    expect(writeMissingCards(listModels(ctx.home.db))).toContain('v0001');
    const html = await ctx.t.app.inject({ method: 'GET', url: '/v1/models/v0001/card' });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.body).toContain('v0001');
    expect(html.body).toMatch(/<h1[^>]*>Model card — v0001/);
    const md = await ctx.t.app.inject({ method: 'GET', url: '/v1/models/v0001/card?format=markdown' });
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.body).toMatch(/^# Model card — v0001/);
  });

  it('states the price basis, the same one in the card, in GET /v1/models/current and in the OpenAPI document', async () => {
    writeMissingCards(listModels(ctx.home.db));
    const current = (await ctx.t.app.inject({ method: 'GET', url: '/v1/models/current' })).json();
    expect(current.priceBasis).toEqual(PRICE_BASIS);
    const md = await ctx.t.app.inject({ method: 'GET', url: '/v1/models/v0001/card?format=markdown' });
    expect(md.body).toContain(`| price basis | ${PRICE_BASIS.description} |`);
    const html = await ctx.t.app.inject({ method: 'GET', url: '/v1/models/v0001/card' });
    expect(html.body).toContain(`<td>price basis</td><td>${PRICE_BASIS.description}</td>`);
    const doc = (await ctx.t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const { Model, PriceBasis } = doc.components.schemas;
    expect(Model.required).toContain('priceBasis');
    expect(Model.properties.priceBasis.$ref).toBe('#/components/schemas/PriceBasis');
    expect(PriceBasis.properties.dollarsOf).toMatchObject({ enum: [PRICE_BASIS.dollarsOf] });
  });

  it("GET /v1/models/current/card: the current model's card, as /v1/models/current is its record", async () => {
    writeMissingCards(listModels(ctx.home.db));
    const get = (url: string) => ctx.t.app.inject({ method: 'GET', url });
    for (const query of ['', '?format=markdown']) {
      const current = await get(`/v1/models/current/card${query}`);
      const byVersion = await get(`/v1/models/v0001/card${query}`);
      expect(current.statusCode, query).toBe(200);
      expect(current.headers['content-type']).toBe(byVersion.headers['content-type']);
      expect(current.headers['content-security-policy']).toBe(byVersion.headers['content-security-policy']);
      expect(current.body).toBe(byVersion.body);
    }
    const revalidated = await ctx.t.app.inject({
      method: 'GET',
      url: '/v1/models/current/card',
      headers: { 'if-none-match': String((await get('/v1/models/current/card')).headers.etag) },
    });
    expect(revalidated.statusCode).toBe(304);
    const doc = (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths['/v1/models/current/card'].get.responses)).toEqual(
      expect.arrayContaining(['200', '304', '404']),
    );
  });

  it('refuses an unknown version or format with a problem', async () => {
    expect((await ctx.t.app.inject({ method: 'GET', url: '/v1/models/v0099/card' })).statusCode).toBe(404);
    const bad = await ctx.t.app.inject({ method: 'GET', url: '/v1/models/v0001/card?format=pdf' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
