/**
 * The pipeline on PostgreSQL (a real one, test/helpers/postgres.ts), through the commands a fleet runs: two
 * `loupe serve` started at once on an empty database: one ingests the reference data and trains, as on SQLite, the
 * other waits for the lock and serves that model; `loupe ingest` stores a
 * file there, once; a promotion by `loupe pipeline run` is served by the running server; while one run holds the
 * lock (paused in a child process) a second says a run is in progress, and once that child is killed the lock is
 * free again (PostgreSQL ends its session) and the next run records the killed one as interrupted. `loupe train` and
 * `loupe rejects` read and write the same database. A run killed at every crash point: crash-postgres.test.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { LockBusyError, runPipeline } from '../../src/pipeline/index.js';
import { openPipelineStore } from '../../src/store/open.js';
import type { PipelineStore } from '../../src/store/pipeline-store.js';
import { openPostgres } from '../../src/store/postgres/connect.js';
import { postgresStore } from '../../src/store/postgres/store.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { cliArgv, nodeArgv, ONE_TRAINING_THREAD } from '../helpers/cli-js.js';
import { startPostgres, type TestPostgres, waitForRunLockFree } from '../helpers/postgres.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';
import { STONE } from '../api/helpers.js';
import { FRESH, ONE_TRIAL } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
let pg: TestPostgres;
let url: string;
let home: string;
let store: PipelineStore;
let partner: string;
type Server = { child: ChildProcess; url: string; output: () => string };
let server: Server | undefined;
/** Servers started beside `server`, stopped at the end. */
const others: Server[] = [];

// Small and quick runs: one kind, one tuning trial, a difficulty model of 30 trees (SMALL_DIFFICULTY_TREES: what
// is checked holds for any ranges); a challenger up to 100% worse is promoted (so that a run with new data
// promotes, which is what the server must pick up).
const env = () => ({
  ...process.env,
  LOUPE_HOME: home,
  LOUPE_DATABASE_URL: url,
  LOUPE_MODEL_KINDS: 'hedonic',
  LOUPE_TUNE_TRIALS: '1',
  LOUPE_PROMOTE_TOLERANCE: '1',
  LOUPE_DIFFICULTY_TREES: String(SMALL_DIFFICULTY_TREES),
  ...ONE_TRAINING_THREAD,
});

/** A loupe command in a child process: the runs a fleet's processes make (the server must see their promotion). */
function loupe(...args: string[]): { status: number | null; out: string; stdout: string } {
  const r = spawnSync(process.execPath, cliArgv(...args), { env: env(), encoding: 'utf8', timeout: 170_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/**
 * A loupe command that reads or writes the database, run in this process (test/helpers/cli-in-process.ts) with
 * env()'s settings: the same program and exit codes without a process start.
 */
function loupeHere(...args: string[]) {
  const e = env();
  return loupeInProcess(args, {
    LOUPE_HOME: e.LOUPE_HOME,
    LOUPE_DATABASE_URL: e.LOUPE_DATABASE_URL,
    LOUPE_MODEL_KINDS: e.LOUPE_MODEL_KINDS,
    LOUPE_TUNE_TRIALS: e.LOUPE_TUNE_TRIALS,
    LOUPE_PROMOTE_TOLERANCE: e.LOUPE_PROMOTE_TOLERANCE,
    LOUPE_DIFFICULTY_TREES: e.LOUPE_DIFFICULTY_TREES,
  });
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 150_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What env() sets, for runs in this process (whose own environment is not changed). */
const QUICK = ONE_TRIAL;

const value = async (key: string) => {
  const r = await fetch(`${server!.url}/v1/valuations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(STONE),
  });
  return (await r.json()) as { modelVersion: string };
};

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, cliArgv('serve'), {
    env: { ...env(), HOST: '127.0.0.1', PORT: '0', LOUPE_POLL_MS: '200', LOUPE_VALUATION_THREADS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const address = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${out}`);
    return /ready: open (http:\/\/127\.0\.0\.1:\d+) /.exec(out)?.[1];
  }, 'the server to be ready');
  return { child, url: address, output: () => out };
}

/** `loupe pipeline run` in a child process, paused (blocked, holding what it holds) at a crash point. */
async function pausedRun(point: string) {
  const child = spawn(process.execPath, nodeArgv('test/pipeline/child.ts', 'pipeline', 'run', '--json'), {
    cwd: ROOT,
    env: { ...env(), LOUPE_TEST_PAUSE_AT: point },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, signal) => resolve(signal)));
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`the paused run exited:\n${err}`);
    return err.includes(`LOUPE_PAUSED ${point}`) ? true : undefined;
  }, `the run to pause at ${point}`);
  return { child, exited };
}

beforeAll(async () => {
  pg = await startPostgres();
  url = pg.newDatabase('pipeline');
  home = mkdtempSync(join(tmpdir(), 'loupe-pg-pipeline-'));
  store = await openPipelineStore(loupePaths(env()));
}, 120_000);

afterAll(async () => {
  for (const s of [server, ...others]) if (s?.child.exitCode === null) s.child.kill('SIGKILL');
  await store?.close();
  pg?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the pipeline on PostgreSQL', { timeout: 180_000 }, () => {
  it('two `loupe serve` started at once on an empty database: one ingests and trains, both serve its model', async () => {
    const [first, second] = await Promise.all([startServer(), startServer()]);
    server = first;
    others.push(second);
    for (const s of [first, second]) expect(s.output()).toMatch(/serving v0001/);
    expect(first.output()).toMatch(/no model yet: ingesting the reference data and training the first one/);
    const champion = (await store.getChampion())!;
    expect(champion.version).toBe('v0001');
    expect(champion.artifactPath).toBe(join(home, 'models', 'v0001', 'model.json'));
    expect(existsSync(champion.artifactPath)).toBe(true);
    expect((await store.listModels()).map((m) => m.version)).toEqual(['v0001']);
    expect(await store.countFiles()).toBe(1);
    // One run trained; the other waited for the lock, then found the model made and did nothing.
    const runs = await store.listRuns();
    expect(runs.map((r) => r.status).sort()).toEqual(['nothing_to_do', 'succeeded']);
    expect(runs.find((r) => r.status === 'succeeded')!.steps.map((s) => s.name)).toContain('register');
    const pool = await openPostgres(url);
    const keys = postgresStore(pool, { home });
    try {
      partner = (await keys.createKey({ name: 'ACME', scopes: ['valuations'] })).secret;
    } finally {
      await keys.close();
    }
    expect((await value(partner)).modelVersion).toBe('v0001');
  });

  it('`loupe ingest` stores a file in PostgreSQL, and the same file again adds nothing', async () => {
    const first = await loupeHere('ingest', FRESH('2026-10'));
    expect(first.out).toMatch(/2026-10\.csv: ingested/);
    expect(first.status).toBe(0);
    const again = await loupeHere('ingest', FRESH('2026-10'));
    expect(again.out).toMatch(/already/);
    expect(again.status).toBe(0);
    return expect(store.countFiles()).resolves.toBe(2);
  });

  it('a promotion by `loupe pipeline run` is served by the running server within seconds', async () => {
    const run = loupe('pipeline', 'run', '--json');
    expect(run.status, run.out).toBe(0);
    const result = JSON.parse(run.stdout) as { champion: string; status: string };
    expect(result.status).toBe('succeeded');
    expect(result.champion).toBe('v0002');
    expect((await store.getChampion())!.version).toBe('v0002');
    await waitFor(async () => ((await value(partner)).modelVersion === 'v0002' ? true : undefined), 'v0002', 10_000);
    const runs = await loupeHere('pipeline', 'runs');
    // Newest first: the two first starts were runs #1 and #2.
    expect(runs.out).toMatch(/^#3 .*succeeded/);
  });

  it('while a run holds the lock another says a run is in progress; killed, its lock is freed', async () => {
    // A run with new data, paused (blocked) as its drift step starts: it holds the lock, on its own session.
    const incoming = join(home, 'incoming');
    mkdirSync(incoming, { recursive: true });
    copyFileSync(FRESH('2026-11'), join(incoming, '2026-11.csv'));
    const { child, exited } = await pausedRun('drift');
    const busy = new RegExp(`another pipeline run holds the lock: pipeline run by PID ${child.pid} on `);

    // In this process, on a connection of its own…
    await expect(runPipeline(store, loupePaths(env()), { config: QUICK })).rejects.toThrow(LockBusyError);
    await expect(runPipeline(store, loupePaths(env()), { config: QUICK })).rejects.toThrow(busy);
    // …and from the command line: exit code 3, nothing done.
    const second = loupe('pipeline', 'run');
    expect(second.status).toBe(3);
    expect(second.out).toMatch(busy);
    expect((await store.getChampion())!.version).toBe('v0002');

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // PostgreSQL frees the lock with the killed process's session, as that session's server process exits (on a
    // loaded machine a moment after the kill: waitForRunLockFree); the next run takes over and completes its work.
    await waitForRunLockFree(url);
    const warnings: string[] = [];
    const log = { info() {}, warn: (_o: object, m?: string) => warnings.push(m ?? '') };
    const next = await runPipeline(store, loupePaths(env()), { incoming, config: QUICK, log });
    expect(next.status).toBe('succeeded');
    expect(warnings).toContain('took over the lock of a run that is no longer alive');
    const runs = await store.listRuns();
    expect(runs[0].status).toBe('succeeded');
    expect(runs[1].status).toBe('interrupted');
    expect(runs[1].pid).toBe(child.pid);
    // The killed run had stored its file (ingestion is per-file transactional) and moved it to done/: this run
    // finds it stored, as new data, and trains on it.
    expect(next.files).toEqual([]);
    expect(await store.countFiles()).toBe(3);
    expect(next.trained.map((t) => t.version)).toEqual(['v0003']);
  });

  it('`loupe train` learns from the stored training rows and registers the model there, unpromoted', async () => {
    const champion = (await store.getChampion())!.version;
    const trained = await loupeHere('train', '--kind', 'hedonic', '--json');
    expect(trained.status, trained.out).toBe(0);
    const out = JSON.parse(trained.stdout) as { version: string; source: string; evaluationRowsLeftOut: number };
    expect(out.source).toMatch(/^postgres:\/\/loupe:\*\*\*@127\.0\.0\.1:\d+\/pipeline$/);
    expect(out.evaluationRowsLeftOut).toBeGreaterThan(0);
    const model = (await store.getModel(out.version))!;
    expect(model.isChampion).toBe(false);
    expect(model.decision).toMatch(/^registered by hand \(loupe train\)/);
    expect(existsSync(model.artifactPath)).toBe(true);
    expect((await store.getChampion())!.version).toBe(champion);
  });

  it('`loupe rejects list` and `export` read the rejected rows from PostgreSQL', async () => {
    const reference = (await store.listFiles()).find((f) => f.name === 'diamonds.csv')!;
    expect(reference.rejected).toBeGreaterThan(0);
    const listed = await loupeHere('rejects', 'list', '--file', 'diamonds.csv', '--json');
    expect(listed.status, listed.out).toBe(0);
    const rows = JSON.parse(listed.stdout) as { fileName: string; line: number; reason: string }[];
    expect(rows).toHaveLength(reference.rejected);
    expect(rows.every((r) => r.fileName === 'diamonds.csv' && r.line > 1)).toBe(true);
    const exported = await loupeHere('rejects', 'export', '--file', 'diamonds.csv');
    expect(exported.status, exported.out).toBe(0);
    expect(exported.stdout.trim().split('\n')).toHaveLength(reference.rejected + 1);
  });
});
