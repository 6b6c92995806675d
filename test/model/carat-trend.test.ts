import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_INDEX, FACTOR_OF_FEATURE, featureColumns, featureRow, NUM_FACTORS } from '../../src/model/features.js';
import { fitCaratTrend, gbdt } from '../../src/model/kinds/gbdt.js';
import type { Stone } from '../../src/diamond/index.js';
import { referenceSplit, type ReferenceSplit } from '../helpers/reference.js';

let data: ReferenceSplit;
beforeAll(async () => {
  data = await referenceSplit();
});

const CARAT_FACTOR = FACTOR_OF_FEATURE[FEATURE_INDEX.carat];

/** The reference stones repriced by an exact power law of their weight: price = 4000 · carat^1.7. */
function powerLawPrices(stones: readonly Stone[]): Float64Array {
  return Float64Array.from(stones, (s) => Math.log(4000) + 1.7 * Math.log(s.carat));
}

describe('the log-carat trend the gbdt trees start from', () => {
  it('is the least-squares line of log price on log carat', () => {
    const stones = data.train.slice(0, 800);
    const t = fitCaratTrend(featureColumns(stones), powerLawPrices(stones), true);
    expect(t.slope).toBeCloseTo(1.7, 12);
    expect(t.intercept).toBeCloseTo(Math.log(4000), 12);
    const meanLogCarat = stones.reduce((s, r) => s + Math.log(r.carat), 0) / stones.length;
    expect(t.center).toBeCloseTo(meanLogCarat, 12);
  });

  it('is flattened when it would fall and prices must not fall with carat; kept when they may', () => {
    const stones = data.train.slice(0, 300);
    const falling = Float64Array.from(stones, (s) => 9 - 0.5 * Math.log(s.carat));
    const flat = fitCaratTrend(featureColumns(stones), falling, true);
    expect(flat.slope).toBe(0);
    expect(flat.intercept).toBeCloseTo(falling.reduce((a, b) => a + b, 0) / falling.length, 12);
    expect(fitCaratTrend(featureColumns(stones), falling, false).slope).toBeCloseTo(-0.5, 12);
  });

  it('carries a pure power law alone, and its explanation goes to the size factor', () => {
    const stones = data.train.slice(0, 1000);
    const y = powerLawPrices(stones);
    const model = gbdt.fit(featureColumns(stones), y, { ...gbdt.defaultParams, nEstimators: 5 }, { seed: 1 });
    const out = new Float64Array(NUM_FACTORS);
    for (const stone of data.test.slice(0, 100)) {
      const row = featureRow(stone);
      const expected = Math.log(4000) + 1.7 * Math.log(stone.carat);
      expect(model.predictLog(row)).toBeCloseTo(expected, 9);
      const base = model.contributions(row, out);
      out.forEach((v, k) => {
        if (k !== CARAT_FACTOR) expect(Math.abs(v)).toBeLessThan(1e-9);
      });
      expect(Math.abs(base + out[CARAT_FACTOR] - model.predictLog(row))).toBeLessThan(1e-9);
    }
  });

  it('is kept in the payload: a reloaded model predicts and explains bit for bit alike', () => {
    const stones = data.train.slice(0, 1500);
    const model = gbdt.fit(
      featureColumns(stones),
      Float64Array.from(stones, (s) => Math.log(s.price)),
      { ...gbdt.defaultParams, nEstimators: 40 },
      { seed: 2 },
    );
    const payload = JSON.parse(JSON.stringify(model.payload())) as { trend: unknown };
    expect(payload.trend).toMatchObject({
      slope: expect.any(Number),
      intercept: expect.any(Number),
      center: expect.any(Number),
    });
    const reloaded = gbdt.load(payload);
    const a = new Float64Array(NUM_FACTORS + 1);
    const b = new Float64Array(NUM_FACTORS + 1);
    for (const stone of data.test.slice(0, 100)) {
      const row = featureRow(stone);
      expect(reloaded.predictAndExplain!(row, b)).toBe(model.predictAndExplain!(row, a));
      expect(Array.from(b)).toEqual(Array.from(a));
    }
  });

  it('refuses a payload whose trend is damaged', () => {
    const stones = data.train.slice(0, 500);
    const payload = gbdt
      .fit(
        featureColumns(stones),
        Float64Array.from(stones, (s) => Math.log(s.price)),
        { ...gbdt.defaultParams, nEstimators: 3 },
        { seed: 2 },
      )
      .payload() as Record<string, unknown>;
    expect(() => gbdt.load({ ...payload, trend: { intercept: 1, slope: 'steep', center: 0 } })).toThrow(
      /trend must hold finite numbers/,
    );
    expect(() => gbdt.load({ ...payload, trend: null })).toThrow(/trend must hold finite numbers/);
  });

  it('is left out with trend "none": the trees then start from the mean log price', () => {
    const stones = data.train.slice(0, 500);
    const model = gbdt.fit(
      featureColumns(stones),
      Float64Array.from(stones, (s) => Math.log(s.price)),
      { ...gbdt.defaultParams, nEstimators: 3, trend: 'none' },
      { seed: 2 },
    );
    expect(model.payload()).not.toHaveProperty('trend');
  });

  it('refuses an unknown trend, naming the allowed ones', () => {
    const stones = data.train.slice(0, 200);
    const params = { ...gbdt.defaultParams, nEstimators: 2, trend: 'quadratic' as never };
    expect(() =>
      gbdt.fit(
        featureColumns(stones),
        Float64Array.from(stones, (s) => Math.log(s.price)),
        params,
        { seed: 2 },
      ),
    ).toThrow(/trend must be "log-carat" or "none", got "quadratic"/);
  });
});
