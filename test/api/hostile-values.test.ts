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
