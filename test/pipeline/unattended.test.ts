/**
 * Unattended use: `pipeline run --watch` runs when a file lands, `--schedule CRON` runs on the schedule; both
 * stop cleanly on SIGTERM with exit code 0. Bad options are usage errors (exit code 2).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeArgv, ONE_TRAINING_THREAD } from '../helpers/cli-js.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { listRuns } from '../../src/pipeline/index.js';
import { listModels } from '../../src/registry/index.js';
import { SMALL_DIFFICULTY_TREES, smallFresh, smallReference } from '../helpers/small-data.js';
import { pipelineHome, type PipelineHome } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const homes: PipelineHome[] = [];
afterAll(() => {
  for (const h of homes) h.cleanup();
});

/**
 * `loupe pipeline run` with `args` in a child process on the home `h`, on the small data (test/helpers/small-data.ts)
 * with one trial and a difficulty model of SMALL_DIFFICULTY_TREES trees: these tests check when runs happen and how
 * the process stops, not what they train.
 */
function start(h: PipelineHome, ...args: string[]) {
  const child = spawn(
    process.execPath,
    nodeArgv('test/pipeline/child.ts', 'pipeline', 'run', '--kinds', 'hedonic', '--trials', '1', ...args),
    {
      cwd: ROOT,
      env: {
        ...process.env,
        LOUPE_HOME: h.dir,
        LOUPE_DATA: smallReference(),
        LOUPE_DIFFICULTY_TREES: String(SMALL_DIFFICULTY_TREES),
        ...ONE_TRAINING_THREAD,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, log: () => err, exit };
}

async function until(cond: () => boolean, what: string, log: () => string, ms = 150_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the child's log:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const models = (h: PipelineHome): string[] => listModels(h.db).map((m) => m.version);

describe('loupe pipeline run --watch', () => {
  it('trains the first model at start, then runs again when a file lands; stops on SIGTERM with exit 0', async () => {
    const h = pipelineHome('loupe-watch-');
    homes.push(h);
    const w = start(h, '--watch');
    await until(
      () => models(h).length === 1 && listRuns(h.db).some((r) => r.status === 'succeeded'),
      'the first model',
      w.log,
    );
    copyFileSync(smallFresh('2026-09'), join(h.incoming, '.2026-09.csv.part'));
    renameSync(join(h.incoming, '.2026-09.csv.part'), join(h.incoming, '2026-09.csv'));
    await until(
      () => models(h).length === 2 && existsSync(join(h.incoming, 'done', '2026-09.csv')),
      'the run on the new file',
      w.log,
    );
    await until(() => listRuns(h.db).every((r) => r.status !== 'running'), 'the run to finish', w.log);
    w.child.kill('SIGTERM');
    expect(await w.exit).toBe(0);
    // Structured logs on stderr (not a terminal): JSON lines from pino.
    const lines = w
      .log()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.some((l) => l.msg === 'watching the landing folder')).toBe(true);
    expect(lines.some((l) => /^register: registered v0002/.test(l.msg))).toBe(true);
  }, 240_000);
});

describe('loupe pipeline run --schedule', () => {
  it('runs on the cron schedule', async () => {
    const h = pipelineHome('loupe-schedule-');
    homes.push(h);
    const s = start(h, '--schedule', '*/2 * * * * *');
    await until(() => listRuns(h.db).length >= 2, 'two scheduled runs', s.log);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    const runs = listRuns(h.db);
    expect(runs.at(-1)!.status).toBe('succeeded');
    expect(runs.slice(0, -1).every((r) => r.status === 'nothing_to_do' || r.status === 'running')).toBe(true);
    expect(models(h)).toEqual(['v0001']);
  }, 240_000);
});

describe('usage errors', () => {
  // Through cli/run.ts, as the command line runs it: a usage error is exit code 2 and one line, whichever layer
  // found it (the options here, pipeline/config.ts's ConfigError for kinds and schedules).
  it('an invalid cron expression, an unknown kind, a bad budget or trial count, --watch with --schedule: exit code 2', async () => {
    const h = pipelineHome('loupe-usage-');
    homes.push(h);
    for (const args of [
      ['--schedule', 'every day'],
      ['--kinds', 'magic'],
      ['--budget', '-5'],
      ['--trials', '0'],
      ['--watch', '--schedule', '* * * * *'],
    ]) {
      const r = await loupeInProcess(['pipeline', 'run', ...args, '--home', h.dir]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^loupe: [^\n]+\n$/);
    }
    expect((await loupeInProcess(['pipeline', 'run', '--kinds', 'magic', '--home', h.dir])).stderr).toMatch(
      /unknown model kind magic; known: .*hedonic/,
    );
  });
});
