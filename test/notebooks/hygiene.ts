/**
 * What a committed notebook must not carry in its outputs, whatever its code: an error, text written to stderr (a
 * warning spilled into the notebook), a path of the machine that ran it (/work/…, /tmp/…, the checkout, the
 * temporary folder) or a cell's timing record. The reader runs the notebook on another machine from a clean clone;
 * none of these is a finding, and the paths and timings differ per run.
 */
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

export interface Output {
  output_type: string;
  name?: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  text?: string | string[];
  data?: Record<string, unknown>;
}

interface Cell {
  cell_type: string;
  metadata?: Record<string, unknown>;
  outputs?: Output[];
}

export interface Notebook {
  cells: Cell[];
}

/** An absolute path under a folder that only the machine that ran the notebook has. */
const MACHINE_PATH = /(?<![\w.:/~-])\/(?:work|tmp|home|root|Users|private|mnt|var\/folders)\/[^\s"'<>`\\]*/;

const root = resolve(import.meta.dirname, '../..');

/** The paths to look for besides MACHINE_PATH: this checkout and this machine's temporary folder. */
const LOCAL_PATHS = [root, tmpdir()].filter((p) => p.length > 1);

/**
 * The defects of a notebook's outputs, one line each naming the code cell (counted from 1); empty when clean.
 * `streams: false` leaves stderr text out (an executed copy may hold a kernel warning of that run only).
 */
export function outputDefects(notebook: Notebook, options: { streams?: boolean } = {}): string[] {
  const defects: string[] = [];
  const code = notebook.cells.filter((c) => c.cell_type === 'code');
  for (const [i, cell] of code.entries()) {
    const at = `code cell ${i + 1}`;
    if (cell.metadata && 'execution' in cell.metadata) defects.push(`${at}: a timing record (metadata.execution)`);
    for (const output of cell.outputs ?? []) {
      if (output.output_type === 'error') defects.push(`${at}: an error output (${output.ename}: ${output.evalue})`);
      if ((options.streams ?? true) && output.output_type === 'stream' && output.name === 'stderr') {
        const text = [output.text ?? ''].flat().join('');
        defects.push(`${at}: text on stderr (${text.trim().slice(0, 120)})`);
      }
      const shown = JSON.stringify(output);
      const path = MACHINE_PATH.exec(shown)?.[0] ?? LOCAL_PATHS.find((p) => shown.includes(p));
      if (path !== undefined) defects.push(`${at}: a path of this machine (${path})`);
    }
  }
  return defects;
}
