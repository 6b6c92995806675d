/**
 * A file of one row (a stone recorded alone in the app) is held out with the holdout fraction's probability,
 * drawn from its own hash, so stones recorded one at a time are evaluated on too; larger files are drawn as before.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { holdoutOf, type Row } from '../../src/pipeline/data.js';

const row = (id: number): Row =>
  ({
    id,
    fileId: id,
    dataRow: 0,
    carat: 1,
    cut: 'Ideal',
    color: 'G',
    clarity: 'VS2',
    depth: 61,
    table: 57,
    price: 5000,
    x: 6.4,
    y: 6.4,
    z: 3.9,
  }) as Row;
const sha = (i: number) => createHash('sha256').update(String(i)).digest('hex');

describe('holdoutOf', () => {
  it('holds out about a fifth of one-row files, the same ones every time', () => {
    const held = Array.from({ length: 2000 }, (_, i) => holdoutOf([row(i)], sha(i), 0.2).length);
    const share = held.reduce((a, b) => a + b, 0) / held.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
    expect(Array.from({ length: 2000 }, (_, i) => holdoutOf([row(i)], sha(i), 0.2).length)).toEqual(held);
  });

  it('draws a file of ten rows as before: two of them', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ ...row(i), dataRow: i }));
    expect(holdoutOf(rows, sha(1), 0.2)).toHaveLength(2);
  });
});
