/**
 * `loupe rejects list|export`: the rows ingestion refused, with their reasons, to be fixed and submitted again.
 */
import type { Command } from 'commander';
import type { FileRecord } from '../store/files.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import type { RejectRecord } from '../store/rejects.js';
import { CliError, EXIT_USAGE, OUT_FILE_HELP, outputFile, writeText } from './output.js';
import type { RegisterCommand } from './program.js';
import { EXISTING_HOME_HELP, withExistingPipelineStore } from './with-store.js';

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

/** Rejected rows read at most this many at a time: a file of a million bad rows is never in memory whole. */
const PAGE = 5000;

/** The files' rejected rows, file by file in line order, a page at a time. */
async function* rejectsOf(store: PipelineStore, files: FileRecord[]): AsyncGenerator<RejectRecord[]> {
  for (const f of files) {
    for (let afterLine = 0; ; ) {
      const page = await store.listRejects({ fileId: f.id, afterLine, limit: PAGE });
      if (page.length > 0) yield page;
      if (page.length < PAGE) break;
      afterLine = page[page.length - 1].line;
    }
  }
}

/** Writes to standard output as output.ts writeText does: a slow reader holds the writer back. */
const print = (text: string): Promise<void> => writeText(process.stdout, text);

function list(opts: RejectsOptions): Promise<void> {
  return withExistingPipelineStore(opts, async (store) => {
    const files = await selectFiles(store, opts.file);
    let count = 0;
    const withRejects = new Set<number>();
    // Written as read; --json writes the array JSON.stringify(rows, null, 2) would.
    for await (const page of rejectsOf(store, files)) {
      for (const r of page) {
        if (opts.json)
          await print(`${count === 0 ? '[\n' : ',\n'}  ${JSON.stringify(r, null, 2).replace(/\n/g, '\n  ')}`);
        else
          await print(`${r.fileName} line ${r.line}  [${r.reason}]  ${r.reasons.map((p) => p.message).join(' | ')}\n`);
        count++;
        withRejects.add(r.fileId);
      }
    }
    if (opts.json) await print(count === 0 ? '[]\n' : '\n]\n');
    else
      await print(
        `${count.toLocaleString('en-US')} rejected row${count === 1 ? '' : 's'} in ${withRejects.size} of ${files.length} file${files.length === 1 ? '' : 's'}\n`,
      );
  });
}

function exportCsv(opts: RejectsOptions): Promise<void> {
  return withExistingPipelineStore(opts, async (store) => {
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
    const { toRejectsCsv } = await import('../ingest/index.js');
    let written = 0;
    /** The export's lines, the header once, then the rows page by page. */
    const writeAll = async (write: (line: string) => void | Promise<void>): Promise<void> => {
      const [headerLine] = toRejectsCsv(header, []);
      await write(headerLine);
      for await (const page of rejectsOf(store, files)) {
        const lines = toRejectsCsv(header, page);
        lines.next(); // its header, written once above
        for (const line of lines) await write(line);
        written += page.length;
      }
    };
    if (opts.out === undefined) {
      await writeAll((line) => print(`${line}\n`));
      return;
    }
    // A regular file is complete or absent, never half-written (output.ts outputFile).
    const file = outputFile(opts.out);
    try {
      await writeAll((line) => writeText(file.stream, `${line}\n`, file.failed));
      await file.commit();
    } catch (err) {
      file.discard();
      throw err;
    }
    process.stderr.write(`wrote ${written.toLocaleString('en-US')} rejected rows and their reasons to ${opts.out}\n`);
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
    .option('--home <dir>', EXISTING_HOME_HELP)
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
    .option('--home <dir>', EXISTING_HOME_HELP)
    .addHelpText(
      'after',
      `
${OUT_FILE_HELP}

Example:
  $ loupe rejects export --file 2026-11.csv --out 2026-11-fix.csv
  (fix the rows in a spreadsheet, then)  $ loupe ingest 2026-11-fix.csv`,
    )
    .action(exportCsv);
};
