/**
 * `loupe import-xgboost MODEL`: a model path that is not a regular file (a FIFO, a folder) is refused before it is
 * opened, in one line (exit 1) — as input CSV files are — instead of blocking until something writes to it; a file
 * from a stranger that is too large, or whose trees loop, is refused in one line too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
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

describe('loupe import-xgboost with a hostile model file', () => {
  it('too large: exit 1 before a byte is read; a tree that points back at an ancestor: exit 1, one line, no stack', () => {
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 256 * 1024 * 1024 + 1); // sparse: its size is what counts
    const big = loupeProcess(['import-xgboost', huge, '--calibrate', REFERENCE, '--out', join(dir, 'out.json')]);
    expect(big.code).toBe(1);
    expect(big.stderr).toBe(`loupe: ${huge}: is 268,435,457 bytes; a model file may have at most 268,435,456\n`);
    const doc = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/xgboost/loupe-features.model.json'), 'utf8'));
    doc.learner.gradient_booster.model.trees[0].left_children[6] = 2; // node 6's parent is node 2: a cycle
    const cyclic = join(dir, 'cyclic.json');
    writeFileSync(cyclic, JSON.stringify(doc));
    const loop = loupeProcess(['import-xgboost', cyclic, '--calibrate', REFERENCE, '--out', join(dir, 'out.json')]);
    expect(loop.code).toBe(1);
    expect(loop.stderr).toBe(
      `loupe: ${cyclic}: not a supported XGBoost model: tree 0: node 2 is reached twice from the root (a cycle, or a child of two parents)\n`,
    );
  });
});
