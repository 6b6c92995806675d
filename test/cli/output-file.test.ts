/**
 * `--out FILE` (src/cli/output.ts outputFile, behind `loupe predict`, `loupe features` and `loupe rejects export`):
 * a regular file is written beside its path and renamed onto it when complete; a symlink is written through (its
 * final target gets the file, the link stays a link); a named pipe or a device is written directly, never replaced
 * by a file; a folder is a usage error. Interrupted (SIGINT, SIGTERM), a run leaves no partial file behind and still
 * ends as interrupted (a shell sees 130 or 143).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { FEATURE_NAMES } from '../../src/model/feature-names.js';
import { cliArgv } from '../helpers/cli-js.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'loupe-output-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const reference = readFileSync(loupePaths().referenceData, 'utf8').trimEnd().split('\n');
const HEADER = `${[...FEATURE_NAMES, 'log_price', 'price', 'line'].join(',')}`;
const input = join(dir, 'some.csv');
writeFileSync(input, `${reference.slice(0, 11).join('\n')}\n`);

/** The partial files (`*.partial-PID`) in a folder. */
const partials = (folder: string) => readdirSync(folder).filter((f) => f.includes('.partial-'));

/** A fresh folder for one test. */
function folder(name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  return d;
}

describe('--out through a symlink', () => {
  it('writes the link’s target and keeps the link', async () => {
    const d = folder('link-to-file');
    const results = folder('link-to-file-results');
    const target = join(results, 'features.csv');
    writeFileSync(target, 'an older run\n');
    const link = join(d, 'latest.csv');
    symlinkSync(target, link);
    const r = await loupeInProcess(['features', input, '--out', link]);
    expect(r.status).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    const lines = readFileSync(target, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(11);
    expect([...partials(d), ...partials(results)]).toEqual([]);
  });

  it('creates a target that does not exist yet, at the end of a chain of relative links', async () => {
    const d = folder('dangling');
    mkdirSync(join(d, 'results'));
    symlinkSync('results/2026-12.csv', join(d, 'second.csv'));
    symlinkSync('second.csv', join(d, 'first.csv'));
    const r = await loupeInProcess(['features', input, '--out', join(d, 'first.csv')]);
    expect(r.status).toBe(0);
    expect(lstatSync(join(d, 'first.csv')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(d, 'second.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(d, 'results', '2026-12.csv'), 'utf8').split('\n')[0]).toBe(HEADER);
    expect([...partials(d), ...partials(join(d, 'results'))]).toEqual([]);
  });

  it('to standard output (as /dev/stdout is) puts the CSV there and the summary on stderr', () => {
    const d = folder('to-stdout');
    const link = join(d, 'stdout');
    symlinkSync('/proc/self/fd/1', link);
    const r = spawnSync(process.execPath, cliArgv('features', input, '--out', link), { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(11);
    expect(r.stderr).toBe(
      `10 rows written to ${link}; 0 rows failed validation and were left out (see loupe ingest for why)\n`,
    );
    expect(partials(d)).toEqual([]);
  });
});

describe('--out naming something that is not a regular file', () => {
  it('writes into a named pipe (a reader gets the CSV) and leaves the pipe in place', async () => {
    const d = folder('fifo');
    const fifo = join(d, 'pipe.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let read = '';
    reader.stdout.setEncoding('utf8').on('data', (chunk: string) => (read += chunk));
    const readerDone = new Promise((resolve) => reader.on('close', resolve));
    try {
      const r = await loupeInProcess(['features', input, '--out', fifo]);
      expect(r.status).toBe(0);
      expect(statSync(fifo).isFIFO()).toBe(true);
      await readerDone;
      const lines = read.trimEnd().split('\n');
      expect(lines[0]).toBe(HEADER);
      expect(lines).toHaveLength(11);
      expect(partials(d)).toEqual([]);
    } finally {
      reader.kill();
    }
  });

  it('refuses a folder in one line (exit 2) and writes nothing into it', async () => {
    const d = folder('a-folder');
    const r = await loupeInProcess(['features', input, '--out', d]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`loupe: --out ${d} is a folder: name the file to write (a new one, or one to replace)\n`);
    expect(readdirSync(d)).toEqual([]);
    expect(partials(dir)).toEqual([]);
  });
});

describe('an interrupted `loupe features --out`', () => {
  // Enough rows that the run is still writing when the signal comes: the reference rows, 60 times over.
  const big = join(dir, 'big.csv');
  const body = `${reference.slice(1).join('\n')}\n`;
  writeFileSync(big, `${reference[0]}\n${body.repeat(60)}`);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'removes its partial file on %s and ends with status %i',
    async (signal, status) => {
      const d = folder(`signal-${signal}`);
      const out = join(d, 'features.csv');
      const child = spawn(process.execPath, cliArgv('features', big, '--out', out), { cwd: ROOT, stdio: 'ignore' });
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, sig) => resolve({ code, signal: sig })),
      );
      let exited = false;
      void ended.then(() => (exited = true));
      const partial = `${out}.partial-${child.pid}`;
      while (!existsSync(partial) && !exited) await new Promise((r) => setTimeout(r, 10));
      expect(exited, 'the run ended before its partial file was seen').toBe(false);
      child.kill(signal);
      const end = await ended;
      // What a shell reports: the exit code, or 128 + the number of the signal that ended the process.
      expect(end.code ?? 128 + constants.signals[end.signal ?? signal]).toBe(status);
      expect(readdirSync(d)).toEqual([]);
    },
    60_000,
  );
});
