/**
 * The published 80/20 split of the reference file: the 0-based data-row numbers of its test rows
 * (diamonds.reference-split.txt, one number a line, `#` comments). Matches ReadRow.dataRow.
 */
import { readFileSync } from 'node:fs';
import type { Appraisal } from '../diamond/index.js';
import { readAppraisals } from './rows.js';

export function readReferenceSplit(path: string): number[] {
  const rows: number[] = [];
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((text, i) => {
      const line = text.trim();
      if (line === '' || line.startsWith('#')) return;
      if (!/^\d+$/.test(line)) throw new Error(`${path}, line ${i + 1}: "${line}" is not a row number`);
      rows.push(Number(line));
    });
  return rows;
}

export interface ReferenceSplitRows {
  /** Rows not in the split file that pass validation (the published solutions' training rows, less the ones Loupe rejects). */
  train: Appraisal[];
  /** The split file's rows, in file order. */
  test: Appraisal[];
}

/**
 * The reference file divided as the published solutions divided it. Every test row must pass validation
 * (so scores compare with theirs); a training row that fails it is left out, as Loupe would never learn from it.
 */
export async function readReferenceSplitRows(csvPath: string, splitPath: string): Promise<ReferenceSplitRows> {
  const testRows = new Set(readReferenceSplit(splitPath));
  const train: Appraisal[] = [];
  const test: Appraisal[] = [];
  for (const row of await readAppraisals(csvPath)) {
    if (testRows.has(row.dataRow)) {
      if (!row.result.ok)
        throw new Error(
          `${csvPath}, line ${row.line}: test row ${row.dataRow} of the reference split does not pass validation`,
        );
      test.push(row.result.value);
    } else if (row.result.ok) {
      train.push(row.result.value);
    }
  }
  if (test.length !== testRows.size)
    throw new Error(`${splitPath} names ${testRows.size} rows but ${csvPath} holds ${test.length} of them`);
  return { train, test };
}
