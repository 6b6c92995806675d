/**
 * Homes many test files start from, built once per `vitest run` and copied for each use, instead of every file
 * ingesting the reference data and training the same first model again:
 * - `firstModelHome`: the retraining pipeline's first run on the reference data (hedonic, three tuning trials),
 *   champion v0001 by the pipeline's rule (the e2e tests, the crash tests);
 * - `promotedHome`: the reference data ingested and a hedonic model (seed 42) registered and promoted by hand,
 *   the API tests' default (test/api/helpers.ts);
 * - `smallFirstModelHome`: the pipeline's first run (hedonic, one trial, SMALL_DIFFICULTY_TREES) on the small data
 *   of test/helpers/small-data.ts, champion v0001 (the crash tests, whose checks hold on any data).
 * Each copy is the caller's own (a fresh temporary directory: nothing one test writes reaches another); the
 * prepared original is never opened again once built. They live in this run's prepared root
 * (test/helpers/prepared-root.ts).
 * The tests whose subject is building a home from empty (the pipeline's first run, `loupe serve`'s first start,
 * bootstrap) keep building theirs.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loupePaths } from '../../src/config/index.js';
import { ingestFile } from '../../src/ingest/index.js';
import { trainModel } from '../../src/model/index.js';
import { runPipeline } from '../../src/pipeline/index.js';
import { promoteModel, registerModel } from '../../src/registry/index.js';
import { openDatabase } from '../../src/store/db.js';
import { listAppraisals } from '../../src/store/diamonds.js';
import { preparedRoot } from './prepared-root.js';
import { SMALL_DIFFICULTY_TREES, smallReference } from './small-data.js';

const REFERENCE = loupePaths().referenceData;

const building = new Map<string, Promise<string>>();

/**
 * The prepared home `name`, built by `build` into an empty directory the first time it is asked for in this run.
 * It is renamed into place only when complete, so a half-built home is never copied; when two processes build it
 * at once, the first rename wins and the other's copy is dropped.
 */
function prepared(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(preparedRoot(), name);
  if (existsSync(dir)) return Promise.resolve(dir);
  let pending = building.get(name);
  if (!pending) {
    pending = (async () => {
      const work = mkdtempSync(join(preparedRoot(), `.${name}-`));
      try {
        await build(work);
        renameSync(work, dir);
      } catch (err) {
        rmSync(work, { recursive: true, force: true });
        if (!existsSync(dir)) throw err;
      }
      return dir;
    })();
    building.set(name, pending);
    pending.catch(() => building.delete(name));
  }
  return pending;
}

/** A fresh temporary directory (named from `prefix`) holding a copy of the prepared home `source`. */
function copyOf(source: string, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(source, dir, { recursive: true });
  return dir;
}

/**
 * One run of the retraining pipeline on a home, small and fast (hedonic, three trials; the ranges' difficulty model
 * of `difficultyTrees` trees when given), with its own connection (a server may be serving the same home
 * meanwhile): on an empty home, the pipeline's first run.
 */
export async function runSmallPipeline(home: string, difficultyTrees?: number): Promise<void> {
  await runPipelineOn(home, REFERENCE, 3, difficultyTrees);
}

async function runPipelineOn(home: string, data: string, tuneTrials: number, difficultyTrees?: number): Promise<void> {
  const paths = loupePaths({}, { home, data });
  const incoming = join(home, 'incoming');
  mkdirSync(incoming, { recursive: true });
  const db = openDatabase(paths.database);
  try {
    await runPipeline(db, paths, { incoming, config: { kinds: ['hedonic'], tuneTrials, difficultyTrees } });
  } finally {
    db.close();
  }
}

const buildSmallFirstModel = (home: string) => runPipelineOn(home, smallReference(), 1, SMALL_DIFFICULTY_TREES);

/** The reference data ingested, a hedonic model of seed 42 on all of it registered and promoted by 'test'. */
async function buildPromoted(home: string): Promise<void> {
  const paths = loupePaths({}, { home });
  const db = openDatabase(paths.database);
  try {
    await ingestFile(db, REFERENCE);
    const record = registerModel(db, paths, trainModel(listAppraisals(db), { kind: 'hedonic', seed: 42 }), {
      durationMs: 1,
    });
    promoteModel(db, record.version, 'test');
  } finally {
    db.close();
  }
}

/** Builds the first-model home now if this run has not yet (for a beforeAll: then no test pays for it). */
export async function prepareFirstModelHome(): Promise<void> {
  await prepared('first-model', runSmallPipeline);
}

/** A new home (its own copy) whose first model the pipeline trained on the reference data: champion v0001. */
export async function firstModelHome(prefix: string): Promise<string> {
  return copyOf(await prepared('first-model', runSmallPipeline), prefix);
}

/** A new home (its own copy) with the reference data ingested and a hedonic model (seed 42) promoted. */
export async function promotedHome(prefix: string): Promise<string> {
  return copyOf(await prepared('promoted', buildPromoted), prefix);
}

/** Builds the small-data first-model home now if this run has not yet (for a beforeAll). */
export async function prepareSmallFirstModelHome(): Promise<void> {
  await prepared('small-first-model', buildSmallFirstModel);
}

/**
 * A new home (its own copy) whose first model the pipeline trained (hedonic, one trial, SMALL_DIFFICULTY_TREES) on
 * the small data of test/helpers/small-data.ts (LOUPE_DATA must be smallReference()): champion v0001.
 */
export async function smallFirstModelHome(prefix: string): Promise<string> {
  return copyOf(await prepared('small-first-model', buildSmallFirstModel), prefix);
}
