/** Sorting the web app's batch table (web/src/batch/sort.ts): numbers, grades in the schema's order, natural text. */
import { describe, expect, it } from 'vitest';
import type { BatchFile, BatchRow } from '../../web/src/batch/batch.js';
import { sortRows } from '../../web/src/batch/sort.js';

const columns = ['Stock', 'carat', 'cut', 'Colour', 'clarity', 'depth', 'table', 'x', 'y', 'z', 'price'];
const row = (line: number, stock: string, carat: string, cut: string, color: string, clarity: string, price?: number) =>
  ({
    line,
    fields: [stock, carat, cut, color, clarity, '61', '57', '6', '6', '3.7', price === undefined ? '' : String(price)],
    ...(price === undefined ? {} : { valuation: { price: price + 100, range: { low: price - 50 } } }),
  }) as unknown as BatchRow;
const rows = [
  row(2, 'lot 10', '1.2', 'Ideal', 'D', 'SI1', 9000),
  row(3, 'lot 9', '0.5', 'fair', 'J', 'IF', 1500),
  row(4, 'lot 11', 'x', 'Premium', 'G', 'VS2'),
  row(5, 'Lot 2', '0.9', 'Good', 'E', 'I1', 3000),
];
const file: BatchFile = { name: 'f.csv', columns, rows };
const lines = (key: Parameters<typeof sortRows>[2]['key'], descending = false) =>
  sortRows(file, rows, { key, descending }, 0).map((r) => r.line);

describe('sortRows', () => {
  it('sorts numbers as numbers; a row without a value goes last either way', () => {
    expect(lines('carat')).toEqual([3, 5, 2, 4]);
    expect(lines('carat', true)).toEqual([2, 5, 3, 4]);
    expect(lines('price', true)).toEqual([2, 5, 3, 4]);
    expect(lines('own')).toEqual([3, 5, 2, 4]);
    expect(lines('difference')).toEqual([2, 3, 5, 4]); // all +100: ties keep the file's order
  });

  it('sorts grades worst to best, in any letter case, under a Colour header too', () => {
    expect(lines('cut')).toEqual([3, 5, 4, 2]);
    expect(lines('color')).toEqual([3, 4, 5, 2]);
    expect(lines('clarity', true)).toEqual([3, 4, 2, 5]);
  });

  it('sorts text in natural order, ignoring case; the file order comes back by row', () => {
    expect(lines('reference')).toEqual([5, 3, 2, 4]);
    expect(lines('line', true)).toEqual([5, 4, 3, 2]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5]);
  });
});
