import { describe, expect, it } from 'vitest';
import { exampleStone, type Appraisal } from '../../src/diamond/index.js';
import { coverageBySegment, createValuer, rangesBySegment, trainModel } from '../../src/model/index.js';
import { referenceSplit } from '../helpers/reference.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

/** The schema's example stone at another weight and price (segments here depend on carat only). */
const stone = (carat: number, price: number): Appraisal => ({
  ...(exampleStone() as unknown as Appraisal),
  carat,
  price,
});

describe('coverage by segment', () => {
  it('counts the stones inside their range per segment, so a binomial interval can be put on each', () => {
    const stones = [stone(0.3, 500), stone(0.4, 700), stone(0.4, 900), stone(2.1, 15_000), stone(2.5, 18_000)];
    const ranges = [
      { low: 400, high: 600 }, // inside
      { low: 750, high: 800 }, // below
      { low: 800, high: 1_000 }, // inside
      null, // withheld: left out of coverage
      { low: 10_000, high: 17_000 }, // above
    ];
    const table = coverageBySegment(stones, ranges, ['typical', 'typical', 'typical', 'thin', 'thin']);
    const find = (partition: string, group: string) =>
      table.find((c) => c.partition === partition && c.group === group);
    expect(find('all', 'all stones')).toMatchObject({ stones: 4, inside: 2, coverage: 50 });
    expect(find('carat', '<0.5 ct')).toMatchObject({ stones: 3, inside: 2 });
    expect(find('carat', '≥2 ct')).toMatchObject({ stones: 1, inside: 0, coverage: 0 });
    expect(find('support', 'thin')).toMatchObject({ stones: 1, inside: 0 });
    expect(find('cut', 'Fair')).toMatchObject({ stones: 0, inside: 0 });
    for (const c of table) if (c.stones > 0) expect(c.coverage).toBeCloseTo((c.inside / c.stones) * 100, 12);
  });

  it('tables the stones valued with their measurements and from their 4Cs alone, on the split and in CV', async () => {
    const { train, test } = await referenceSplit();
    // the hedonic kind and a difficulty model of 30 trees (not 300) keep it fast; the tables are the same code for
    // every kind and any ranges
    const options = { kind: 'hedonic', cvFolds: 3, difficultyTrees: SMALL_DIFFICULTY_TREES };
    const tables = rangesBySegment(train.slice(0, 1500), test.slice(0, 300), options);
    for (const t of [tables, tables.fourCs]) {
      expect(t.split[0].stones + t.withheld.split).toBe(300);
      expect(t.cv[0].stones + t.withheld.cv).toBe(1500);
      expect(t.split.map((c) => c.group)).toEqual(tables.split.map((c) => c.group));
    }
    // the same stones, valued another way: different ranges (the hedonic kind learns little from the
    // measurements, so its widths are close either way; the default kind's 4Cs ranges are wider, bench:accuracy)
    expect(tables.fourCs.split[0].medianWidth).not.toBeCloseTo(tables.split[0].medianWidth, 3);
    expect(tables.fourCs.split[0].medianWidth).toBeGreaterThan(0.8 * tables.split[0].medianWidth);
    // A split model the caller has already trained with the same options gives the same tables.
    const splitModel = createValuer(trainModel(train.slice(0, 1500), options), 'given');
    expect(rangesBySegment(train.slice(0, 1500), test.slice(0, 300), { ...options, splitModel })).toEqual(tables);
  });
});
