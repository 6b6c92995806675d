/**
 * The commands' log: readable lines for people (LOUPE_LOG_FORMAT=pretty, the default on a terminal), JSON lines
 * otherwise. `loupe serve` on an empty home says what it ingested and trained, with counts and times; a second
 * start on the same home says neither.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgv, ONE_TRAINING_THREAD } from '../helpers/cli-js.js';
import { logFormat } from '../../src/cli/log.js';
import { REFERENCE } from '../api/helpers.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

const home = mkdtempSync(join(tmpdir(), 'loupe-log-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Starts `loupe serve`, waits for its ready line, stops it; resolves with everything it printed. */
function serveUntilReady(format: string | undefined): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOUPE_HOME: home,
    LOUPE_DATA: REFERENCE,
    LOUPE_MODEL_KINDS: 'hedonic',
    // One tuning trial, not the default eight, and a difficulty model of 30 trees, not 300: this test reads the
    // log, not the tuning or the ranges.
    LOUPE_TUNE_TRIALS: '1',
    LOUPE_DIFFICULTY_TREES: String(SMALL_DIFFICULTY_TREES),
    ...ONE_TRAINING_THREAD,
    PORT: '0',
    LOUPE_OPEN: '1',
    LOUPE_VALUATION_THREADS: '0',
    NO_COLOR: '1',
  };
  delete env.LOG_LEVEL;
  if (format === undefined) delete env.LOUPE_LOG_FORMAT;
  else env.LOUPE_LOG_FORMAT = format;
  const child = spawn(process.execPath, cliArgv('serve'), {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stopping = false;
  return new Promise((resolve, reject) => {
    const take = (d: Buffer) => {
      out += d;
      if (!stopping && /ready: open http/.test(out)) {
        stopping = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`serve exited with ${code}; it printed:\n${out}`)),
    );
  });
}

describe('the log format', () => {
  it('is pretty on a terminal and JSON otherwise, unless LOUPE_LOG_FORMAT says', () => {
    expect(logFormat(undefined, true)).toBe('pretty');
    expect(logFormat(undefined, false)).toBe('json');
    expect(logFormat(' JSON ', true)).toBe('json');
    expect(logFormat('pretty', false)).toBe('pretty');
    expect(() => logFormat('xml', true)).toThrow(/LOUPE_LOG_FORMAT must be one of pretty, json; got "xml"/);
  });

  it('reads as sentences with counts and times on the first start, and the second start does not claim to train', async () => {
    const first = await serveUntilReady('pretty');
    expect(first).toMatch(/^\[\d\d:\d\d:\d\d(\.\d+)?\] INFO: no model yet: ingesting/m);
    expect(first).toMatch(/INFO: ingested 4,984 appraisals \(16 rejected\) in \d+\.\d s/);
    expect(first).toMatch(/INFO: trained v0001 in [\d.]+ (s|min)[^:]*: MAE \$\d{3} on [\d,]+ held-out rows/);
    expect(first).toMatch(
      /INFO: ready: open http:\/\/127\.0\.0\.1:\d+ for the web app, http:\/\/127\.0\.0\.1:\d+\/docs/,
    );
    expect(first).not.toMatch(/^\{"level"/m);

    // Not a terminal and no LOUPE_LOG_FORMAT: JSON lines, each one parses; nothing is ingested or trained again.
    const second = await serveUntilReady(undefined);
    const lines = second.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.some((m) => m.startsWith('ready: open http://'))).toBe(true);
    expect(messages.filter((m) => /ingest|train/.test(m))).toEqual([]);
  }, 300_000);
});
