import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAppraisals, readReferenceSplit } from '../../src/ingest/index.js';
import {
  createValuer,
  evaluateModel,
  featureRow,
  importXGBoost,
  loadValuer,
  serializeArtifact,
  type LoadedModel,
} from '../../src/model/index.js';
import type { Appraisal } from '../../src/diamond/index.js';
import { DATA_DIR } from '../helpers/reference.js';

// Made by test/fixtures/xgboost/make_loupe_model.py: XGBoost 1.7.4 trained on `loupe features` output.
const FIXTURE = 'test/fixtures/xgboost/loupe-features';
const modelText = readFileSync(`${FIXTURE}.model.json`, 'utf8');
const expected = JSON.parse(readFileSync(`${FIXTURE}.expected.json`, 'utf8')) as {
  features: string[];
  rows: number[][];
  margin: number[];
  contribs: number[][];
};

let calibration: Appraisal[];
let test: Appraisal[];
let model: LoadedModel;

beforeAll(async () => {
  const testRows = new Set(readReferenceSplit(`${DATA_DIR}/diamonds.reference-split.txt`));
  const rows = await readAppraisals(`${DATA_DIR}/diamonds.csv`);
  // The rows the fixture script left out of XGBoost's training: training-split rows on lines that are multiples of 5.
  calibration = rows
    .filter((r) => !testRows.has(r.dataRow) && r.line % 5 === 0 && r.result.ok)
    .map((r) => (r.result.ok ? r.result.value : null)!);
  test = rows.filter((r) => testRows.has(r.dataRow) && r.result.ok).map((r) => (r.result.ok ? r.result.value : null)!);
  model = createValuer(importXGBoost(modelText, calibration), 'xgb');
});

describe('an XGBoost model imported and served by Loupe', () => {
  it("prices a stone from Loupe's features exactly as XGBoost does", () => {
    expect(expected.features).toEqual([
      'carat',
      'cut',
      'color',
      'clarity',
      'depth',
      'table',
      'x',
      'y',
      'z',
      'volume',
      'density',
      'roundness',
      'depthGap',
    ]);
    for (let i = 0; i < test.length && i < expected.rows.length; i++) {
      const ours = Array.from(featureRow(test[i]));
      // The fixture's rows are the features Loupe computed for the same stones (float64, printed in full).
      expected.rows[i].forEach((v, j) => {
        expect(ours[j]).toBeCloseTo(v, 12);
      });
      // XGBoost sums its trees in float32: agreement to float32 rounding, ~1e-6 relative.
      expect(Math.abs(Math.log(model.price(test[i]).price) - expected.margin[i])).toBeLessThan(2e-5);
    }
  });

  it("explains it with contributions that match XGBoost's own pred_contribs, and add up to its price", () => {
    for (let i = 0; i < expected.rows.length; i++) {
      const v = model.value(test[i]);
      const e = v.explanation!;
      const product = e.steps.reduce((p, s) => p * s.multiplier, e.typicalPrice);
      expect(Math.abs(product / model.price(test[i]).price - 1)).toBeLessThan(1e-9);
      // XGBoost's bias term is the expected value Loupe starts from.
      expect(Math.log(e.typicalPrice)).toBeCloseTo(expected.contribs[i].at(-1)!, 4);
    }
  });

  it('has calibrated ranges that cover about 90% of the test rows it never saw', () => {
    const e = evaluateModel(model, test);
    expect(Math.abs(e.range.coverage - 90)).toBeLessThanOrEqual(3);
    expect(e.mape).toBeLessThan(9);
  });

  it('round-trips through an artifact file', () => {
    const again = loadValuer(serializeArtifact(importXGBoost(modelText, calibration)), 'again');
    for (const r of test.slice(0, 50)) expect(again.price(r)).toEqual(model.price(r));
  });

  it('refuses models it cannot serve faithfully, saying why', () => {
    const doc = JSON.parse(modelText);
    doc.learner.feature_names = doc.learner.feature_names.map((n: string) => (n === 'density' ? 'sparkle' : n));
    expect(() => importXGBoost(doc, calibration)).toThrow(/trained on features .*sparkle/);
    expect(() => importXGBoost(modelText, calibration.slice(0, 10))).toThrow(/at least 50 appraisals/);
  });

  it('refuses leaf values that would price stones at Infinity (a float32 3e38 is a finite leaf)', () => {
    const doc = JSON.parse(modelText);
    const tree = doc.learner.gradient_booster.model.trees[0];
    tree.split_conditions = tree.split_conditions.map((v: number, i: number) =>
      tree.left_children[i] === -1 ? 3e38 : v,
    );
    expect(() => importXGBoost(doc, calibration)).toThrow(
      /xgboost payload is not valid: its log outputs reach from [\d.e+]+ to [\d.e+]+; a model's stay within ±50/,
    );
  });
});
