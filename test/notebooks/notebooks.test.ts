/**
 * Executes each notebook headless, as CI does, with the project's Deno kernel (notebooks/run.sh --out), into a
 * temporary folder so the committed notebooks stay as they are. Fails if any cell throws. Skips a notebook only
 * when its file does not exist yet; a missing Jupyter is a failure (scripts/setup.sh installs it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const NOTEBOOKS = ['01-data.ipynb', '02-model.ipynb'];
const out = mkdtempSync(join(tmpdir(), 'loupe-notebooks-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: { output_type: string; ename?: string; evalue?: string; data?: Record<string, string | string[]> }[];
}

const text = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join('') : (value ?? ''));

const source = (cell: NotebookCell): string => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

describe('notebooks', () => {
  for (const name of NOTEBOOKS) {
    const path = join(root, 'notebooks', name);
    it.skipIf(!existsSync(path))(
      `${name} executes without a cell error`,
      () => {
        const run = spawnSync('bash', [join(root, 'notebooks/run.sh'), '--out', out, path], {
          cwd: root,
          encoding: 'utf8',
          timeout: 590_000,
        });
        const log = `${run.stderr ?? ''}`
          .split('\n')
          .filter((l) => !/Debugger|frozen modules|PYDEVD|Xfrozen/.test(l))
          .slice(-40)
          .join('\n');
        expect(run.error, `could not run notebooks/run.sh: ${run.error?.message}`).toBeUndefined();
        expect(run.status, `executing ${name} failed:\n${log}`).toBe(0);

        const executed = JSON.parse(readFileSync(join(out, name), 'utf8')) as { cells: NotebookCell[] };
        const code = executed.cells.filter((c) => c.cell_type === 'code');
        expect(code.length).toBeGreaterThan(0);
        for (const [i, cell] of code.entries()) {
          expect(cell.execution_count, `code cell ${i + 1} of ${name} did not run`).toBeTypeOf('number');
          const errors = (cell.outputs ?? []).filter((o) => o.output_type === 'error');
          expect(
            errors.map((e) => `${e.ename}: ${e.evalue}`),
            `code cell ${i + 1} of ${name}`,
          ).toEqual([]);
          // A cell that shows something must have shown it: a lost output would leave a finding out silently.
          if (/\bshow\(/.test(source(cell)))
            expect(cell.outputs?.length ?? 0, `code cell ${i + 1} of ${name} shows nothing`).toBeGreaterThan(0);
        }
        // The summary at the top is a placeholder until the conclusion replaces it with five computed lines.
        const summary = code.filter((c) => /\{ id: SUMMARY \}/.test(source(c)));
        expect(summary, `${name} has one summary cell at the top`).toHaveLength(1);
        const shown = (summary[0].outputs ?? []).map((o) => text(o.data?.['text/markdown'])).join('');
        expect(shown, `${name}: the conclusion did not fill in the summary`).not.toMatch(/Not computed yet/);
        const summaryLines = shown.split('\n').filter((l) => /^\d\. /.test(l));
        expect(summaryLines, `${name}: the summary has five numbered lines`).toHaveLength(5);
        for (const line of summaryLines)
          expect(line.slice(3), `${name}: a summary line without a figure`).toMatch(/\d/);
      },
      600_000,
    );
  }
});
