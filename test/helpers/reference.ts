/**
 * The reference data as the published solutions split it: test rows from diamonds.reference-split.txt, training
 * rows = the other rows that pass validation. Read once per test process through Loupe's own ingestion.
 */
import { join, resolve } from 'node:path';
import type { Appraisal } from '../../src/diamond/index.js';
import { readAppraisals, readReferenceSplit } from '../../src/ingest/index.js';

export const DATA_DIR = resolve(process.env.LOUPE_DATA ? join(process.env.LOUPE_DATA, '..') : '../shared/data');

export interface ReferenceSplit {
  train: Appraisal[];
  test: Appraisal[];
}

let cached: Promise<ReferenceSplit> | undefined;

export function referenceSplit(): Promise<ReferenceSplit> {
  cached ??= (async () => {
    const rows = await readAppraisals(join(DATA_DIR, 'diamonds.csv'));
    const testRows = new Set(readReferenceSplit(join(DATA_DIR, 'diamonds.reference-split.txt')));
    const train: Appraisal[] = [];
    const test: Appraisal[] = [];
    for (const r of rows) {
      if (!r.result.ok) continue;
      (testRows.has(r.dataRow) ? test : train).push(r.result.value);
    }
    return { train, test };
  })();
  return cached;
}
