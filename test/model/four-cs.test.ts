import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLARITIES, COLORS, CUTS, validateStoneToValue, type FourCs } from '../../src/diamond/index.js';
import { fourCsOf, withTypicalMeasurements } from '../../src/model/four-cs.js';
import {
  createValuer,
  evaluateModel,
  MAX_RANGE_RATIO,
  trainModel,
  type LoadedModel,
  type ModelArtifact,
} from '../../src/model/index.js';
import { checkGeometry } from '../../src/diamond/index.js';
import { referenceSplit, type ReferenceSplit } from '../helpers/reference.js';

let data: ReferenceSplit;
let artifact: ModelArtifact;
let model: LoadedModel;

beforeAll(async () => {
  data = await referenceSplit();
  // the default kind, smaller to stay fast: the 4Cs-only code path is the served one
  artifact = trainModel(data.train, { kind: 'gbdt', params: { nEstimators: 150 }, seed: 3 });
  model = createValuer(artifact, 'four-cs');
});

describe('valuing from the 4Cs alone', () => {
  it('validates the 4Cs alone, and the measurements all or none', () => {
    const fourCs = validateStoneToValue({ carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2' });
    expect(fourCs).toEqual({
      ok: true,
      value: { carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2' },
      normalised: [],
    });
    const some = validateStoneToValue({ carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2', depth: 61.8, x: 6.2 });
    expect(some.ok).toBe(false);
    if (!some.ok) {
      expect(some.problems.map((p) => p.field)).toEqual(['table', 'y', 'z']);
      for (const p of some.problems) expect(p.message).toMatch(/give all five measurements .* or none/);
    }
    const noCarat = validateStoneToValue({ cut: 'Ideal', color: 'G', clarity: 'VS2' });
    expect(noCarat.ok).toBe(false);
    if (!noCarat.ok) expect(noCarat.problems.map((p) => [p.field, p.code])).toEqual([['carat', 'missing']]);
  });

  it('fills in the measurements of a typical round stone of its weight, plausible by the schema', () => {
    for (const r of data.test.slice(0, 200)) {
      const stone = withTypicalMeasurements(fourCsOf(r), artifact.fourCs.fill);
      expect(stone.x).toBe(stone.y);
      expect(checkGeometry(stone)).toEqual([]);
    }
  });

  it('says the measurements were missing and what that costs, in one warning', () => {
    const stone = fourCsOf(data.test[0]);
    const v = model.value(stone);
    const codes = v.warnings.map((w) => w.code);
    expect(codes.filter((c) => c === 'measurements_missing')).toHaveLength(1);
    const warning = v.warnings.find((w) => w.code === 'measurements_missing')!;
    expect(warning.field).toBe('depth,table,x,y,z');
    expect(warning.message).toMatch(/4Cs alone.*off by \d+\.\d% for half of them \(\d+\.\d% with measurements\)/);
    expect(v.explanation?.steps.find((s) => s.factor === 'proportions')?.label).toBe(
      'typical proportions (not measured)',
    );
    expect(model.value(data.test[0]).warnings.map((w) => w.code)).not.toContain('measurements_missing');
  });

  it('has a range calibrated of its own: about 90% out of fold, wider than with the measurements', () => {
    const own = artifact.fourCs.metrics.outOfFold.range;
    expect(own.coverage).toBeGreaterThanOrEqual(89);
    expect(own.coverage).toBeLessThanOrEqual(91);
    expect(own.medianRelativeWidth).toBeGreaterThan(artifact.metrics.outOfFold.range.medianRelativeWidth);
    expect(artifact.fourCs.calibration.levels[0].quantile).not.toBe(artifact.calibration.levels[0].quantile);
    // on the reference split's test stones, which the model never saw
    const split = evaluateModel(model, data.test, { fourCsOnly: true });
    expect(split.range.coverage).toBeGreaterThanOrEqual(86);
    expect(split.range.coverage).toBeLessThanOrEqual(94);
  });

  it('values many stones, 4Cs-only and full mixed, exactly as one by one', () => {
    const stones = data.test.slice(0, 20).map((r, i) => (i % 2 ? fourCsOf(r) : r));
    expect(model.valueMany(stones)).toEqual(stones.map((s) => model.value(s)));
  });

  it('gives every 4Cs-only stone a range around its price, never from $0 nor wider than the bound, or says why not', () => {
    const stone = fc.record<FourCs>({
      carat: fc.integer({ min: 20, max: 500 }).map((c) => c / 100),
      cut: fc.constantFrom(...CUTS),
      color: fc.constantFrom(...COLORS),
      clarity: fc.constantFrom(...CLARITIES),
    });
    fc.assert(
      fc.property(stone, (s) => {
        const v = model.value(s, { explain: false });
        expect(v.warnings.map((w) => w.code)).toContain('measurements_missing');
        if (v.range === null) {
          expect(v.warnings.map((w) => w.code)).toContain('range_withheld');
          return;
        }
        expect(v.range.low).toBeGreaterThan(0);
        expect(v.range.low).toBeLessThanOrEqual(v.price);
        expect(v.range.high).toBeGreaterThanOrEqual(v.price);
        expect(v.range.high / v.range.low).toBeLessThanOrEqual(MAX_RANGE_RATIO * 1.02);
        const full = model.price(withTypicalMeasurements(s, artifact.fourCs.fill));
        expect(model.price(s).price).toBeCloseTo(full.price, 6);
      }),
      { numRuns: 300 },
    );
  });
});
