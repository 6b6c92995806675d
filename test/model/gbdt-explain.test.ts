import { beforeAll, describe, expect, it } from 'vitest';
import { createValuer, trainModel, type ModelArtifact } from '../../src/model/index.js';
import { FACTORS, featureColumns, featureRow, NUM_FACTORS } from '../../src/model/features.js';
import { gbdt } from '../../src/model/kinds/gbdt.js';
import type { FittedModel } from '../../src/model/kinds/kind.js';
import { referenceSplit, type ReferenceSplit } from '../helpers/reference.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

let data: ReferenceSplit;
let model: FittedModel;
let artifact: ModelArtifact;

beforeAll(async () => {
  data = await referenceSplit();
  // smaller than the default (2 × 150 trees) to stay fast; the explanation code path is the served one
  const params = { ...gbdt.defaultParams, nEstimators: 150, bag: 2 };
  model = gbdt.fit(
    featureColumns(data.train),
    Float64Array.from(data.train, (r) => Math.log(r.price)),
    params,
    { seed: 3 },
  );
  // Valued and explained here, its ranges only compared with themselves: a difficulty model of 30 trees, not 300.
  artifact = trainModel(data.train.slice(0, 1500), {
    kind: 'gbdt',
    params: { nEstimators: 150, bag: 2 },
    folds: 2,
    seed: 3,
    difficultyTrees: SMALL_DIFFICULTY_TREES,
  });
});

describe('gbdt explanations per factor', () => {
  it('give five contributions that add up with the base to the log price, and the same from one pass as from two', () => {
    const out = new Float64Array(NUM_FACTORS);
    const both = new Float64Array(NUM_FACTORS + 1);
    for (const stone of data.test) {
      const row = featureRow(stone);
      const base = model.contributions(row, out);
      const log = model.predictLog(row);
      expect(Math.abs(out.reduce((s, v) => s + v, base) - log)).toBeLessThan(1e-9);
      expect(model.predictAndExplain!(row, both)).toBe(log);
      expect(Array.from(both)).toEqual([...out, base]);
    }
  });

  it('quote the same price with and without the explanation, the steps ending exactly at it', () => {
    const valuer = createValuer(artifact, 'g');
    for (const stone of data.test.slice(0, 300)) {
      const explained = valuer.value(stone);
      expect(explained).toEqual({ ...valuer.value(stone, { explain: false }), explanation: explained.explanation });
      const e = explained.explanation!;
      expect(e.steps.map((s) => s.factor)).toEqual([...FACTORS]);
      // the steps run in log space from the base: they end at the price up to rounding
      expect(Math.abs(e.price - valuer.price(stone).price)).toBeLessThan(1e-6);
      const product = e.steps.reduce((p, s) => p * s.multiplier, e.typicalPrice);
      expect(Math.abs(product - e.price) / e.price).toBeLessThan(1e-12);
    }
  });

  it('value many stones together exactly as one by one, with and without explanations', () => {
    const valuer = createValuer(artifact, 'g');
    const stones = data.test.slice(0, 100);
    expect(valuer.valueMany(stones)).toEqual(stones.map((s) => valuer.value(s)));
    expect(valuer.valueMany(stones, { explain: false })).toEqual(
      stones.map((s) => valuer.value(s, { explain: false })),
    );
    const rows = stones.map((s) => featureRow(s));
    const out = new Float64Array(NUM_FACTORS);
    model.contributionsMany!(rows).forEach((phi, i) => {
      const base = model.contributions(rows[i], out);
      expect(Array.from(phi)).toEqual([...out, base]);
    });
  });
});
