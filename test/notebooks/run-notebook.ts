/**
 * The tests of one notebook (data-notebook.test.ts, model-notebook.test.ts: one file each, so that two vitest workers
 * can execute the two at once). Executes the notebook headless, as CI does, with the project's Deno kernel
 * (notebooks/run.sh --out), once, into a temporary folder so the committed notebooks stay as they are; every test
 * reads that one executed copy. Fails if any cell throws. Skips the notebook only when its file does not exist yet; a
 * missing Jupyter is a failure (scripts/setup.sh installs it).
 *
 * The model notebook runs its small configuration here (LOUPE_NOTEBOOK_CONFIG=small: fewer tuning trials and folds,
 * src/report/notebook-config.ts), so every cell runs but on less evidence. The committed notebooks, from which the
 * exports in reports/ are made, must be the full configuration's run, and have the outputs this run has, cell by cell.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSentence, NOTEBOOK_CONFIGS } from '../../src/report/notebook-config.js';
import { type Notebook, outputDefects } from './hygiene.js';

const root = resolve(import.meta.dirname, '../..');
/** The notebook that reads LOUPE_NOTEBOOK_CONFIG and says in its first output which configuration ran. */
const CONFIGURED = '02-model.ipynb';

interface NotebookOutput {
  output_type: string;
  name?: string;
  ename?: string;
  evalue?: string;
  data?: Record<string, string | string[]>;
}

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: NotebookOutput[];
}

const text = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join('') : (value ?? ''));

const source = (cell: NotebookCell): string => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

const codeCells = (path: string): NotebookCell[] =>
  (JSON.parse(readFileSync(path, 'utf8')) as { cells: NotebookCell[] }).cells.filter((c) => c.cell_type === 'code');

/**
 * What a cell shows, output by output: the kind and its formats. Text on stdout/stderr is left out (a kernel warning
 * may come in one run and not another); errors are checked on their own.
 */
const shape = (cell: NotebookCell): string[] =>
  (cell.outputs ?? [])
    .filter((o) => o.output_type !== 'stream')
    .map((o) => `${o.output_type}: ${Object.keys(o.data ?? {}).sort()}`);

/** The markdown or plain text a cell shows, shortened: what a failure message needs to tell why outputs differ. */
const shownText = (cell: NotebookCell | undefined): string =>
  JSON.stringify(
    (cell?.outputs ?? [])
      .filter((o) => o.output_type !== 'stream')
      .map((o) => text(o.data?.['text/markdown'] ?? o.data?.['text/plain']).slice(0, 1500)),
  );

const firstOutput = (cells: NotebookCell[]): string =>
  (cells[0]?.outputs ?? []).map((o) => text(o.data?.['text/markdown'])).join('');

/** Describes the tests of notebooks/NAME, executed once into its own temporary folder. */
export function describeNotebook(name: string): void {
  const path = join(root, 'notebooks', name);
  describe.skipIf(!existsSync(path))(`notebook ${name}`, () => {
    const out = mkdtempSync(join(tmpdir(), 'loupe-notebooks-'));
    afterAll(() => rmSync(out, { recursive: true, force: true }));
    let run: SpawnSyncReturns<string>;
    let code: NotebookCell[] = [];
    let executed: Notebook = { cells: [] };
    beforeAll(() => {
      run = spawnSync('bash', [join(root, 'notebooks/run.sh'), '--out', out, path], {
        cwd: root,
        encoding: 'utf8',
        timeout: 590_000,
        env: { ...process.env, LOUPE_NOTEBOOK_CONFIG: 'small' },
      });
      if (run.status === 0) {
        code = codeCells(join(out, name));
        executed = JSON.parse(readFileSync(join(out, name), 'utf8')) as Notebook;
      }
    }, 600_000);

    it('executes without a cell error', () => {
      const log = `${run.stderr ?? ''}`
        .split('\n')
        .filter((l) => !/Debugger|frozen modules|PYDEVD|Xfrozen/.test(l))
        .slice(-40)
        .join('\n');
      expect(run.error, `could not run notebooks/run.sh: ${run.error?.message}`).toBeUndefined();
      expect(run.status, `executing ${name} failed:\n${log}`).toBe(0);

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
      // No path of this machine (its checkout, its temporary folder) in what the notebook shows (hygiene.ts); stderr
      // is left out here, since a kernel warning may come in one run and not another.
      expect(outputDefects(executed, { streams: false }), name).toEqual([]);
    });

    it('fills in the summary at the top with five computed lines', () => {
      expect(run.status, `executing ${name} failed`).toBe(0);
      // The summary at the top is a placeholder until the conclusion replaces it with five computed lines.
      const summary = code.filter((c) => /\{ id: SUMMARY \}/.test(source(c)));
      expect(summary, `${name} has one summary cell at the top`).toHaveLength(1);
      const shown = (summary[0].outputs ?? []).map((o) => text(o.data?.['text/markdown'])).join('');
      expect(shown, `${name}: the conclusion did not fill in the summary`).not.toMatch(/Not computed yet/);
      const summaryLines = shown.split('\n').filter((l) => /^\d\. /.test(l));
      expect(summaryLines, `${name}: the summary has five numbered lines`).toHaveLength(5);
      for (const line of summaryLines) expect(line.slice(3), `${name}: a summary line without a figure`).toMatch(/\d/);
    });

    it('is committed as the full configuration ran it, with the outputs of this run, cell by cell', () => {
      expect(run.status, `executing ${name} failed`).toBe(0);
      const committed = codeCells(path);
      expect(committed.map(source)).toEqual(code.map(source));
      for (const [i, cell] of committed.entries()) {
        expect(cell.execution_count, `committed code cell ${i + 1} of ${name} did not run`).toBeTypeOf('number');
        expect(
          shape(cell),
          `committed code cell ${i + 1} of ${name}: other outputs than a run gives; this run's outputs of cells ${i + 1}` +
            ` and ${i + 2}, for the cause: ${shownText(code[i])} | ${shownText(code[i + 1])}`,
        ).toEqual(shape(code[i]));
      }
      if (name === CONFIGURED) {
        expect(firstOutput(code)).toContain(configSentence(NOTEBOOK_CONFIGS.small));
        expect(firstOutput(committed)).toContain(configSentence(NOTEBOOK_CONFIGS.full));
      }
    });
  });
}
