import { beforeAll, describe, expect, it } from 'vitest';
import { CARAT_PER_MM3, CLARITIES, COLORS, CUTS, FIELDS, validateStone, type Stone } from '../../src/diamond/index.js';
import {
  caratLimitProblem,
  createValuer,
  MAX_RANGE_RATIO,
  trainModel,
  type LoadedModel,
} from '../../src/model/index.js';
import { referenceSplit } from '../helpers/reference.js';

let model: LoadedModel;

beforeAll(async () => {
  const { train } = await referenceSplit();
  // the default kind, smaller to stay fast: the ranges' code path is the served one
  model = createValuer(trainModel(train, { kind: 'gbdt', params: { nEstimators: 120 }, seed: 5 }), 'extreme');
});

/** A round stone of this weight, depth 61.8% and table 57%, valid by the schema. */
function roundStone(carat: number, cut: string, color: string, clarity: string): Stone {
  const depth = 61.8;
  const d = Math.cbrt(carat / (CARAT_PER_MM3 * (depth / 100)));
  const mm = (v: number) => Math.round(v * 100) / 100;
  const v = validateStone({
    carat,
    cut,
    color,
    clarity,
    depth,
    table: 57,
    x: mm(d),
    y: mm(d),
    z: mm((d * depth) / 100),
  });
  if (!v.ok) throw new Error(`test stone not valid: ${JSON.stringify(v.problems)}`);
  return v.value;
}

const ends = <T>(scale: readonly T[]) => [scale[0], scale[scale.length - 1]];
const CARATS = [1, 2, 3, 3.5, 4.5, 6, 8, FIELDS.carat.max];
// every combination of the extreme grades (worst and best cut, colour, clarity) at weights from 1 ct to the schema's maximum
const STONES = CARATS.flatMap((carat) =>
  ends(CUTS).flatMap((cut) =>
    ends(COLORS).flatMap((color) => ends(CLARITIES).map((clarity) => roundStone(carat, cut, color, clarity))),
  ),
);

describe('extreme stones', () => {
  it(`are ${STONES.length} valid stones, from 1 ct to the schema's maximum`, () => {
    expect(STONES.length).toBeGreaterThanOrEqual(30);
    expect(Math.max(...STONES.map((s) => s.carat))).toBe(FIELDS.carat.max);
  });

  it(`never get a range from $0 or one wider than ${MAX_RANGE_RATIO}× from low to high: a range is given honestly or withheld with the reason`, () => {
    let withheld = 0;
    let refused = 0;
    for (const stone of STONES) {
      if (caratLimitProblem(model.artifact, stone)) {
        refused++;
        continue;
      }
      const v = model.value(stone, { explain: false });
      const codes = v.warnings.map((w) => w.code);
      if (v.range) {
        expect(v.range.low, JSON.stringify(stone)).toBeGreaterThan(0);
        expect(v.range.high / v.range.low, JSON.stringify(stone)).toBeLessThanOrEqual(MAX_RANGE_RATIO);
        expect(v.range.low).toBeLessThanOrEqual(v.price);
        expect(v.range.high).toBeGreaterThanOrEqual(v.price);
        expect(v.support.level).not.toBe('beyond');
      } else {
        withheld++;
        expect(codes).toContain('range_withheld');
      }
      // one warning per cause
      expect(new Set(codes).size).toBe(codes.length);
      if (v.support.level === 'thin') expect(codes).toContain('thin_support');
    }
    // the heaviest are refused outright, the ones past the data get no range
    expect(refused).toBeGreaterThan(0);
    expect(withheld).toBeGreaterThan(0);
  });

  it('valued from their 4Cs alone, never get a range from $0 or wider than the bound either, and warn once per cause', () => {
    let ranged = 0;
    for (const { carat, cut, color, clarity } of STONES) {
      const stone = { carat, cut, color, clarity };
      if (caratLimitProblem(model.artifact, stone)) continue;
      const v = model.value(stone, { explain: false });
      const codes = v.warnings.map((w) => w.code);
      expect(codes, JSON.stringify(stone)).toContain('measurements_missing');
      expect(new Set(codes).size).toBe(codes.length);
      if (v.range) {
        ranged++;
        expect(v.range.low, JSON.stringify(stone)).toBeGreaterThan(0);
        expect(v.range.high / v.range.low, JSON.stringify(stone)).toBeLessThanOrEqual(MAX_RANGE_RATIO);
        expect(v.support.level).not.toBe('beyond');
      } else {
        expect(codes).toContain('range_withheld');
      }
    }
    expect(ranged).toBeGreaterThan(0);
  });

  it('name every measurement outside the training range in one warning', () => {
    const stone = roundStone(4.5, 'Ideal', 'D', 'IF');
    const v = model.value(stone, { explain: false });
    const outside = v.warnings.filter((w) => w.code === 'outside_training_range');
    expect(outside).toHaveLength(1);
    expect(outside[0].field!.split(',').length).toBeGreaterThan(1);
    expect(v.support.level).toBe('beyond');
    expect(v.range).toBeNull();
  });

  it('warn of thin support on a heavy stone of a rare grade inside the training range', () => {
    const v = model.value(roundStone(3.5, 'Ideal', 'E', 'VVS1'), { explain: false });
    expect(v.support.level).not.toBe('typical');
    expect(v.warnings.map((w) => w.code)).toContain(v.support.level === 'thin' ? 'thin_support' : 'range_withheld');
  });
});
