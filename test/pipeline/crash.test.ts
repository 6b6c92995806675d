/**
 * Reliability: the pipeline killed with SIGKILL at every step (and at the points inside `register` where a
 * crash would hurt most) leaves the database intact and the champion served as before, the lock free, and the
 * next run completes the work (the points and checks are test/helpers/pipeline-crash.ts, shared with
 * crash-postgres.test.ts). Also: a second run while one is in progress refuses with exit code 3.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { bootstrap, CRASH_POINTS, LockBusyError, listRuns, runPipeline } from '../../src/pipeline/index.js';
import { listModels } from '../../src/registry/index.js';
import { openDatabase } from '../../src/store/db.js';
import { sqlitePipelineStore } from '../../src/store/pipeline-store.js';
import {
  EXPECTED_CRASH_POINTS,
  expectChampionServed,
  expectNextRunCompletes,
  killAt,
  startRun,
  waitFor,
} from '../helpers/pipeline-crash.js';
import { prepareSmallFirstModelHome, smallFirstModelHome } from '../helpers/prepared-home.js';
import { SMALL_DIFFICULTY_TREES, smallFresh, smallReference } from '../helpers/small-data.js';
import { ONE_TRIAL, pipelineHome } from './helpers.js';

const scratch: string[] = [];

beforeAll(prepareSmallFirstModelHome);
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/**
 * A home of its own whose first run made champion v0001 (a copy of the one built once per test run,
 * test/helpers/prepared-home.ts), with 2026-09 waiting in the landing folder. On the small data
 * (test/helpers/small-data.ts): a killed run and the next one do the same steps as on the full data, each
 * training a fraction as long.
 */
async function homeWithNewBatch(): Promise<{ dir: string; incoming: string }> {
  const dir = await smallFirstModelHome('loupe-crash-');
  scratch.push(dir);
  cpSync(smallFresh('2026-09'), join(dir, 'incoming', '2026-09.csv'));
  return { dir, incoming: join(dir, 'incoming') };
}

// A child's run and the next one, each a few seconds of CPU: room for a busy machine.
describe('SIGKILL at each step', { timeout: 180_000 }, () => {
  it('stops at every step and at the points inside ingest and register (the list comes from the steps)', () => {
    expect(CRASH_POINTS).toEqual(EXPECTED_CRASH_POINTS);
  });

  for (const point of CRASH_POINTS) {
    it(`at "${point}": database intact, champion served, the next run completes the work`, async () => {
      const { dir, incoming } = await homeWithNewBatch();
      await killAt({ LOUPE_HOME: dir, LOUPE_DATA: smallReference() }, point, ONE_TRIAL.tuneTrials);

      const paths = loupePaths({}, { home: dir, data: smallReference() });
      const db = openDatabase(paths.database);
      const store = sqlitePipelineStore(db);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        await expectChampionServed(store, point);
        await expectNextRunCompletes(store, paths, incoming, point, ONE_TRIAL);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    });
  }
});

describe('two runs at once', () => {
  it('the second refuses with exit code 3 and a clear message; nothing is corrupted', async () => {
    const { dir } = await homeWithNewBatch();
    const env = { LOUPE_HOME: dir, LOUPE_DATA: smallReference() };
    const first = startRun(env, { pauseAt: 'train', trials: ONE_TRIAL.tuneTrials });
    await waitFor(() => first.stderr().includes('LOUPE_PAUSED train'), 'the first run to hold the lock');
    const second = startRun(env, { entry: 'src/cli/main.ts', trials: ONE_TRIAL.tuneTrials });
    const { code } = await second.exit;
    expect(code).toBe(3);
    expect(second.stderr()).toMatch(/another pipeline run holds the lock: pipeline run by PID \d+/);
    const paths = loupePaths({}, { home: dir, data: smallReference() });
    const db = openDatabase(paths.database);
    try {
      await expect(runPipeline(db, paths, { config: ONE_TRIAL })).rejects.toThrow(LockBusyError);
      first.child.kill('SIGKILL');
      await first.exit;
      const r = await runPipeline(db, paths, { config: ONE_TRIAL });
      expect(r.status).toBe('succeeded');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});

describe('bootstrap', () => {
  it('called twice at once on an empty home: one model, one champion, both calls return it; later calls change nothing', async () => {
    // On the small data: what is checked holds on any data.
    const h = pipelineHome('loupe-bootstrap-', { data: smallReference() });
    scratch.push(h.dir);
    const other = openDatabase(h.paths.database);
    process.env.LOUPE_MODEL_KINDS = 'hedonic';
    process.env.LOUPE_TUNE_TRIALS = '1'; // a fixed count, not a time budget: the same work on any machine
    process.env.LOUPE_DIFFICULTY_TREES = String(SMALL_DIFFICULTY_TREES);
    try {
      const [a, b] = await Promise.all([bootstrap(h.db, h.paths), bootstrap(other, h.paths)]);
      expect(a.version).toBe('v0001');
      expect(b.version).toBe('v0001');
      expect(listModels(h.db)).toHaveLength(1);
      const runs = listRuns(h.db).length;
      const c = await bootstrap(h.db, h.paths);
      expect(c.version).toBe('v0001');
      expect(listRuns(h.db)).toHaveLength(runs);
      expect(c.isChampion).toBe(true);
    } finally {
      delete process.env.LOUPE_MODEL_KINDS;
      delete process.env.LOUPE_TUNE_TRIALS;
      delete process.env.LOUPE_DIFFICULTY_TREES;
      other.close();
    }
  });
});
