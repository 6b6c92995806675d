/**
 * One leniency policy (src/diamond/validate.ts) on every surface: the API reads a grade in another letter case or
 * spacing as the web batch and CSV ingestion do, says so in the answer (a `normalised` warning naming the field,
 * the value given and the value used), and rejects a decimal comma or a number with its unit ("0.9 ct") with the
 * same suggestion as they do.
 */
import { describe, expect, it } from 'vitest';
import { validateStoneToValue } from '../../src/diamond/index.js';
import { readBatchFile } from '../../web/src/batch/batch.js';
import { expectProblem, STONE, useTestApp } from './helpers.js';

const ctx = useTestApp();

const post = (payload: unknown, url = '/v1/valuations?explain=false') =>
  ctx.t.app.inject({ method: 'POST', url, payload: payload as object });

describe('one leniency policy: the API', () => {
  it('values a stone whose grades are spelt in another case or spacing, and says what it read, first', async () => {
    const exact = (await post(STONE)).json();
    const res = await post({ ...STONE, cut: 'ideal', color: 'g', clarity: ' vs2 ' });
    expect(res.statusCode).toBe(200);
    const v = res.json();
    expect(v.price).toBe(exact.price);
    expect(v.warnings).toEqual([
      {
        code: 'normalised',
        field: 'cut',
        given: 'ideal',
        used: 'Ideal',
        message: 'Cut "ideal" was read as Ideal (grades are matched whatever their letter case and spacing).',
      },
      expect.objectContaining({ code: 'normalised', field: 'color', given: 'g', used: 'G' }),
      expect.objectContaining({ code: 'normalised', field: 'clarity', given: ' vs2 ', used: 'VS2' }),
      ...exact.warnings,
    ]);
    // The quote keeps the warning, and the stone as valued (the grades used).
    await ctx.t.quotes!.flush();
    const stored = (await ctx.t.app.inject({ method: 'GET', url: `/v1/valuations/${v.id}` })).json();
    expect(stored.valuation).toEqual(v);
    expect(stored.stone).toMatchObject({ cut: 'Ideal', color: 'G', clarity: 'VS2' });
  });

  it('reads a batch stone the same way, in that stone’s own result only', async () => {
    const res = await post({ stones: [{ ...STONE, cut: 'VERY GOOD' }, STONE] }, '/v1/valuations/batch?explain=false');
    expect(res.statusCode).toBe(200);
    const [first, second] = res.json().results;
    expect(first.valuation.warnings[0]).toMatchObject({
      code: 'normalised',
      field: 'cut',
      given: 'VERY GOOD',
      used: 'Very Good',
    });
    expect(second.valuation.warnings.some((w: { code: string }) => w.code === 'normalised')).toBe(false);
  });

  it('reads the grades of a similar-stones query the same way, and says so in the answer', async () => {
    const get = (query: string) => ctx.t.app.inject({ method: 'GET', url: `/v1/diamonds/similar?${query}` });
    const exact = (await get('carat=0.9&cut=Very%20Good&color=G&clarity=VS2&n=5')).json();
    const res = await get('carat=0.9&cut=very%20%20good&color=g&clarity=VS2&n=5');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.stones).toEqual(exact.stones);
    expect(exact.warnings).toBeUndefined();
    expect(body.warnings).toEqual([
      {
        code: 'normalised',
        field: 'cut',
        given: 'very  good',
        used: 'Very Good',
        message: 'Cut "very  good" was read as Very Good (grades are matched whatever their letter case and spacing).',
      },
      expect.objectContaining({ code: 'normalised', field: 'color', given: 'g', used: 'G' }),
    ]);
    // a grade that is not one in any spelling is still refused by the schema, naming the field
    const refused = expectProblem(await get('carat=0.9&cut=Excellent&color=G&clarity=VS2'), 400);
    expect(refused.errors.map((e: { field: string }) => e.field)).toContain('cut');
  });

  it('reads the grade filters of the recorded appraisals the same way, and says so in the answer', async () => {
    const get = (query: string) => ctx.t.app.inject({ method: 'GET', url: `/v1/appraisals?limit=5&${query}` });
    const recorded = await ctx.t.app.inject({
      method: 'POST',
      url: '/v1/appraisals',
      payload: { ...STONE, price: 4400 },
    });
    expect(recorded.statusCode).toBe(201);
    const exact = (await get('cut=Ideal&color=G&clarity=VS2')).json();
    const res = await get('cut=ideal&color=%20g&clarity=VS2');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(exact.appraisals).toHaveLength(1);
    expect(body.appraisals).toEqual(exact.appraisals);
    expect(exact.warnings).toBeUndefined();
    expect(body.warnings).toEqual([
      expect.objectContaining({ code: 'normalised', field: 'cut', given: 'ideal', used: 'Ideal' }),
      expect.objectContaining({ code: 'normalised', field: 'color', given: ' g', used: 'G' }),
    ]);
    // the CSV export filters the same way (it has no place for warnings)
    const csv = await get('cut=ideal&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toBe((await get('cut=Ideal&format=csv')).body);
    const refused = expectProblem(await get('cut=Excellent'), 400);
    expect(refused.errors.map((e: { field: string }) => e.field)).toEqual(['cut']);
  });

  it('rejects a decimal comma with what was probably meant, as the CSV reader and the form do', async () => {
    const p = expectProblem(await post({ ...STONE, carat: '0,9' }), 400);
    const csv = validateStoneToValue({ ...STONE, carat: '0,9' });
    expect(csv.ok).toBe(false);
    const csvSuggestion = csv.ok ? undefined : csv.problems[0]?.suggestion;
    expect(csvSuggestion).toBe('0.9 (with a decimal point instead of a comma)');
    expect(p.errors).toEqual([
      expect.objectContaining({ field: 'carat', code: 'wrong_type', suggestion: csvSuggestion }),
    ]);
    expect(p.errors[0].message).toMatch(/probably meant 0\.9 \(with a decimal point/);
  });

  it("rejects a number followed by the field's own unit with the number alone, as the form does", async () => {
    const p = expectProblem(await post({ ...STONE, carat: '0.9 ct' }), 400);
    expect(p.errors).toEqual([
      expect.objectContaining({ field: 'carat', code: 'wrong_type', suggestion: '0.9 (without the unit "ct")' }),
    ]);
    expect(p.errors[0].message).toBe(
      'Carat must be a JSON number, not the string "0.9 ct"; probably meant 0.9 (without the unit "ct").',
    );
    // another unit than the field's gets no guess
    const other = expectProblem(await post({ ...STONE, carat: '0.9 mm' }), 400);
    expect(other.errors[0].suggestion).toBeUndefined();
  });

  // The same spellings through the API and through the web batch (the CSV validator): accepted by both or neither.
  it.each([
    ['cut', 'ideal'],
    ['cut', ' Very  good '],
    ['color', 'g'],
    ['clarity', 'vvs1'],
    ['cut', 'Ideel'],
    ['cut', 'Excellent'],
    ['color', 'K'],
    ['carat', '0.9 ct'],
    ['depth', '61.8 %'],
    ['x', '6.2mm'],
    ['carat', '0.9 mm'],
  ])('%s %j: the API and the web batch agree', async (field, value) => {
    const stone = { ...STONE, [field]: value };
    const api = await post(stone);
    const header = Object.keys(STONE).join(',');
    const row = Object.values(stone)
      .map((v) => `"${v}"`)
      .join(',');
    const read = readBatchFile('s.csv', `${header}\n${row}\n`);
    if (!read.ok) throw new Error(read.message);
    const [batchRow] = read.file.rows;
    expect(api.statusCode === 200).toBe(batchRow?.stone !== undefined);
    if (api.statusCode === 200) {
      const warning = api.json().warnings[0];
      expect(batchRow?.normalised).toEqual([{ field, from: value, to: warning.used }]);
    } else {
      const apiProblem = expectProblem(api, 400).errors[0];
      expect(apiProblem.suggestion).toBe(batchRow?.problems?.[0]?.suggestion);
    }
  });
});
