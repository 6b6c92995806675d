/**
 * `loupe rejects list|export`: the rows ingestion refused, with their reasons, to be fixed and submitted again.
 */
import type { Command } from 'commander';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { FileRecord } from '../store/files.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import type { RejectRecord } from '../store/rejects.js';
import { CliError, EXIT_USAGE, emit } from './output.js';
import type { RegisterCommand } from './program.js';
import { withPipelineStore } from './with-store.js';

interface RejectsOptions {
  file?: string;
  json?: boolean;
  home?: string;
  out?: string;
}

/** The files asked for with --file (by name or path), or every file. */
async function selectFiles(store: PipelineStore, name: string | undefined): Promise<FileRecord[]> {
  if (name === undefined) return store.listFiles();
  const files = await store.findFilesByName(name);
  if (files.length === 0) {
    const known = (await store.listFiles()).map((f) => f.name);
    throw new CliError(
      `no ingested file is named "${name}"; ingested files: ${known.length > 0 ? known.join(', ') : 'none yet'}`,
    );
  }
  return files;
}

async function rejectsOf(store: PipelineStore, files: FileRecord[]): Promise<RejectRecord[]> {
  const rejects: RejectRecord[] = [];
  for (const f of files) rejects.push(...(await store.listRejects({ fileId: f.id })));
  return rejects;
}

function describe(rejects: RejectRecord[], files: FileRecord[]): string {
  const lines = rejects.map(
    (r) => `${r.fileName} line ${r.line}  [${r.reason}]  ${r.reasons.map((p) => p.message).join(' | ')}`,
  );
  const withRejects = new Set(rejects.map((r) => r.fileId)).size;
  lines.push(
    `${rejects.length.toLocaleString('en-US')} rejected row${rejects.length === 1 ? '' : 's'} in ${withRejects} of ${files.length} file${files.length === 1 ? '' : 's'}`,
  );
  return lines.join('\n');
}

function list(opts: RejectsOptions): Promise<void> {
  return withPipelineStore(opts, async (store) => {
    const files = await selectFiles(store, opts.file);
    const rejects = await rejectsOf(store, files);
    emit(opts, rejects, (r) => describe(r, files));
  });
}

function exportCsv(opts: RejectsOptions): Promise<void> {
  return withPipelineStore(opts, async (store) => {
    const files = (await selectFiles(store, opts.file)).filter((f) => f.rejected > 0);
    const headers = new Set(files.map((f) => f.header));
    if (headers.size > 1) {
      throw new CliError(
        `the rejected rows come from files with different columns (${files.map((f) => f.name).join(', ')}); ` +
          'export one file at a time with --file NAME',
        EXIT_USAGE,
      );
    }
    if (files.length === 0) {
      process.stderr.write(`no rejected rows${opts.file ? ` in ${opts.file}` : ''}: nothing to export\n`);
      return;
    }
    const header = files[0].header;
    const rejects = await rejectsOf(store, files);
    const { toRejectsCsv } = await import('../ingest/index.js');
    const lines = toRejectsCsv(header, rejects);
    if (opts.out === undefined) {
      for (const line of lines) process.stdout.write(`${line}\n`);
      return;
    }
    // Written next to the target and renamed, so the file is complete or absent, never half-written.
    const tmp = `${opts.out}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      for (const line of lines) writeSync(fd, `${line}\n`);
    } catch (err) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw err;
    }
    closeSync(fd);
    renameSync(tmp, opts.out);
    process.stderr.write(
      `wrote ${rejects.length.toLocaleString('en-US')} rejected rows and their reasons to ${opts.out}\n`,
    );
  });
}

export const registerRejects: RegisterCommand = (program: Command) => {
  const rejects = program
    .command('rejects')
    .description('The rows ingestion rejected, with line numbers and reasons, to fix and ingest again.');
  rejects
    .command('list')
    .description('List rejected rows: file, line, reason code and what was wrong.')
    .option('--file <name>', 'only the rejects of this file (its name, e.g. 2026-11.csv, or its path)')
    .option('--json', 'print JSON for machines: an array of {fileName, line, dataRow, rawText, reason, reasons[]}')
    .option('--home <dir>', 'where Loupe keeps its data (default: $LOUPE_HOME or ./var)')
    .addHelpText(
      'after',
      `
Example:
  $ loupe rejects list --file 2026-11.csv
  2026-11.csv line 54  [not_a_number]  Carat "0,51" is not a number; probably meant 0.51 (with a decimal point instead of a comma).
  ...`,
    )
    .action(list);
  rejects
    .command('export')
    .description(
      'Write the rejected rows as CSV: the file\'s header and raw rows plus a "reasons" column, ready to fix and ingest again.',
    )
    .option('--file <name>', 'only the rejects of this file (needed when files have different columns)')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--home <dir>', 'where Loupe keeps its data (default: $LOUPE_HOME or ./var)')
    .addHelpText(
      'after',
      `
Example:
  $ loupe rejects export --file 2026-11.csv --out 2026-11-fix.csv
  (fix the rows in a spreadsheet, then)  $ loupe ingest 2026-11-fix.csv`,
    )
    .action(exportCsv);
};
