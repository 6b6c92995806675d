/**
 * Sorting the batch table by any of its columns: numbers as numbers, grades worst to best (the diamond schema's
 * order, not the alphabet), text in natural order ("lot 9" before "lot 10"). Rows without a value in the column (an
 * error row has no price) go last whichever way the column is sorted; ties keep the file's order.
 */
import { columnKey } from '../../../src/diamond/columns.js';
import { CLARITY_GRADES, COLOR_GRADES, CUT_GRADES } from '../../../src/diamond/grades.js';
import { type BatchFile, type BatchRow, filePrice } from './batch.js';

export type SortKey =
  | 'line'
  | 'reference'
  | 'carat'
  | 'cut'
  | 'color'
  | 'clarity'
  | 'price'
  | 'own'
  | 'difference'
  | 'result';

export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

const rank = (grades: readonly { code: string }[]) => {
  const byCode = new Map(grades.map((g, i) => [g.code.toLowerCase(), i]));
  return (text: string): number | undefined => byCode.get(text.trim().toLowerCase());
};
const GRADE_RANK = { cut: rank(CUT_GRADES), color: rank(COLOR_GRADES), clarity: rank(CLARITY_GRADES) };

/** A row's value in one column: a number, a text, or undefined when it has none. */
function columnValue(file: BatchFile, row: BatchRow, key: SortKey, reference: number): number | string | undefined {
  const field = (name: string): string => {
    const i = file.columns.findIndex((c) => columnKey(c) === name);
    return i >= 0 ? (row.fields[i] ?? '').trim() : '';
  };
  switch (key) {
    case 'line':
      return row.line;
    case 'reference':
      return reference >= 0 ? (row.fields[reference] ?? '').trim() || undefined : undefined;
    case 'carat': {
      const carat = field('carat') === '' ? Number.NaN : Number(field('carat'));
      return Number.isFinite(carat) ? carat : undefined;
    }
    case 'cut':
    case 'color':
    case 'clarity':
      return GRADE_RANK[key](field(key));
    case 'price':
      return row.valuation?.price;
    case 'own':
      return filePrice(file, row);
    case 'difference': {
      const own = filePrice(file, row);
      return own === undefined || !row.valuation ? undefined : row.valuation.price - own;
    }
    case 'result':
      return row.valuation?.range?.low;
  }
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The rows in the order asked for (a new array; the file's rows are not touched). */
export function sortRows(file: BatchFile, rows: readonly BatchRow[], order: SortOrder, reference: number): BatchRow[] {
  const keyed = rows.map((row) => ({ row, value: columnValue(file, row, order.key, reference) }));
  const sign = order.descending ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.value === undefined || b.value === undefined) {
      if (a.value === b.value) return a.row.line - b.row.line;
      return a.value === undefined ? 1 : -1;
    }
    const c =
      typeof a.value === 'number' && typeof b.value === 'number'
        ? a.value - b.value
        : collator.compare(String(a.value), String(b.value));
    return c === 0 ? a.row.line - b.row.line : sign * c;
  });
  return keyed.map((k) => k.row);
}
