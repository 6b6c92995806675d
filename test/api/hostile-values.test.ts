/** A stone value whose conversion to text throws is a 400 with the field named, never a 500. */
import { describe, expect, it } from 'vitest';
import { expectProblem, STONE, useTestApp } from './helpers.js';

const ctx = useTestApp();

describe('POST /v1/valuations with hostile values', () => {
  it.each(['x', 'y', 'z'])('{"carat": 12, "%s": {"toString": false}} is a 400 naming the field', async (field) => {
    const payload = JSON.stringify({ ...STONE, carat: 12, [field]: { toString: false } });
    const res = await ctx.t.app.inject({
      method: 'POST',
      url: '/v1/valuations',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    const problem = expectProblem(res, 400);
    expect(JSON.stringify(problem)).toContain(field);
  });
});

describe('whole numbers in a query or a path are bounded', () => {
  const HUGE = ['9223372036854775807', '9223372036854775808', '99999999999999999999', '9007199254740993'];
  const SIMILAR = '/v1/diamonds/similar?carat=0.9&cut=Ideal&color=G&clarity=VS2';
  /** Every whole-number parameter: how to send a value in it, and the largest value it allows. */
  const PARAMETERS: { name: string; max: number; send: (v: string) => { method: 'GET' | 'POST'; url: string } }[] = [
    { name: 'offset', max: 2147483647, send: (v) => ({ method: 'GET', url: `/v1/appraisals?offset=${v}` }) },
    {
      name: 'submission',
      max: 9007199254740991,
      send: (v) => ({ method: 'GET', url: `/v1/appraisals?submission=${v}` }),
    },
    { name: 'limit', max: 1000, send: (v) => ({ method: 'GET', url: `/v1/appraisals?limit=${v}` }) },
    { name: 'offset', max: 2147483647, send: (v) => ({ method: 'GET', url: `/v1/appraisals/rejects?offset=${v}` }) },
    {
      name: 'submission',
      max: 9007199254740991,
      send: (v) => ({ method: 'GET', url: `/v1/appraisals/rejects?submission=${v}` }),
    },
    { name: 'limit', max: 1000, send: (v) => ({ method: 'GET', url: `/v1/appraisals/rejects?limit=${v}` }) },
    {
      name: 'id',
      max: 9007199254740991,
      send: (v) => ({ method: 'POST', url: `/v1/appraisals/rejects/${v}/dismiss` }),
    },
    { name: 'id', max: 9007199254740991, send: (v) => ({ method: 'POST', url: `/v1/appraisals/rejects/${v}/fix` }) },
    { name: 'before', max: 9007199254740991, send: (v) => ({ method: 'GET', url: `/v1/requests?before=${v}` }) },
    { name: 'limit', max: 1000, send: (v) => ({ method: 'GET', url: `/v1/requests?limit=${v}` }) },
    { name: 'status', max: 599, send: (v) => ({ method: 'GET', url: `/v1/requests?status=${v}` }) },
    { name: 'runs', max: 500, send: (v) => ({ method: 'GET', url: `/v1/monitoring?runs=${v}` }) },
    { name: 'n', max: 50, send: (v) => ({ method: 'GET', url: `${SIMILAR}&n=${v}` }) },
  ];

  it.each(PARAMETERS.map((p) => [p.send('N').url, p] as const))(
    '%s: a huge N is a 400 naming the field and its largest value',
    async (_url, p) => {
      for (const value of HUGE) {
        const { method, url } = p.send(value);
        const res = await ctx.t.app.inject({ method, url, payload: method === 'POST' ? STONE : undefined });
        const problem = expectProblem(res, 400);
        expect(problem.errors, `${url}: ${res.body}`).toHaveLength(1);
        expect(problem.errors[0]).toMatchObject({ field: p.name, code: 'out_of_range' });
        expect(problem.errors[0].allowed).toContain(`to ${p.max}`);
        // The number answered is the one sent, or none: never a rounded one.
        expect(problem.errors[0].message).not.toMatch(/9007199254740992|1e\+|100000000000000000000/);
      }
    },
  );

  it('the OpenAPI document gives every whole-number query and path parameter a maximum', async () => {
    const doc = (await ctx.t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const unbounded: string[] = [];
    let found = 0;
    for (const [path, item] of Object.entries<Record<string, { parameters?: any[] }>>(doc.paths))
      for (const [method, op] of Object.entries(item))
        for (const p of op.parameters ?? [])
          if (p.schema?.type === 'integer') {
            found++;
            if (p.schema.maximum === undefined) unbounded.push(`${method} ${path} ${p.name}`);
          }
    expect(found).toBeGreaterThanOrEqual(PARAMETERS.length);
    expect(unbounded).toEqual([]);
  });
});
