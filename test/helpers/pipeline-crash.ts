/**
 * The SIGKILL-at-every-step test's parts, shared by both backends (test/pipeline/crash.test.ts on SQLite,
 * test/pipeline/crash-postgres.test.ts on PostgreSQL): the points (derived from the step list, CRASH_POINTS), a
 * `loupe pipeline run` child paused at one of them, and the checks after the kill — the champion is still served,
 * the run lock is free, and the next run completes the work. Each backend adds its own "database intact".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LoupePaths } from '../../src/config/index.js';
import { type PipelineConfig, type PipelineResult, runPipeline } from '../../src/pipeline/index.js';
import { readArtifact } from '../../src/registry/index.js';
import type { PipelineStore } from '../../src/store/pipeline-store.js';
import { nodeArgv, ONE_TRAINING_THREAD } from './cli-js.js';
import { SMALL_DIFFICULTY_TREES } from './small-data.js';

const ROOT = join(import.meta.dirname, '../..');

/** What CRASH_POINTS must be: every step's start and the points inside ingest and register. */
export const EXPECTED_CRASH_POINTS = [
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
];

export interface ChildRun {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `loupe pipeline run --kinds hedonic --trials N --json` in a child process (a difficulty model of
 * SMALL_DIFFICULTY_TREES trees, as ONE_TRIAL's), with `env` (LOUPE_HOME, and
 * LOUPE_DATABASE_URL on PostgreSQL): through the real entry point (src/cli/main.ts), or through
 * test/pipeline/child.ts — the same command module without the other commands, which starts faster — paused
 * (blocked, holding what it holds) at `pauseAt`.
 */
export function startRun(
  env: NodeJS.ProcessEnv,
  options: { pauseAt?: string; entry?: string; trials?: number } = {},
): ChildRun {
  const args = ['pipeline', 'run', '--kinds', 'hedonic', '--trials', String(options.trials ?? 3), '--json'];
  const child = spawn(process.execPath, nodeArgv(options.entry ?? 'test/pipeline/child.ts', ...args), {
    cwd: ROOT,
    // A pause comes between steps, never inside a fit: the training threads change nothing checked here.
    env: {
      ...process.env,
      ...ONE_TRAINING_THREAD,
      LOUPE_DIFFICULTY_TREES: String(SMALL_DIFFICULTY_TREES),
      ...env,
      LOUPE_TEST_PAUSE_AT: options.pauseAt ?? '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => err, exit };
}

export async function waitFor(cond: () => boolean, what: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts a run paused at `point`, waits for the pause, and kills it with SIGKILL. */
export async function killAt(env: NodeJS.ProcessEnv, point: string, trials?: number): Promise<void> {
  const run = startRun(env, { pauseAt: point, trials });
  await waitFor(
    () => run.stderr().includes(`LOUPE_PAUSED ${point}`) || run.child.exitCode !== null,
    `the child to pause at ${point}`,
  );
  expect(run.stderr()).toContain(`LOUPE_PAUSED ${point}`);
  run.child.kill('SIGKILL');
  expect((await run.exit).signal).toBe('SIGKILL');
}

/** Right after the kill: the champion (v0001 until the register transaction commits) and every model still load. */
export async function expectChampionServed(store: PipelineStore, point: string): Promise<void> {
  const champion = (await store.getChampion())!;
  // Before the register transaction commits, nothing the champion depends on has changed.
  if (point !== 'report') expect(champion.version).toBe('v0001');
  expect(() => readArtifact(champion)).not.toThrow();
  for (const m of await store.listModels()) expect(() => readArtifact(m)).not.toThrow();
}

/**
 * The next run: it takes the killed run's lock without waiting (on SQLite at once, the holder's PID being gone; on
 * PostgreSQL once the database has ended the killed session, test/helpers/postgres.ts waitForRunLockFree), records
 * that run as interrupted and completes its work:
 * v0002 registered once with its card, the landed file done, no temporary file left.
 */
export async function expectNextRunCompletes(
  store: PipelineStore,
  paths: LoupePaths,
  incoming: string,
  point: string,
  config: Partial<PipelineConfig>,
): Promise<PipelineResult> {
  const warnings: string[] = [];
  const log = { info() {}, warn: (_o: object, m?: string) => warnings.push(m ?? '') };
  const r = await runPipeline(store, paths, { incoming, config, log });
  expect(warnings).toContain('took over the lock of a run that is no longer alive');
  expect((await store.listRuns()).some((x) => x.status === 'interrupted')).toBe(true);
  const models = await store.listModels();
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
  expect((await store.getChampion())!.version).toBe(v2.decision!.startsWith('promoted') ? 'v0002' : 'v0001');
  if (point === 'report') expect(r.status).toBe('nothing_to_do');
  else expect(r.status).toBe('succeeded');
  expect(readdirSync(join(paths.models, 'v0002')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  return r;
}
