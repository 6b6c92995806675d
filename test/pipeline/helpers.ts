/** Shared by the pipeline tests: a temporary LOUPE_HOME reading the real reference data, and feeding files in. */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loupePaths, type LoupePaths } from '../../src/config/index.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

export const REFERENCE = loupePaths().referenceData;
export const DATA = dirname(REFERENCE);
export const FRESH = (month: string): string => join(DATA, 'fresh', `${month}.csv`);
/** Small and fast: the hedonic kind, three tuning trials. */
export const FAST = { kinds: ['hedonic'], tuneTrials: 3 };
/** FAST with a difficulty model of SMALL_DIFFICULTY_TREES trees, for tests whose checks hold for any ranges. */
export const FAST_ANY_RANGES = { ...FAST, difficultyTrees: SMALL_DIFFICULTY_TREES };
/**
 * Smaller still, for tests whose checks hold whatever the tuning picks and whatever the ranges (the crash tests: a
 * run killed and the next one completing it): the hedonic kind, one trial (its defaults, or the champion's
 * parameters), a difficulty model of SMALL_DIFFICULTY_TREES trees (test/helpers/small-data.ts).
 */
export const ONE_TRIAL = { kinds: ['hedonic'], tuneTrials: 1, difficultyTrees: SMALL_DIFFICULTY_TREES };

export interface PipelineHome {
  dir: string;
  paths: LoupePaths;
  incoming: string;
  db: Db;
  /** Copies a file into the landing folder (as the name given), the way a file should land: temp name, then rename. */
  feed(source: string, name?: string): string;
  write(name: string, content: string | Buffer): string;
  cleanup(): void;
}

/**
 * A pipeline home: a new temporary directory, or `from` (a directory of the caller's own, e.g. a copy of a prepared
 * home, test/helpers/prepared-home.ts); reading `data` as its reference data (default the real one).
 */
export function pipelineHome(
  prefix = 'loupe-pipeline-test-',
  options: { data?: string; from?: string } = {},
): PipelineHome {
  const dir = options.from ?? mkdtempSync(join(tmpdir(), prefix));
  const paths = loupePaths({}, { home: dir, data: options.data ?? REFERENCE });
  const incoming = join(dir, 'incoming');
  mkdirSync(incoming, { recursive: true });
  const db = openDatabase(paths.database);
  return {
    dir,
    paths,
    incoming,
    db,
    feed(source, name) {
      const target = join(incoming, name ?? source.split('/').pop()!);
      copyFileSync(source, `${target}.part`);
      copyFileSync(`${target}.part`, target);
      rmSync(`${target}.part`);
      return target;
    },
    write(name, content) {
      const target = join(incoming, name);
      writeFileSync(target, content);
      return target;
    },
    cleanup() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
