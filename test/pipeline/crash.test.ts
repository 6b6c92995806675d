/**
 * Reliability: the pipeline killed with SIGKILL at every step (and at the points inside `register` where a
 * crash would hurt most) leaves the database intact and the champion served as before, and the next run
 * completes the work. Also: a second run while one is in progress refuses with exit code 3.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeArgv } from '../helpers/cli-js.js';
import { loupePaths } from '../../src/config/index.js';
import { bootstrap, CRASH_POINTS, LockBusyError, listRuns, runPipeline } from '../../src/pipeline/index.js';
import { championVersion, getChampion, listModels, readArtifact } from '../../src/registry/index.js';
import { openDatabase } from '../../src/store/db.js';
import { FAST, FRESH, REFERENCE, pipelineHome, type PipelineHome } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
let base: PipelineHome;
const scratch: string[] = [];

beforeAll(async () => {
  base = pipelineHome('loupe-crash-base-');
  await runPipeline(base.db, base.paths, { incoming: base.incoming, config: FAST });
  base.db.close();
});
afterAll(() => {
  base.cleanup();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** A copy of the base home (champion v0001 on the reference data) with 2026-09 waiting in the landing folder. */
function homeWithNewBatch(): { dir: string; incoming: string } {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-crash-'));
  scratch.push(dir);
  cpSync(base.dir, dir, { recursive: true });
  cpSync(FRESH('2026-09'), join(dir, 'incoming', '2026-09.csv'));
  return { dir, incoming: join(dir, 'incoming') };
}

/**
 * `loupe pipeline run` in a child process: through the real entry point (src/cli/main.ts), or through
 * test/pipeline/child.ts — the same command module without the other commands, which starts faster.
 */
function startRun(
  dir: string,
  pauseAt?: string,
  entry = 'test/pipeline/child.ts',
): {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(
    process.execPath,
    nodeArgv(entry, 'pipeline', 'run', '--kinds', 'hedonic', '--trials', '3', '--json'),
    {
      cwd: ROOT,
      env: { ...process.env, LOUPE_HOME: dir, LOUPE_DATA: REFERENCE, LOUPE_TEST_PAUSE_AT: pauseAt ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => err, exit };
}

async function waitFor(cond: () => boolean, what: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('SIGKILL at each step', () => {
  it('stops at every step and at the points inside ingest and register (the list comes from the steps)', () => {
    expect(CRASH_POINTS).toEqual([
      'ingest',
      'ingest:file-stored',
      'drift',
      'snapshot',
      'train',
      'evaluate',
      'promote',
      'register',
      'register:artifact-written',
      'register:before-promotion',
      'report',
    ]);
  });

  for (const point of CRASH_POINTS) {
    it(`at "${point}": database intact, champion served, the next run completes the work`, async () => {
      const { dir, incoming } = homeWithNewBatch();
      const run = startRun(dir, point);
      await waitFor(
        () => run.stderr().includes(`LOUPE_PAUSED ${point}`) || run.child.exitCode !== null,
        `the child to pause at ${point}`,
      );
      expect(run.stderr()).toContain(`LOUPE_PAUSED ${point}`);
      run.child.kill('SIGKILL');
      expect((await run.exit).signal).toBe('SIGKILL');

      const paths = loupePaths({}, { home: dir, data: REFERENCE });
      const db = openDatabase(paths.database);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const champion = getChampion(db)!;
        // Before the register transaction commits, nothing the champion depends on has changed.
        if (point !== 'report') expect(champion.version).toBe('v0001');
        expect(() => readArtifact(champion)).not.toThrow();
        for (const m of listModels(db)) expect(() => readArtifact(m)).not.toThrow();

        const r = await runPipeline(db, paths, { incoming, config: FAST });
        expect(listRuns(db).some((x) => x.status === 'interrupted')).toBe(true);
        const models = listModels(db);
        expect(models.map((m) => m.version)).toEqual(['v0001', 'v0002']);
        expect(
          readdirSync(paths.models)
            .filter((d) => !d.startsWith('.'))
            .sort(),
        ).toEqual(['v0001', 'v0002']);
        for (const m of models) {
          expect(() => readArtifact(m)).not.toThrow();
          expect(existsSync(join(paths.models, m.version, 'model.md'))).toBe(true);
        }
        expect(existsSync(join(incoming, 'done', '2026-09.csv'))).toBe(true);
        const v2 = models[1];
        expect(championVersion(db)).toBe(v2.decision!.startsWith('promoted') ? 'v0002' : 'v0001');
        if (point === 'report') expect(r.status).toBe('nothing_to_do');
        else expect(r.status).toBe('succeeded');
        expect(readdirSync(join(paths.models, 'v0002')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    });
  }
});

describe('two runs at once', () => {
  it('the second refuses with exit code 3 and a clear message; nothing is corrupted', async () => {
    const { dir } = homeWithNewBatch();
    const first = startRun(dir, 'train');
    await waitFor(() => first.stderr().includes('LOUPE_PAUSED train'), 'the first run to hold the lock');
    const second = startRun(dir, undefined, 'src/cli/main.ts');
    const { code } = await second.exit;
    expect(code).toBe(3);
    expect(second.stderr()).toMatch(/another pipeline run holds the lock: pipeline run by PID \d+/);
    const paths = loupePaths({}, { home: dir, data: REFERENCE });
    const db = openDatabase(paths.database);
    try {
      await expect(runPipeline(db, paths, { config: FAST })).rejects.toThrow(LockBusyError);
      first.child.kill('SIGKILL');
      await first.exit;
      const r = await runPipeline(db, paths, { config: FAST });
      expect(r.status).toBe('succeeded');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});

describe('bootstrap', () => {
  it('called twice at once on an empty home: one model, one champion, both calls return it; later calls change nothing', async () => {
    const h = pipelineHome('loupe-bootstrap-');
    scratch.push(h.dir);
    const other = openDatabase(h.paths.database);
    process.env.LOUPE_MODEL_KINDS = 'hedonic';
    process.env.LOUPE_TUNE_TRIALS = '1'; // a fixed count, not a time budget: the same work on any machine
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
      other.close();
    }
  });
});
