/**
 * The committed notebooks carry no error, no stderr text, no path of the machine that ran them and no timing record
 * in their outputs (hygiene.ts). Reads the committed files only: nothing is executed here.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Notebook, type Output, outputDefects } from './hygiene.js';

const root = resolve(import.meta.dirname, '../..');

const markdown = (text: string) => ({ output_type: 'display_data', data: { 'text/markdown': text }, metadata: {} });
const notebook = (...outputs: Output[]): Notebook => ({
  cells: [
    { cell_type: 'markdown', metadata: {} },
    { cell_type: 'code', metadata: {}, outputs: [markdown('**Finding.** 4,984 rows.')] },
    { cell_type: 'code', metadata: {}, outputs },
  ],
});

describe('outputDefects', () => {
  it('finds nothing in outputs that show only findings', () => {
    expect(outputDefects(notebook(markdown('Reference data: `../shared/data/diamonds.csv`.')))).toEqual([]);
  });

  it('finds an error output, naming the cell', () => {
    const bad = notebook({ output_type: 'error', ename: 'TypeError', evalue: 'x is undefined', traceback: [] });
    expect(outputDefects(bad)).toEqual(['code cell 2: an error output (TypeError: x is undefined)']);
  });

  it('finds a warning spilled on stderr, unless asked to leave streams out', () => {
    const bad = notebook({ output_type: 'stream', name: 'stderr', text: ['Warning: something is deprecated\n'] });
    expect(outputDefects(bad)).toEqual(['code cell 2: text on stderr (Warning: something is deprecated)']);
    expect(outputDefects(bad, { streams: false })).toEqual([]);
    expect(outputDefects(notebook({ output_type: 'stream', name: 'stdout', text: 'plain text\n' }))).toEqual([]);
  });

  it('finds an absolute path of the machine in any output', () => {
    for (const path of ['/work/main/shared/data/diamonds.csv', '/tmp/loupe-notebook-abc/loupe.db', join(root, 'src')]) {
      const defects = outputDefects(notebook(markdown(`Reference data: \`${path}\`.`)));
      expect(defects, path).toHaveLength(1);
      expect(defects[0], path).toMatch(/^code cell 2: a path of this machine \(/);
    }
    expect(outputDefects(notebook(markdown(`saved in ${join(tmpdir(), 'x')}`)))).toHaveLength(1);
    // An SVG's namespace and a chart's path data are not paths of the machine.
    expect(
      outputDefects(notebook(markdown('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0,0L-6,0"/></svg>'))),
    ).toEqual([]);
  });

  it('finds a timing record in a cell', () => {
    const timed: Notebook = {
      cells: [
        { cell_type: 'code', metadata: { execution: { 'iopub.status.busy': '2026-12-07T06:38:47Z' } }, outputs: [] },
      ],
    };
    expect(outputDefects(timed)).toEqual(['code cell 1: a timing record (metadata.execution)']);
  });
});

describe('the committed notebooks', () => {
  for (const name of ['01-data.ipynb', '02-model.ipynb']) {
    it(`${name} has no error, stderr text, machine path or timing in its outputs`, () => {
      const committed = JSON.parse(readFileSync(join(root, 'notebooks', name), 'utf8')) as Notebook;
      expect(outputDefects(committed)).toEqual([]);
    });
  }
});
