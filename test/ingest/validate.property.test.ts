import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prng, syntheticRow } from '../../bench/synthetic-appraisals.js';
import {
  APPRAISAL_FIELDS,
  REASON_CODES,
  validateAppraisal,
  validateStone,
  type Validation,
} from '../../src/diamond/index.js';
import { validateAppraisalGenerally } from '../../src/diamond/validate.js';

/** A validation is one of exactly two shapes: a value, or at least one problem with a known code and a message. */
function wellFormed(v: Validation<unknown>): boolean {
  if (v.ok) return typeof v.value === 'object' && v.value !== null && Array.isArray(v.normalised);
  return (
    v.problems.length > 0 &&
    v.problems.every(
      (p) =>
        REASON_CODES.includes(p.code) &&
        typeof p.message === 'string' &&
        p.message.length > 0 &&
        typeof p.field === 'string',
    )
  );
}

const fieldsOf = <T>(arb: fc.Arbitrary<T>) =>
  fc.record(Object.fromEntries(APPRAISAL_FIELDS.map((f) => [f, arb])) as Record<string, fc.Arbitrary<T>>, {
    requiredKeys: [],
  });

// Strings near real values (numbers, grades, spaces, commas, signs) find more edges than uniform noise.
const nearValue = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom(...'0123456789.,-+eE $ '.split('')) }),
  fc.constantFrom('Ideal', ' ideal ', 'VERY  GOOD', 'K', 'si2', 'NaN', 'Infinity', '1e309', '-0', '0x10', '١٢'),
  fc.double().map(String),
);

describe('validateAppraisal on arbitrary input', () => {
  it('never throws and always returns accepted or rejected-with-reasons for arbitrary strings in every field', () => {
    fc.assert(
      fc.property(fieldsOf(nearValue), (raw) => {
        const v = validateAppraisal(raw);
        expect(wellFormed(v)).toBe(true);
        if (v.ok) for (const f of APPRAISAL_FIELDS) expect(v.value[f]).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws for arbitrary JSON values, in the fields or as the whole input', () => {
    fc.assert(
      fc.property(fc.oneof(fieldsOf(fc.jsonValue()), fc.jsonValue(), fc.anything()), (raw) => {
        expect(wellFormed(validateAppraisal(raw))).toBe(true);
        expect(wellFormed(validateStone(raw))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('a valid row with one field replaced by anything is accepted, or rejected naming that field', () => {
    const valid = fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => {
      const [carat, cut, color, clarity, depth, table, price, x, y, z] = syntheticRow(prng(seed)).split(',');
      return { carat, cut, color, clarity, depth, table, price, x, y, z } as Record<string, string>;
    });
    fc.assert(
      fc.property(valid, fc.constantFrom(...APPRAISAL_FIELDS), nearValue, (row, field, value) => {
        expect(validateAppraisal(row).ok).toBe(true);
        const v = validateAppraisal({ ...row, [field]: value });
        expect(wellFormed(v)).toBe(true);
        if (!v.ok) {
          // Each problem is about the replaced field: its own check, or a geometry check that involves it.
          for (const p of v.problems) expect(p.field.split(',')).toContain(field);
        } else {
          // Accepted again once written back as text: validation is stable.
          expect(
            validateAppraisal(Object.fromEntries(Object.entries(v.value).map(([k, x]) => [k, String(x)]))).ok,
          ).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a number the same on the fast path (plain digits and a point) as on the careful one (spaces around it)', () => {
    const base = Object.fromEntries(APPRAISAL_FIELDS.map((f, i) => [f, syntheticRow(prng(7)).split(',')[i]]));
    const plain = fc.stringMatching(/^(\d{1,7}(\.\d{0,4})?|\.\d{1,4})$/);
    fc.assert(
      fc.property(
        fc.constantFrom(...APPRAISAL_FIELDS.filter((f) => !['cut', 'color', 'clarity'].includes(f))),
        plain,
        (field, text) => {
          const fast = validateAppraisal({ ...base, [field]: text });
          const careful = validateAppraisal({ ...base, [field]: ` ${text} ` });
          expect(fast).toEqual(careful);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads plain digits of any length and any place of the point exactly as Number() does', () => {
    const base = Object.fromEntries(APPRAISAL_FIELDS.map((f, i) => [f, syntheticRow(prng(11)).split(',')[i]]));
    const digits = fc.stringMatching(/^\d{0,18}\.?\d{0,18}$/).filter((t) => /\d/.test(t) && t.length <= 32);
    fc.assert(
      fc.property(
        fc.constantFrom('carat', 'depth', 'table', 'price', 'x', 'y', 'z'),
        fc.oneof(digits, fc.double({ min: 0, max: 2e6, noNaN: true }).map(String)),
        (field, text) => {
          const fast = validateAppraisal({ ...base, [field]: text });
          const careful = validateAppraisal({ ...base, [field]: ` ${text} ` });
          expect(fast).toEqual(careful);
          if (careful.ok) expect(Object.is(careful.value[field as 'carat'], Number(text))).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('gives the same result, bit for bit, on the shortcut for plain rows as on the general path', () => {
    const row = fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => {
      const [carat, cut, color, clarity, depth, table, price, x, y, z] = syntheticRow(prng(seed)).split(',');
      return { carat, cut, color, clarity, depth, table, price, x, y, z } as Record<string, string>;
    });
    // Values that pass or just fail each check of the shortcut: plain digits in and out of range, scaled numbers that
    // break the geometry, grades in another case, signs, exponents, spaces.
    const changed = fc.oneof(
      nearValue,
      fc.stringMatching(/^\d{1,7}(\.\d{0,3})?$/),
      fc.constantFrom(
        '0',
        '0.1',
        '10',
        '10.01',
        '0.09',
        '1000000',
        '1000001',
        '0.5',
        '15',
        '20',
        '20.01',
        '40',
        '80',
        '100',
        '100.1',
      ),
      fc.constantFrom('ideal', 'IDEAL', 'Very Good', 'very good', 'g', 'G ', 'vs2', 'IF', 'If', 'I1', 'J', 'D'),
    );
    fc.assert(
      fc.property(
        row,
        fc.array(fc.tuple(fc.constantFrom(...APPRAISAL_FIELDS), changed), { maxLength: 3 }),
        fc.boolean(),
        (base, edits, scale) => {
          const raw: Record<string, string> = { ...base };
          for (const [field, value] of edits) raw[field] = value;
          if (scale) raw.z = String(Number(raw.z) * 1.5);
          const v = validateAppraisal(raw);
          expect(v).toEqual(validateAppraisalGenerally(raw));
          expect(JSON.stringify(v)).toBe(JSON.stringify(validateAppraisalGenerally(raw)));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
