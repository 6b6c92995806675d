/**
 * The reference data as the published solutions split it, read once per test process through Loupe's ingestion.
 */
import { join, resolve } from 'node:path';
import { readReferenceSplitRows, type ReferenceSplitRows } from '../../src/ingest/index.js';

export const DATA_DIR = resolve('../shared/data');
export type ReferenceSplit = ReferenceSplitRows;

let cached: Promise<ReferenceSplit> | undefined;

export function referenceSplit(): Promise<ReferenceSplit> {
  cached ??= readReferenceSplitRows(join(DATA_DIR, 'diamonds.csv'), join(DATA_DIR, 'diamonds.reference-split.txt'));
  return cached;
}
