/** "Did you mean": one guess for every surface — field names spelt another way and grades of another vocabulary. */
import { describe, expect, it } from 'vitest';
import { FIELDS, STONE_FIELDS, gradeHint, suggestField, validateStone } from '../../src/diamond/index.js';
import { checkStone } from '../../src/api/stone-input.js';

const STONE = {
  carat: 0.7,
  cut: 'Ideal',
  color: 'G',
  clarity: 'VS2',
  depth: 61.8,
  table: 56,
  x: 5.7,
  y: 5.72,
  z: 3.53,
};

describe('suggestField', () => {
  it.each([
    ['colour', 'color'],
    ['Carat', 'carat'],
    ['CLARITY', 'clarity'],
    ['claritiy', 'clarity'],
    ['Clarity Grade', 'clarity'],
    ['carats', 'carat'],
    ['tabel', 'table'],
  ])('%s → %s', (name, meant) => expect(suggestField(name, STONE_FIELDS)).toBe(meant));

  it.each(['price', 'shape', 'fluorescence', 'w', 'lab'])('%s → nothing', (name) =>
    expect(suggestField(name, STONE_FIELDS)).toBeUndefined(),
  );
});

describe('gradeHint', () => {
  it("says GIA's Excellent is not on this scale and how the trade maps it", () => {
    const hint = gradeHint(FIELDS.cut, 'Excellent');
    expect(hint.suggestion).toBe('Ideal');
    expect(hint.note).toMatch(/not on this data's scale \(Fair, Good, Very Good, Premium, Ideal\).*Ideal/);
  });
  it('colours below J are outside the data', () =>
    expect(gradeHint(FIELDS.color, 'M').note).toMatch(/below J.*no stones below J/));
  it.each([
    ['cut', 'Preimum', 'Premium'],
    ['clarity', 'VVS 1', 'VVS1'],
    ['clarity', 'SI-2', 'SI2'],
  ] as const)('%s %s → %s', (field, raw, meant) => expect(gradeHint(FIELDS[field], raw).suggestion).toBe(meant));
  it('no guess for what is nothing like a grade', () => expect(gradeHint(FIELDS.clarity, 'cloudy')).toEqual({}));
});

describe('every surface says the same', () => {
  it('the API names the field an unknown one probably meant, unless the stone has it already', () => {
    const { color: _color, ...rest } = STONE;
    const checked = checkStone({ ...rest, colour: 'G' });
    expect(checked.ok).toBe(false);
    const problem = checked.ok ? undefined : checked.problems.find((p) => p.field === 'colour');
    expect(problem).toMatchObject({ code: 'unknown_field', suggestion: 'color' });
    expect(problem?.message).toMatch(/did you mean color\?/);
    const both = checkStone({ ...STONE, Color: 'G' });
    const extra = both.ok ? undefined : both.problems.find((p) => p.field === 'Color');
    expect(extra?.suggestion).toBeUndefined();
  });

  it('the API and the validator (CSV, predict, web) both explain Excellent', () => {
    const api = checkStone({ ...STONE, cut: 'Excellent' });
    const csv = validateStone({ ...STONE, cut: 'Excellent' });
    const lists: { field: string; message: string }[][] = [api.ok ? [] : api.problems, csv.ok ? [] : csv.problems];
    for (const problems of lists) {
      const p = problems.find((q) => q.field === 'cut');
      expect(p).toMatchObject({ code: 'unknown_grade', suggestion: 'Ideal' });
      expect(p?.message).toMatch(/trade usually maps it to Ideal/);
    }
  });
});
