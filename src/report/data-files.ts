/**
 * Where the appraisal data is, for reports and notebooks that run from any folder: the folder of LOUPE_DATA
 * when it is set, otherwise the default (../shared/data) taken relative to the repository, not the working folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import process from 'node:process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REFERENCE_DATA, readEnv } from '../config/index.js';

export interface DataFiles {
  directory: string;
  /** The reference appraisals (diamonds.csv). */
  reference: string;
  /** The published test rows of the reference file (diamonds.reference-split.txt). */
  referenceSplit: string;
  /** Fresh monthly batches (fresh/*.csv), oldest first. */
  fresh: string[];
}

/** The repository's root folder, from this file's place in it (src/report/). */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function dataFiles(env: Record<string, string | undefined> = process.env): DataFiles {
  const data = readEnv(env).LOUPE_DATA;
  const reference = data ? resolve(data) : resolve(REPOSITORY_ROOT, DEFAULT_REFERENCE_DATA);
  const directory = dirname(reference);
  const freshDir = join(directory, 'fresh');
  const fresh = existsSync(freshDir)
    ? readdirSync(freshDir)
        .filter((f) => f.endsWith('.csv'))
        .sort()
        .map((f) => join(freshDir, f))
    : [];
  return { directory, reference, referenceSplit: join(directory, 'diamonds.reference-split.txt'), fresh };
}
