import { describe, expect, it } from 'vitest';
import { featureColumns, featureRow, FEATURE_NAMES } from '../../src/model/features.js';
import { hedonic } from '../../src/model/kinds/hedonic.js';
import type { Appraisal } from '../../src/diamond/index.js';
import { referenceSplit } from '../helpers/reference.js';

const stone = (carat: number, color: Appraisal['color'], price: number): Appraisal => ({
  carat, cut: 'Ideal', color, clarity: 'VS2', depth: 61.8, table: 57, x: 6.2, y: 6.2, z: 3.83, price,
});

describe('hedonic regression', () => {
  it('recovers the coefficients of data generated exactly by its own form', () => {
    // log price = 8 + 1.8·log carat + 0.1 for colour E over J, nothing else: a noiseless fit must find exactly that.
    const colors: Appraisal['color'][] = ['J', 'I', 'H', 'G', 'F', 'E', 'D'];
    const rows: Appraisal[] = [];
    for (const carat of [0.3, 0.5, 0.7, 1, 1.3, 1.7, 2.2]) {
      for (const color of colors) rows.push(stone(carat, color, Math.exp(8 + 1.8 * Math.log(carat) + (color === 'E' ? 0.1 : 0))));
    }
    // Vary the other grades so every dummy has support.
    rows.forEach((r, i) => {
      r.cut = (['Fair', 'Good', 'Very Good', 'Premium', 'Ideal'] as const)[i % 5];
      r.clarity = (['I1', 'SI2', 'SI1', 'VS2', 'VS1', 'VVS2', 'VVS1', 'IF'] as const)[i % 8];
      r.depth = 60 + (i % 3);
      r.table = 54 + (i % 6);
    });
    const y = Float64Array.from(rows, (r) => Math.log(r.price));
    const model = hedonic.fit(featureColumns(rows), y, { lambda: 0 }, { seed: 1 });
    const p = model.payload() as { intercept: number; coefficients: number[]; terms: string[] };
    const coef = (name: string) => p.coefficients[p.terms.indexOf(name)];
    expect(p.intercept).toBeCloseTo(8, 8);
    expect(coef('log carat')).toBeCloseTo(1.8, 8);
    expect(coef('log carat^2')).toBeCloseTo(0, 8);
    expect(coef('color=E')).toBeCloseTo(0.1, 8);
    expect(coef('color=D')).toBeCloseTo(0, 8);
    expect(coef('depth')).toBeCloseTo(0, 8);
  });

  it('explains every stone exactly: base + contributions = prediction, and only features in its terms contribute', async () => {
    const { train, test } = await referenceSplit();
    const model = hedonic.fit(featureColumns(train), Float64Array.from(train, (r) => Math.log(r.price)), hedonic.defaultParams, { seed: 1 });
    const out = new Float64Array(FEATURE_NAMES.length);
    for (const r of test) {
      const row = featureRow(r);
      const base = model.contributions(row, out);
      const sum = out.reduce((s, v) => s + v, base);
      expect(Math.abs(sum - model.predictLog(row))).toBeLessThan(1e-9);
      for (const name of ['x', 'y', 'z', 'volume', 'density'] as const) expect(out[FEATURE_NAMES.indexOf(name)]).toBe(0);
    }
  });

  it('round-trips through its payload and refuses a damaged one', () => {
    const rows = [0.3, 0.5, 0.8, 1, 1.5, 2].flatMap((c, i) =>
      (['J', 'I', 'H', 'G', 'F', 'E', 'D'] as const).map((color, k) => ({ ...stone(c, color, 1000 * c * (1 + k / 10)), cut: (['Fair', 'Good', 'Very Good', 'Premium', 'Ideal'] as const)[(i + k) % 5], clarity: (['I1', 'SI2', 'SI1', 'VS2', 'VS1', 'VVS2', 'VVS1', 'IF'] as const)[(i * 3 + k) % 8], depth: 59 + ((i + k) % 5), table: 55 + (k % 4) })),
    );
    const model = hedonic.fit(featureColumns(rows), Float64Array.from(rows, (r) => Math.log(r.price)), hedonic.defaultParams, { seed: 1 });
    const again = hedonic.load(JSON.parse(JSON.stringify(model.payload())));
    for (const r of rows) expect(again.predictLog(featureRow(r))).toBe(model.predictLog(featureRow(r)));
    const broken = { ...(model.payload() as object), coefficients: [1, 2] };
    expect(() => hedonic.load(broken)).toThrow(/hedonic payload is not valid/);
  });
});
