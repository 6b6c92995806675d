/**
 * A small copy of the shared data for tests whose checks hold on any data (the crash tests: a run killed at a
 * point and the next one completing the work): the first SMALL_REFERENCE_ROWS rows of diamonds.csv with the
 * published split's rows among them, and the first SMALL_FRESH_ROWS rows of each fresh month. Training on it costs
 * a fraction of the full data's. Written once per `vitest run` into the prepared root (test/helpers/prepared-root.ts),
 * never into the repository.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loupePaths } from '../../src/config/index.js';
import { preparedRoot } from './prepared-root.js';

export const SMALL_REFERENCE_ROWS = 1200;
export const SMALL_FRESH_ROWS = 400;
/**
 * The trees of the ranges' difficulty model for the same tests (the pipeline's difficultyTrees,
 * LOUPE_DIFFICULTY_TREES; default 300): its fits are most of a small training's CPU, and what these tests check
 * holds for any ranges. crash.test.ts and crash-postgres.test.ts together: 50.9 → 41.0 s of CPU with 30, not 300.
 */
export const SMALL_DIFFICULTY_TREES = 30;

const REFERENCE = loupePaths().referenceData;

/** The first `rows` data rows of a CSV file, its header kept, bytes as they were. */
function head(file: string, rows: number): string {
  const text = readFileSync(file, 'utf8');
  let end = 0;
  for (let i = 0; i <= rows; i++) {
    end = text.indexOf('\n', end) + 1;
    if (end === 0) return text;
  }
  return text.slice(0, end);
}

function build(dir: string): void {
  const split = readFileSync(REFERENCE.replace(/\.csv$/i, '.reference-split.txt'), 'utf8')
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()) && Number(line) < SMALL_REFERENCE_ROWS);
  writeFileSync(join(dir, basename(REFERENCE)), head(REFERENCE, SMALL_REFERENCE_ROWS));
  writeFileSync(
    join(dir, basename(REFERENCE).replace(/\.csv$/i, '.reference-split.txt')),
    `# the published split's rows among the first ${SMALL_REFERENCE_ROWS}\n${split.join('\n')}\n`,
  );
  const fresh = join(dirname(REFERENCE), 'fresh');
  mkdirSync(join(dir, 'fresh'));
  for (const month of readdirSync(fresh))
    writeFileSync(join(dir, 'fresh', month), head(join(fresh, month), SMALL_FRESH_ROWS));
}

/** The small data's directory, built now if this process or run has not yet. */
function smallDataDir(): string {
  const dir = join(preparedRoot(), 'small-data');
  if (!existsSync(dir)) {
    const work = mkdtempSync(join(preparedRoot(), '.small-data-'));
    build(work);
    try {
      renameSync(work, dir);
    } catch (err) {
      rmSync(work, { recursive: true, force: true });
      if (!existsSync(dir)) throw err; // another process put its (identical) copy in place first
    }
  }
  return dir;
}

/** The small reference file (LOUPE_DATA for a home trained on the small data). */
export function smallReference(): string {
  return join(smallDataDir(), basename(REFERENCE));
}

/** A small fresh month, e.g. SMALL_FRESH('2026-09'). */
export function smallFresh(month: string): string {
  return join(smallDataDir(), 'fresh', `${month}.csv`);
}
