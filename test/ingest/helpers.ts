/** Shared by the ingestion tests: temporary homes and files under the OS temp dir, and the shared data. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loupePaths } from '../../src/config/index.js';
import { openDatabase, type Db } from '../../src/store/db.js';

/** The shared data folder (../shared/data, or the folder of $LOUPE_DATA). */
export const DATA = dirname(loupePaths().referenceData);
export const REFERENCE = join(DATA, 'diamonds.csv');
export const FRESH = (month: string): string => join(DATA, 'fresh', `${month}.csv`);

export interface TempHome {
  dir: string;
  db: Db;
  file(name: string, content: string | Buffer): string;
  cleanup(): void;
}

export function tempHome(): TempHome {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-ingest-test-'));
  const db = openDatabase(loupePaths({}, { home: dir }).database);
  return {
    dir,
    db,
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const HEADER = 'carat,cut,color,clarity,depth,table,price,x,y,z';
/** Valid rows of the reference file (lines 2 and 3). */
export { ROW_A } from '../helpers/stones.js';
export const ROW_B = '1.29,Ideal,H,SI1,62.6,56.0,6424,6.96,6.93,4.35';
