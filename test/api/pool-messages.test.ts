/**
 * The valuation pool's packed messages give back exactly what was packed: stones with and without measurements,
 * answers with warnings and failures among them; a stone that does not fit the packed form is not packed.
 */
import { describe, expect, it } from 'vitest';
import {
  denseNormalised,
  packAnswers,
  packStones,
  sparseNormalised,
  unpackAnswers,
  unpackStones,
  type AnswerResult,
} from '../../src/api/pool-messages.js';
import type { Normalisation, StoneToValue } from '../../src/diamond/index.js';

const measured: StoneToValue = {
  carat: 0.71,
  cut: 'Ideal',
  color: 'G',
  clarity: 'VS1',
  depth: 61.8,
  table: 57,
  x: 5.71,
  y: 5.74,
  z: 3.54,
};
const fourCs: StoneToValue = { carat: 1.01, cut: 'Fair', color: 'J', clarity: 'I1' };

describe('packed stones', () => {
  it('come back as they were, measurements or none, fields in the schema order', () => {
    const stones: StoneToValue[] = [
      measured,
      fourCs,
      { ...measured, cut: 'Premium', color: 'D', clarity: 'IF', carat: 2.5 },
    ];
    const back = unpackStones(packStones(stones)!);
    expect(back).toEqual(stones);
    expect(Object.keys(back[0])).toEqual(Object.keys(measured));
    expect(Object.keys(back[1])).toEqual(['carat', 'cut', 'color', 'clarity']);
  });

  it('leaves out what is not part of a stone', () => {
    const back = unpackStones(packStones([{ ...measured, price: 3000 } as StoneToValue])!);
    expect(back).toEqual([measured]);
  });

  it('are not packed when a stone does not fit: an unknown grade, some measurements but not all', () => {
    expect(packStones([measured, { ...fourCs, cut: 'Splendid' } as unknown as StoneToValue])).toBeNull();
    expect(packStones([{ ...fourCs, depth: 61 } as unknown as StoneToValue])).toBeNull();
    expect(packStones([{ ...measured, x: Number.NaN }])).toBeNull();
  });
});

describe('packed answers', () => {
  it('come back as they were, warnings and failures in their places', () => {
    const results: AnswerResult[] = [
      { ok: true, valuation: { head: '{"price":1', tail: '}', support: 'typical', warnings: [] } },
      { ok: false, message: 'carat beyond the limit' },
      {
        ok: true,
        valuation: {
          head: '{"price":22,"é":"ü"',
          tail: ',"x":[]}',
          support: 'beyond',
          warnings: ['outside_training_range'],
        },
      },
      { ok: true, valuation: { head: '', tail: '', support: 'thin', warnings: [] } },
    ];
    expect(unpackAnswers(packAnswers(results))).toEqual(results);
  });
});

describe('normalisations', () => {
  it('go as the stones that have any, and come back for every stone', () => {
    const spelled: Normalisation[] = [{ field: 'color', from: ' g', to: 'G' }];
    const dense = [[], spelled, [], []];
    const sparse = sparseNormalised(dense);
    expect(sparse).toEqual([[1, spelled]]);
    expect(denseNormalised(4, sparse)).toEqual(dense);
  });
});
