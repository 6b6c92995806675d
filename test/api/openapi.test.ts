import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLoupeClient } from '../../client/index.js';
import { runExample } from '../../client/example.js';
import { generate, OPENAPI_FILE, SCHEMA_FILE } from '../../client/generate.js';
import { PROBLEM_TYPES, type ProblemSlug } from '../../src/api/problem.js';
import { useTestApp } from './helpers.js';

const ctx = useTestApp();

type Operation = {
  requestBody?: { content: Record<string, { example?: unknown; schema?: { examples?: unknown[] } }> };
  responses: Record<string, { content?: Record<string, { example?: unknown; schema?: { examples?: unknown[] } }> }>;
};
const hasExample = (c: { example?: unknown; schema?: { examples?: unknown[] } }) =>
  c.example !== undefined || (c.schema?.examples?.length ?? 0) > 0;

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 at /openapi.json with every endpoint, each with an example of its body and its answer', async () => {
    const doc = (await ctx.t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op] as const),
    );
    expect(ops.map(([name]) => name).sort()).toEqual([
      'GET /healthz',
      'GET /readyz',
      'GET /v1/appraisals',
      'GET /v1/appraisals/rejects',
      'GET /v1/diamonds/similar',
      'GET /v1/models',
      'GET /v1/models/current',
      'GET /v1/models/current/card',
      'GET /v1/models/{version}',
      'GET /v1/models/{version}/card',
      'GET /v1/monitoring',
      'GET /v1/requests',
      'GET /v1/valuations/{id}',
      'POST /v1/appraisals',
      'POST /v1/appraisals/rejects/{id}/dismiss',
      'POST /v1/appraisals/rejects/{id}/fix',
      'POST /v1/valuations',
      'POST /v1/valuations/batch',
    ]);
    for (const [name, op] of ops) {
      if (op.requestBody)
        for (const c of Object.values(op.requestBody.content)) expect(hasExample(c), `${name} body example`).toBe(true);
      for (const [status, r] of Object.entries(op.responses)) {
        for (const c of Object.values(r.content ?? {})) expect(hasExample(c), `${name} ${status} example`).toBe(true);
      }
    }
    // The stone in the document is the diamond schema's: same limits as the field table.
    expect(doc.paths['/v1/valuations'].post.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/Stone',
    );
    const stone = doc.components.schemas.Stone;
    expect(stone.properties.carat).toMatchObject({ minimum: 0.1, maximum: 10 });
    expect(stone.additionalProperties).toBe(false);
    // Shared shapes are named, so that generated clients have named types.
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Stone',
        'Valuation',
        'Explanation',
        'Problem',
        'FieldProblem',
        'BatchResponse',
        'SimilarStone',
        'Model',
      ]),
    );
    expect(doc.paths['/v1/valuations'].post.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/Valuation',
    );
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it("publishes the registry's metrics contract: a model's metrics are ModelMetrics, each figure with its rows", async () => {
    const doc = (await ctx.t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const { Model, ModelMetrics, ModelAccuracy } = doc.components.schemas;
    expect(Model.properties.metrics.$ref).toBe('#/components/schemas/ModelMetrics');
    expect(ModelMetrics.properties.version).toMatchObject({ enum: [2] });
    expect(ModelMetrics.properties.outOfFold.anyOf[0].$ref).toBe('#/components/schemas/ModelAccuracy');
    expect(ModelAccuracy.required).toContain('measuredOn');
    expect(ModelAccuracy.properties.measuredOn.properties.rows.anyOf.map((r: { enum: string[] }) => r.enum[0])).toEqual(
      expect.arrayContaining(['reference-test', 'cross-validation']),
    );
  });

  it('has interactive docs at /docs, titled Loupe, whose Explore box names /openapi.json', async () => {
    const res = await ctx.t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/swagger-ui/i);
    expect(res.body).toMatch(/<title>Loupe API[^<]*<\/title>/);
    const init = await ctx.t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(init.body).toContain('"url":"/openapi.json"');
  });

  it('is complete: servers; every operation named, summarised, with every answer it can give and an example of each', async () => {
    const doc = (await ctx.t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const missing: string[] = [];
    const need = (ok: unknown, what: string) => {
      if (!ok) missing.push(what);
    };
    need(doc.servers?.length > 0 && doc.servers.every((s: { url?: string }) => typeof s.url === 'string'), 'servers');
    need(/Loupe/.test(doc.info?.title), 'info.title naming Loupe');
    const ids = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(methods)) {
        const name = `${method.toUpperCase()} ${path}`;
        need(typeof op.operationId === 'string' && /^[a-z][A-Za-z]+$/.test(op.operationId), `${name}: operationId`);
        need(!ids.has(op.operationId), `${name}: operationId ${op.operationId} is unique`);
        ids.add(op.operationId);
        need(typeof op.summary === 'string' && op.summary.length > 0, `${name}: summary`);
        for (const p of op.parameters ?? [])
          if (p.required) need(p.example !== undefined, `${name}: example of required parameter ${p.name}`);
        const statuses = Object.keys(op.responses ?? {});
        need(
          statuses.some((s) => s.startsWith('2')),
          `${name}: a 2xx answer`,
        );
        const keyed = (op.security ?? []).length > 0;
        const takesBody = method === 'post';
        const expected = [
          '500',
          ...(keyed ? ['401', '403', '429', '503'] : []),
          ...(takesBody ? ['400', '413', '415'] : []),
          ...(op.parameters?.length ? ['400'] : []),
          ...(path.includes('{') ? ['404'] : []),
        ];
        for (const status of expected) need(statuses.includes(status), `${name}: answer ${status}`);
        for (const [status, r] of Object.entries(op.responses as Record<string, any>)) {
          need(typeof r.description === 'string' && r.description.length > 0, `${name} ${status}: description`);
          for (const [type, c] of Object.entries((r.content ?? {}) as Record<string, any>))
            need(hasExample(c), `${name} ${status} ${type}: example`);
          if (status.startsWith('2')) continue;
          if (status === '304') {
            need(r.content === undefined, `${name} 304: no body`);
            continue;
          }
          const problem = r.content?.['application/problem+json'];
          need(problem?.schema?.$ref === '#/components/schemas/Problem', `${name} ${status}: a Problem`);
          const example = problem?.schema?.examples?.[0] ?? problem?.example;
          const slug = String(example?.type ?? '').replace('/problems/', '');
          need(
            example?.status === Number(status) && PROBLEM_TYPES[slug as ProblemSlug]?.title === example?.title,
            `${name} ${status}: example's status and title are its problem type's (${slug})`,
          );
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('the committed client (openapi.json, schema.d.ts) is what the app generates now', async () => {
    const fresh = await generate();
    expect(readFileSync(OPENAPI_FILE, 'utf8'), 'run: npx tsx client/generate.ts').toBe(fresh.openapi);
    expect(readFileSync(SCHEMA_FILE, 'utf8'), 'run: npx tsx client/generate.ts').toBe(fresh.schema);
  });

  it('the typed client and its example work against a running server', async () => {
    const base = await ctx.t.app.listen({ host: '127.0.0.1', port: 0 });
    const lines: string[] = [];
    await runExample(createLoupeClient({ baseUrl: base }), (l) => lines.push(l));
    expect(lines[0]).toMatch(/^0\.9 ct Ideal G VS2: \$[\d,]+ USD \(\$[\d,]+–\$[\d,]+, 90% range\), model v0001$/);
    expect(lines.some((l) => /stone 2: stones\/2\/carat: Carat 90 is out of range/.test(l))).toBe(true);
    expect(lines.filter((l) => l.includes('similar:'))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^serving v0001 \(hedonic\)/);
  });
});
