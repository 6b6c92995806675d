/**
 * The promise behind the monotone constraints, checked on the stone and not only on the engine's features: with
 * everything else about a stone the same, more carat, a better colour or a better clarity never lowers its price.
 * (The engine tests check each constrained feature alone; here one change to the stone moves every feature it
 * feeds, e.g. carat moves density too.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CLARITIES, COLORS, type Stone } from '../../src/diamond/index.js';
import { featureColumns, featureRow } from '../../src/model/features.js';
import { gbdt } from '../../src/model/kinds/gbdt.js';
import type { FittedModel } from '../../src/model/kinds/kind.js';
import { referenceSplit, type ReferenceSplit } from '../helpers/reference.js';

let data: ReferenceSplit;
const models: Record<string, FittedModel> = {};

beforeAll(async () => {
  data = await referenceSplit();
  const X = featureColumns(data.train);
  const y = Float64Array.from(data.train, (r) => Math.log(r.price));
  // Fewer trees than the default to stay quick; the constraints are the default's.
  for (const trend of ['log-carat', 'none'] as const)
    models[trend] = gbdt.fit(X, y, { ...gbdt.defaultParams, nEstimators: 150, trend }, { seed: 5 });
});

/** Counts the steps of each what-if path at which the predicted log price falls. */
function falls(model: FittedModel, paths: Stone[][]): { steps: number; falls: number } {
  let steps = 0;
  let fell = 0;
  for (const path of paths) {
    let previous = model.predictLog(featureRow(path[0]));
    for (const stone of path.slice(1)) {
      const next = model.predictLog(featureRow(stone));
      steps++;
      if (next < previous) fell++;
      previous = next;
    }
  }
  return { steps, falls: fell };
}

describe.each(['log-carat', 'none'])('gbdt (trend %s) on a what-if grid of the reference test stones', (trend) => {
  it('never prices a heavier stone of the same measurements and grades lower', () => {
    const paths = data.test.map((s) =>
      Array.from({ length: 40 }, (_, k) => ({ ...s, carat: Math.round(s.carat * 100 + 2 * k) / 100 })),
    );
    const r = falls(models[trend], paths);
    expect(r.steps).toBe(data.test.length * 39);
    expect(r.falls).toBe(0);
  });

  it('never prices a better colour or clarity lower, from every grade to the best', () => {
    const byColor = data.test.map((s) => COLORS.slice(COLORS.indexOf(s.color)).map((color) => ({ ...s, color })));
    const byClarity = data.test.map((s) =>
      CLARITIES.slice(CLARITIES.indexOf(s.clarity)).map((clarity) => ({ ...s, clarity })),
    );
    expect(falls(models[trend], byColor).falls).toBe(0);
    expect(falls(models[trend], byClarity).falls).toBe(0);
  });
});
