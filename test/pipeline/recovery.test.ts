/**
 * A champion that this version of Loupe cannot load — its file damaged, or written for another feature spec —
 * is never compared against or kept: the next run trains a model that loads and promotes it; bootstrap (a server
 * starting) rolls back to the newest earlier champion that loads, and trains only when there is none. What is
 * checked holds for any ranges: the models trained here have a difficulty model of SMALL_DIFFICULTY_TREES trees.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, runPipeline } from '../../src/pipeline/index.js';
import { trainModel } from '../../src/model/index.js';
import {
  championVersion,
  getChampion,
  getModel,
  listModels,
  listPromotions,
  promoteModel,
  readArtifact,
  registerModel,
} from '../../src/registry/index.js';
import { listAppraisals } from '../../src/store/diamonds.js';
import { firstModelHome, prepareFirstModelHome } from '../helpers/prepared-home.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';
import { FAST, FAST_ANY_RANGES, pipelineHome, type PipelineHome } from './helpers.js';

let h: PipelineHome | undefined;
beforeAll(prepareFirstModelHome);
afterEach(() => h?.cleanup());

/**
 * A home of its own after the pipeline's first run on the reference data (hedonic, FAST's three trials; champion
 * v0001): a copy of the one built once per test run (test/helpers/prepared-home.ts), not a run of its own.
 */
const afterFirstRun = async () => pipelineHome('', { from: await firstModelHome('loupe-recovery-') });

function damageChampion(home: PipelineHome, version?: string): string {
  const champion = version ? getModel(home.db, version)! : getChampion(home.db)!;
  writeFileSync(champion.artifactPath, readFileSync(champion.artifactPath, 'utf8').slice(0, 500));
  return champion.version;
}

describe('an unloadable champion', () => {
  it('is replaced by the next run even with no new data, and the decision says why', async () => {
    h = await afterFirstRun();
    const damaged = damageChampion(h);
    const r = await runPipeline(h.db, h.paths, { incoming: h.incoming, config: FAST_ANY_RANGES });
    expect(r.status).toBe('succeeded');
    expect(r.decision?.reason).toMatch(
      new RegExp(`v0002 replaces ${damaged}, which this version of Loupe cannot load \\(.*does not match the registry`),
    );
    expect(championVersion(h.db)).toBe('v0002');
    expect(() => readArtifact(getChampion(h!.db)!)).not.toThrow();
  });

  it('makes bootstrap train and promote a model that loads', async () => {
    h = pipelineHome();
    process.env.LOUPE_MODEL_KINDS = 'hedonic';
    process.env.LOUPE_TUNE_TRIALS = String(FAST.tuneTrials); // bootstrap reads its config from the environment
    process.env.LOUPE_DIFFICULTY_TREES = String(SMALL_DIFFICULTY_TREES);
    try {
      const first = await bootstrap(h.db, h.paths);
      expect((await bootstrap(h.db, h.paths)).version).toBe(first.version);
      damageChampion(h);
      const warnings: string[] = [];
      const next = await bootstrap(h.db, h.paths, { onWarning: (m) => warnings.push(m) });
      expect(next.version).toBe('v0002');
      expect(warnings).toEqual([
        'the champion v0001 cannot be served and no earlier champion loads; training a new model',
      ]);
      expect(listModels(h.db)).toHaveLength(2);
    } finally {
      delete process.env.LOUPE_MODEL_KINDS;
      delete process.env.LOUPE_TUNE_TRIALS;
      delete process.env.LOUPE_DIFFICULTY_TREES;
    }
  });

  it('makes bootstrap fall back to the newest earlier champion that loads, with a warning, training nothing', async () => {
    h = await afterFirstRun();
    process.env.LOUPE_MODEL_KINDS = 'hedonic';
    process.env.LOUPE_TUNE_TRIALS = String(FAST.tuneTrials); // bootstrap reads its config from the environment
    process.env.LOUPE_DIFFICULTY_TREES = String(SMALL_DIFFICULTY_TREES);
    try {
      expect((await bootstrap(h.db, h.paths)).version).toBe('v0001');
      const rows = listAppraisals(h.db).slice(0, 5000);
      for (const seed of [1, 2]) {
        const record = registerModel(
          h.db,
          h.paths,
          trainModel(rows, { kind: 'hedonic', seed, difficultyTrees: SMALL_DIFFICULTY_TREES }),
          { durationMs: 1 },
        );
        promoteModel(h.db, record.version, 'test');
      }
      expect(championVersion(h.db)).toBe('v0003');
      // Tampered: still valid JSON, but not the bytes registered (SHA-256 mismatch); v0002 is damaged too.
      appendFileSync(getModel(h.db, 'v0003')!.artifactPath, '\n');
      damageChampion(h, 'v0002');
      const warnings: { message: string; details: Record<string, unknown> }[] = [];
      const served = await bootstrap(h.db, h.paths, {
        onWarning: (message, details) => warnings.push({ message, details }),
      });
      expect(served.version).toBe('v0001');
      expect(championVersion(h.db)).toBe('v0001');
      expect(listModels(h.db)).toHaveLength(3); // nothing trained
      expect(warnings).toHaveLength(1);
      expect(warnings[0].message).toMatch(/champion v0003 cannot be served; rolled back to v0001/);
      expect(warnings[0].details).toMatchObject({ damaged: 'v0003', passed: ['v0003', 'v0002'], serving: 'v0001' });
      expect(String(warnings[0].details.why)).toMatch(/does not match the registry/);
      expect(
        listPromotions(h.db)
          .slice(-2)
          .map((p) => [p.action, p.version]),
      ).toEqual([
        ['rollback', 'v0002'],
        ['rollback', 'v0001'],
      ]);
      // The next start serves the fallback without a word.
      const again: string[] = [];
      expect((await bootstrap(h.db, h.paths, { onWarning: (m) => again.push(m) })).version).toBe('v0001');
      expect(again).toEqual([]);
    } finally {
      delete process.env.LOUPE_MODEL_KINDS;
      delete process.env.LOUPE_TUNE_TRIALS;
      delete process.env.LOUPE_DIFFICULTY_TREES;
    }
  });
});
