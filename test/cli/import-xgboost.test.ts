/**
 * `loupe import-xgboost MODEL`: a model path that is not a regular file (a FIFO, a folder) is refused before it is
 * opened, in one line (exit 1) — as input CSV files are — instead of blocking until something writes to it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgv } from '../helpers/cli-js.js';
import { REFERENCE } from '../ingest/helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'loupe-import-xgboost-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The command in a child process: a FIFO opened for reading blocks the whole process, not only a promise. */
function loupeProcess(args: string[]) {
  // The timeout only ends a child that hangs (the bug this file is about), so that the test fails.
  const r = spawnSync(process.execPath, cliArgv(...args), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('loupe import-xgboost with a model path that is not a file', () => {
  it('a FIFO or a folder: exit 1 and one line saying what it is', () => {
    const fifo = join(dir, 'model.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const [path, what] of [
      [fifo, /^loupe: .*model\.json: is a named pipe \(FIFO\), not a file[^\n]*\n$/],
      [dir, /^loupe: .*: is a directory, not a file\n$/],
    ] as const) {
      const r = loupeProcess(['import-xgboost', path, '--calibrate', REFERENCE, '--out', join(dir, 'out.json')]);
      expect(r.code, path).toBe(1);
      expect(r.stderr, path).toMatch(what);
    }
  });
});
