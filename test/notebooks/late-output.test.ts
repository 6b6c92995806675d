/**
 * notebooks/run.sh must keep an output that the Deno kernel sends after it has reported the cell done ("idle"),
 * as it sometimes does under CPU load. Jupyter's own runner (`nbconvert --execute`) drops such an output: after
 * "idle" it reads only the next cell's messages, and after the last cell it reads nothing.
 *
 * The lateness is made deterministic by a harness on the client side (fixtures/late-iopub/sitecustomize.py):
 * every display whose text starts with "late:" reaches the runner just after its cell's "idle".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const fixtures = join(import.meta.dirname, 'fixtures');
const out = mkdtempSync(join(tmpdir(), 'loupe-late-output-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Cell {
  outputs?: { output_type: string; data?: Record<string, string | string[]> }[];
}

const runNotebook = (name: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync('bash', [join(root, 'notebooks/run.sh'), '--out', out, join(fixtures, name)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 170_000,
    env: { ...process.env, ...env },
  });

describe('notebooks/run.sh', () => {
  it('files a display that arrives after its cell is done into that cell, the last cell too', () => {
    const run = runNotebook('late-output.ipynb', { PYTHONPATH: join(fixtures, 'late-iopub') });
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr.slice(-2000)).toBe(0);
    const cells = (JSON.parse(readFileSync(join(out, 'late-output.ipynb'), 'utf8')) as { cells: Cell[] }).cells;
    const shown = cells.map((c) =>
      (c.outputs ?? []).map((o) => [o.data?.['text/plain'] ?? o.output_type].flat().join('')),
    );
    expect(shown).toEqual([['on time: first', 'late: first'], ['on time: second'], ['late: last']]);
  }, 180_000);

  it('fails with the cell and its error on stderr when a cell throws, and writes nothing', () => {
    const run = runNotebook('throws.ipynb');
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("throw new Error('broken on purpose');");
    expect(run.stderr).toContain('broken on purpose');
    expect(existsSync(join(out, 'throws.ipynb'))).toBe(false);
  }, 180_000);
});
