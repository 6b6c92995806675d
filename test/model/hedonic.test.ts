import { describe, expect, it } from 'vitest';
import { FACTORS, featureColumns, featureRow, NUM_FACTORS } from '../../src/model/features.js';
import { hedonic } from '../../src/model/kinds/hedonic.js';
import type { Appraisal } from '../../src/diamond/index.js';
import { referenceSplit } from '../helpers/reference.js';

const stone = (carat: number, color: Appraisal['color'], price: number): Appraisal => ({
  carat,
  cut: 'Ideal',
  color,
  clarity: 'VS2',
  depth: 61.8,
  table: 57,
  x: 6.2,
  y: 6.2,
  z: 3.83,
  price,
});

describe('hedonic regression', () => {
  it('recovers the coefficients of data generated exactly by its own form', () => {
    // log price = 8 + 1.8·log carat + 0.1 for colour E over J, nothing else: a noiseless fit must find exactly that.
    const colors: Appraisal['color'][] = ['J', 'I', 'H', 'G', 'F', 'E', 'D'];
    const rows: Appraisal[] = [];
    for (const carat of [0.3, 0.5, 0.7, 1, 1.3, 1.7, 2.2]) {
      for (const color of colors)
        rows.push(stone(carat, color, Math.exp(8 + 1.8 * Math.log(carat) + (color === 'E' ? 0.1 : 0))));
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

  it('explains every stone exactly per factor: base + contributions = prediction, each factor the sum of its terms', async () => {
    const { train, test } = await referenceSplit();
    const model = hedonic.fit(
      featureColumns(train),
      Float64Array.from(train, (r) => Math.log(r.price)),
      hedonic.defaultParams,
      { seed: 1 },
    );
    const p = model.payload() as { terms: string[]; coefficients: number[]; means: number[] };
    const out = new Float64Array(NUM_FACTORS);
    const moved = new Float64Array(NUM_FACTORS);
    expect(FACTORS).toEqual(['carat', 'cut', 'color', 'clarity', 'proportions']);
    for (const r of test) {
      const row = featureRow(r);
      const base = model.contributions(row, out);
      const sum = out.reduce((s, v) => s + v, base);
      expect(Math.abs(sum - model.predictLog(row))).toBeLessThan(1e-9);
      // the colour factor is exactly its one dummy's effect: coefficient × (1 − mean) for the stone's grade (0 for J)
      const k = p.terms.indexOf(`color=${r.color}`);
      const others = p.terms.flatMap((t, j) =>
        t.startsWith('color=') && j !== k ? [-p.coefficients[j] * p.means[j]] : [],
      );
      const colour = (k >= 0 ? p.coefficients[k] * (1 - p.means[k]) : 0) + others.reduce((s, v) => s + v, 0);
      expect(Math.abs(out[FACTORS.indexOf('color')] - colour)).toBeLessThan(1e-12);
      // the measurements are in the size factor but in no term: moving them changes no contribution
      model.contributions(featureRow({ ...r, x: r.x * 1.1, y: r.y * 0.9, z: r.z * 1.2 }), moved);
      expect(Array.from(moved)).toEqual(Array.from(out));
    }
  });

  it('round-trips through its payload and refuses a damaged one', () => {
    const rows = [0.3, 0.5, 0.8, 1, 1.5, 2].flatMap((c, i) =>
      (['J', 'I', 'H', 'G', 'F', 'E', 'D'] as const).map((color, k) => ({
        ...stone(c, color, 1000 * c * (1 + k / 10)),
        cut: (['Fair', 'Good', 'Very Good', 'Premium', 'Ideal'] as const)[(i + k) % 5],
        clarity: (['I1', 'SI2', 'SI1', 'VS2', 'VS1', 'VVS2', 'VVS1', 'IF'] as const)[(i * 3 + k) % 8],
        depth: 59 + ((i + k) % 5),
        table: 55 + (k % 4),
      })),
    );
    const model = hedonic.fit(
      featureColumns(rows),
      Float64Array.from(rows, (r) => Math.log(r.price)),
      hedonic.defaultParams,
      { seed: 1 },
    );
    const again = hedonic.load(JSON.parse(JSON.stringify(model.payload())));
    for (const r of rows) expect(again.predictLog(featureRow(r))).toBe(model.predictLog(featureRow(r)));
    const broken = { ...(model.payload() as object), coefficients: [1, 2] };
    expect(() => hedonic.load(broken)).toThrow(/hedonic payload is not valid/);
  });
});
