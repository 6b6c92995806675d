/**
 * crash.test.ts on PostgreSQL (a real one, test/helpers/postgres.ts): `loupe pipeline run` killed with SIGKILL at
 * every crash point leaves the database intact (every stored file has all its rows and rejects, or is not stored;
 * every model row has its artifact; the champion pointer names a registered model), the champion served, the
 * advisory lock freed (PostgreSQL ends the killed session), and the next run completes the work. The
 * points and checks are test/helpers/pipeline-crash.ts, shared with crash.test.ts.
 *
 * Kept cheap: the small data (test/helpers/small-data.ts) is ingested and v0001 trained once, into a template
 * database; each point gets a copy of it (CREATE DATABASE … TEMPLATE) and of the home's model files; one kind
 * (hedonic), one tuning trial.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { CRASH_POINTS, runPipeline } from '../../src/pipeline/index.js';
import { openPipelineStore } from '../../src/store/open.js';
import { openPostgres } from '../../src/store/postgres/connect.js';
import { expectChampionServed, expectNextRunCompletes, killAt } from '../helpers/pipeline-crash.js';
import { startPostgres, type TestPostgres, waitForRunLockFree } from '../helpers/postgres.js';
import { smallFresh, smallReference } from '../helpers/small-data.js';
import { ONE_TRIAL } from './helpers.js';

let pg: TestPostgres;
let baseHome: string;
const scratch: string[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  const url = pg.newDatabase('crash_base');
  baseHome = mkdtempSync(join(tmpdir(), 'loupe-pg-crash-base-'));
  mkdirSync(join(baseHome, 'incoming'));
  const paths = loupePaths({ LOUPE_DATABASE_URL: url }, { home: baseHome, data: smallReference() });
  const store = await openPipelineStore(paths);
  try {
    const r = await runPipeline(store, paths, { incoming: join(baseHome, 'incoming'), config: ONE_TRIAL });
    expect(r.champion).toBe('v0001');
  } finally {
    await store.close(); // nothing may be connected to a template while it is copied
  }
}, 180_000);

afterAll(() => {
  pg?.stop();
  for (const d of [baseHome, ...scratch]) if (d) rmSync(d, { recursive: true, force: true });
});

/** A copy of the base (database and home: champion v0001 on the small data) with its 2026-09 landed. */
function copyOfBase(name: string) {
  const url = pg.copyDatabase('crash_base', name);
  const home = mkdtempSync(join(tmpdir(), 'loupe-pg-crash-'));
  scratch.push(home);
  cpSync(baseHome, home, { recursive: true });
  cpSync(smallFresh('2026-09'), join(home, 'incoming', '2026-09.csv'));
  return { url, home, incoming: join(home, 'incoming') };
}

/**
 * What "intact" means here (PostgreSQL has no integrity_check to ask; its foreign keys already hold promotions to
 * models and rows to files): ingestion is all of a file or nothing, so every stored file is ingested and has
 * exactly its accepted rows and its rejects; every training snapshot lists as many stones as it says.
 */
async function expectIntact(url: string): Promise<void> {
  const pool = await openPostgres(url, { migrate: false, max: 1 });
  try {
    const files = await pool.query<{ name: string; status: string; accepted: number; rejected: number }>(
      `SELECT f.name, f.status, f.accepted::int,
              (SELECT count(*)::int FROM diamonds d WHERE d.file_id = f.id) AS stored,
              f.rejected::int, (SELECT count(*)::int FROM rejects r WHERE r.file_id = f.id) AS rejects
         FROM files f ORDER BY f.id`,
    );
    expect(files.rows.length).toBeGreaterThan(0);
    for (const f of files.rows) {
      const { stored, rejects } = f as unknown as { stored: number; rejects: number };
      expect({ file: f.name, status: f.status, stored, rejects }).toEqual({
        file: f.name,
        status: 'ingested',
        stored: f.accepted,
        rejects: f.rejected,
      });
    }
    const snapshots = await pool.query<{ rows: number; listed: number }>(
      `SELECT rows::int, jsonb_array_length(diamond_ids::jsonb) AS listed FROM training_snapshots`,
    );
    for (const s of snapshots.rows) expect(s.listed).toBe(s.rows);
  } finally {
    await pool.end();
  }
}

describe('SIGKILL at each step, on PostgreSQL', { timeout: 180_000 }, () => {
  for (const [i, point] of CRASH_POINTS.entries()) {
    it(`at "${point}": database intact, champion served, lock free, the next run completes the work`, async () => {
      const { url, home, incoming } = copyOfBase(`crash_${i}`);
      await killAt(
        { LOUPE_HOME: home, LOUPE_DATA: smallReference(), LOUPE_DATABASE_URL: url },
        point,
        ONE_TRIAL.tuneTrials,
      );
      // Freed as the killed session's server process exits, which on a loaded machine may be a moment later.
      await waitForRunLockFree(url);

      await expectIntact(url);
      const paths = loupePaths({ LOUPE_DATABASE_URL: url }, { home, data: smallReference() });
      const store = await openPipelineStore(paths);
      try {
        await expectChampionServed(store, point);
        await expectNextRunCompletes(store, paths, incoming, point, ONE_TRIAL);
      } finally {
        await store.close();
      }
      await expectIntact(url);
    });
  }
});
