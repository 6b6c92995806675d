/** Sorting the web app's batch table (web/src/batch/sort.ts) and applying a suggested fix to a row (batch.ts). */
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

describe('fixedRow', () => {
  it('replaces one field by a suggested value and checks the row again, leaving the file as it was', async () => {
    const { readBatchFile, fixedRow } = await import('../../web/src/batch/batch.js');
    const read = readBatchFile(
      'f.csv',
      'Stock,carat,cut,Colour,clarity,depth,table,x,y,z\nA,"0,9",Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n',
    );
    if (!read.ok) throw new Error(read.message);
    const [row] = read.file.rows;
    expect(row.problems?.[0]).toMatchObject({ field: 'carat', suggestion: expect.stringMatching(/^0\.9\b/) });
    const fixed = fixedRow(read.file, row, 'carat', '0.9');
    expect(fixed.problems).toBeUndefined();
    expect(fixed.stone).toMatchObject({ carat: 0.9, color: 'G' });
    expect(fixed.fields).toEqual(['A', '0.9', 'Ideal', 'G', 'VS2', '61.8', '57', '6.2', '6.24', '3.84']);
    expect(row.fields[1]).toBe('0,9');
    // A fix that is not one leaves the row with its problem.
    expect(fixedRow(read.file, row, 'carat', '90').problems?.[0]).toMatchObject({ field: 'carat' });
  });
});
