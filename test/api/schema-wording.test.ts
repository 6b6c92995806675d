/**
 * Problems found by the schema check read like Loupe's own: no validator jargon ("must NOT have fewer than 1
 * items", "must be equal to constant", "must be object") reaches a partner.
 */
import { describe, expect, it } from 'vitest';
import { schemaProblems } from '../../src/api/schema-errors.js';
import { STONE, useTestApp } from './helpers.js';

const ctx = useTestApp();
const JARGON = /must NOT|must be equal to|must match|must be (object|array|string|number|integer|boolean)\b/;

const post = (payload: unknown, url = '/v1/valuations/batch') =>
  ctx.t.app.inject({ method: 'POST', url, payload: payload as object });

describe('schema problems in plain words', () => {
  it.each([
    [{ stones: [] }, 'stones', /has 0 items; allowed is an array of 1 to/],
    [{ stones: 'all of them' }, 'stones', /is a text, not an array/],
    [{ stones: {} }, 'stones', /is an object, not an array/],
  ])('batch %j: %s', async (body, field, wording) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    const problem = res.json() as { detail: string; errors: { field: string; message: string }[] };
    const own = problem.errors.find((e) => e.field === field);
    expect(own?.message).toMatch(wording);
    for (const e of problem.errors) expect(e.message).not.toMatch(JARGON);
    expect(problem.detail).not.toMatch(JARGON);
  });

  it('a query string flag that is not true or false', async () => {
    const res = await ctx.t.app.inject({ method: 'POST', url: '/v1/valuations?explain=maybe', payload: {} });
    expect(res.statusCode).toBe(400);
    for (const e of res.json().errors as { message: string }[]) expect(e.message).not.toMatch(JARGON);
  });

  it('each keyword of the validator has its own wording, with what is allowed', () => {
    const schema = {
      type: 'object',
      properties: {
        kind: { anyOf: [{ const: 'a' }, { const: 'b' }] },
        name: { type: 'string', maxLength: 3, minLength: 1 },
        n: { type: 'integer', minimum: 1, maximum: 9 },
      },
    };
    const problems = schemaProblems(
      [
        {
          keyword: 'const',
          instancePath: '/kind',
          params: { allowedValue: 'a' },
          message: 'must be equal to constant',
        },
        {
          keyword: 'maxLength',
          instancePath: '/name',
          params: { limit: 3 },
          message: 'must NOT have more than 3 characters',
        },
        { keyword: 'type', instancePath: '/n', params: { type: 'integer' }, message: 'must be integer' },
      ],
      schema,
      'request body',
    );
    expect(problems.map((p) => p.message)).toEqual([
      'kind is not one of the values allowed; allowed is one of a, b.',
      'name is too long; allowed is a text of at most 3 characters.',
      'n is not a whole number; allowed is a whole number from 1 to 9.',
    ]);
  });
});

describe('dates and patterns say their form', () => {
  const list = (query: string) => ctx.t.app.inject({ method: 'GET', url: `/v1/appraisals?limit=1&${query}` });

  it.each([
    ['from', '2026-13-45'],
    ['from', '2026-02-30'],
    ['to', '2025-02-29'],
    ['to', 'yesterday'],
    ['from', '2026-1-01'],
  ])('%s=%s is not a day of the calendar: 400 naming the field and the form', async (field, value) => {
    const res = await list(`${field}=${value}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      {
        field,
        code: 'invalid',
        message: `${field} is not in the form allowed; allowed is a date YYYY-MM-DD (UTC).`,
        allowed: 'a date YYYY-MM-DD (UTC)',
      },
    ]);
  });

  it('a real day, a leap day included, is taken', async () => {
    expect((await list('from=2024-02-29&to=2026-12-31')).statusCode).toBe(200);
  });

  it('a text of a pattern says the pattern (and an example), never just "a text"', () => {
    const schema = {
      type: 'object',
      properties: {
        code: { type: 'string', pattern: '^[A-Z]{3}$', examples: ['USD'] },
        at: { type: 'string', format: 'date-time' },
      },
    };
    const problems = schemaProblems(
      [
        { keyword: 'pattern', instancePath: '/code', params: { pattern: '^[A-Z]{3}$' } },
        { keyword: 'format', instancePath: '/at', params: { format: 'date-time' } },
      ],
      schema,
      'query string',
    );
    expect(problems.map((p) => p.allowed)).toEqual([
      'a text matching ^[A-Z]{3}$ (for example USD)',
      'a date and time as RFC 3339 (for example 2026-01-31T12:00:00Z)',
    ]);
  });
});

describe('appraisal problems have the shape of every other', () => {
  const record = (extra: Record<string, unknown>) =>
    ctx.t.app.inject({ method: 'POST', url: '/v1/appraisals', payload: { ...STONE, price: 4500, ...extra } });

  it('a reference too long names the limit, as a valuation does', async () => {
    const res = await record({ ref: 'r'.repeat(101) });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      {
        field: 'ref',
        code: 'too_long',
        message: 'ref is 101 characters long, too long; allowed is a text of at most 100 characters.',
        allowed: 'a text of at most 100 characters',
      },
    ]);
  });

  it('an unknown field lists the fields allowed', async () => {
    const res = await record({ sparkle: 1 });
    expect(res.statusCode).toBe(400);
    const [problem] = res.json().errors;
    expect(problem).toMatchObject({ field: 'sparkle', code: 'unknown_field' });
    expect(problem.allowed).toBe('only carat, cut, color, clarity, depth, table, price, x, y, z, ref');
  });
});

describe('a field of several kinds (an appraisal cell: a number or a text)', () => {
  const record = (extra: Record<string, unknown>) =>
    ctx.t.app.inject({ method: 'POST', url: '/v1/appraisals', payload: { ...STONE, price: 4500, ...extra } });
  const CELL = 'a number or a text of at most 100 characters';

  it('a text too long is too long, not "not a number"; no kind at all says what kinds are allowed', async () => {
    const long = (await record({ cut: 'x'.repeat(101) })).json().errors;
    expect(long).toEqual([
      {
        field: 'cut',
        code: 'too_long',
        message: `cut is 101 characters long, too long; allowed is ${CELL}.`,
        allowed: CELL,
      },
    ]);
    const array = (await record({ carat: [1] })).json().errors;
    expect(array).toEqual([
      { field: 'carat', code: 'wrong_type', message: `carat is an array; allowed is ${CELL}.`, allowed: CELL },
    ]);
  });
});
