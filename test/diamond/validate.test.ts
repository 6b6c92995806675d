import { describe, expect, it } from 'vitest';
import { validateAppraisal, validateStone } from '../../src/diamond/index.js';
import { STONE_A } from '../helpers/stones.js';

const good = {
  carat: '1.1',
  cut: 'Ideal',
  color: 'H',
  clarity: 'SI2',
  depth: '62.0',
  table: '55.0',
  price: '4733',
  x: '6.61',
  y: '6.65',
  z: '4.11',
};

describe('validateAppraisal', () => {
  it('accepts a well-formed row and converts its numbers', () => {
    const r = validateAppraisal(good);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(STONE_A);
  });

  it('normalises only the case and spaces of grades, and says so', () => {
    const r = validateAppraisal({ ...good, cut: 'very  good', clarity: ' si2 ' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.cut).toBe('Very Good');
      expect(r.value.clarity).toBe('SI2');
      expect(r.normalised.map((n) => n.field)).toEqual(['cut', 'clarity']);
    }
  });

  it.each([
    [{ price: '' }, 'price', 'missing'],
    [{ carat: '0,51' }, 'carat', 'not_a_number'],
    [{ price: '$3548' }, 'price', 'not_a_number'],
    [{ price: '-1' }, 'price', 'out_of_range'],
    [{ x: '0' }, 'x', 'out_of_range'],
    [{ cut: 'Excellent' }, 'cut', 'unknown_grade'],
    [{ color: 'K' }, 'color', 'unknown_grade'],
    [{ z: '1.41' }, 'depth,x,y,z', 'implausible_geometry'],
  ])('rejects %j as %s/%s', (patch, field, code) => {
    const r = validateAppraisal({ ...good, ...patch });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toContainEqual(expect.objectContaining({ field, code }));
  });

  it('suggests what a decimal comma, a currency sign or carat in points probably meant, without applying it', () => {
    const comma = validateAppraisal({ ...good, carat: '1,1' });
    const dollar = validateAppraisal({ ...good, price: '$4733' });
    const points = validateAppraisal({ ...good, carat: '110' });
    expect(!comma.ok && comma.problems[0].suggestion).toMatch(/^1\.1 /);
    expect(!dollar.ok && dollar.problems[0].suggestion).toMatch(/^4733 /);
    expect(!points.ok && points.problems[0].suggestion).toMatch(/^1\.1 ct/);
  });

  // The form shows each number's unit beside its box, so a number followed by that unit has one reading (hunt-web #16).
  it.each([
    ['carat', '0.9 ct', '0.9'],
    ['carat', '0.9CT', '0.9'],
    ['carat', '.9 ct', '0.9'],
    ['carat', '0,9 ct', '0.9'],
    ['depth', '62 %', '62'],
    ['table', '55%', '55'],
    ['x', '6.61mm', '6.61'],
    ['y', '6.65 mm', '6.65'],
  ])('%s %j: suggests the number without its own unit, without applying it', (field, text, meant) => {
    const r = validateAppraisal({ ...good, [field]: text });
    expect(r.ok).toBe(false);
    const problem = r.ok ? undefined : r.problems[0];
    expect(problem).toMatchObject({ field, code: 'not_a_number' });
    expect(problem?.suggestion?.split(' ')[0]).toBe(meant);
    expect(problem?.suggestion).toMatch(/without the unit/);
    expect(problem?.message).toContain(`probably meant ${problem?.suggestion}.`);
  });

  it.each([
    ['carat', '0.9 mm'],
    ['depth', '62 mm'],
    ['x', '6.61 ct'],
    ['table', '55 % %'],
  ])('%s %j: another unit gets no suggestion, only the error', (field, text) => {
    const r = validateAppraisal({ ...good, [field]: text });
    expect(r.ok).toBe(false);
    const problem = r.ok ? undefined : r.problems[0];
    expect(problem).toMatchObject({ field, code: 'not_a_number' });
    expect(problem?.suggestion).toBeUndefined();
    expect(problem?.message).toMatch(/is not a number\.$/);
  });

  it('checks the weight against the measurements', () => {
    const r = validateAppraisal({ ...good, carat: '0.5' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ field: 'carat,x,y,z', code: 'implausible_geometry' });
  });
});

describe('validateStone', () => {
  it('needs no price and rejects JSON values of the wrong type', () => {
    expect(validateStone({ ...good, price: undefined }).ok).toBe(true);
    const r = validateStone({ ...good, carat: true, cut: 3 });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => [p.field, p.code])).toEqual([
        ['carat', 'wrong_type'],
        ['cut', 'wrong_type'],
      ]);
  });
});

describe('values whose conversion to text is hostile', () => {
  // JSON can carry an object whose toString is not a function: Number() of it throws instead of giving NaN.
  const hostile: unknown[] = [{ toString: false }, { valueOf: null, toString: null }, { toString: 1, valueOf: 2 }];
  it.each(hostile)('are rejected as the wrong type, never thrown on, beside an out-of-range carat (%j)', (value) => {
    for (const field of ['x', 'y', 'z', 'depth', 'price', 'cut'] as const) {
      const stone = { ...good, carat: 12, [field]: value };
      for (const v of [validateAppraisal(stone), validateStone(stone)]) {
        expect(v.ok).toBe(false);
        if (!v.ok && field !== 'price') expect(v.problems.find((p) => p.field === field)?.code).toBe('wrong_type');
      }
    }
  });
});
