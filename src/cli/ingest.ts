/**
 * `loupe ingest FILE...`: stores appraisal files, each as a unit, and says what became of every row.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { IngestSummary } from '../ingest/index.js';
import { CliError, EXIT_FAILURE, emit, interactive } from './output.js';
import type { RegisterCommand } from './program.js';
import { withPipelineStore } from './with-store.js';

const n = (v: number): string => v.toLocaleString('en-US');

export function describeSummary(s: IngestSummary): string {
  if (s.status !== 'ingested') return `${s.file}: ${s.status === 'failed' ? 'FAILED — ' : ''}${s.message ?? s.status}`;
  const lines = [
    `${s.file}: ingested`,
    `  ${n(s.rowsRead)} rows read: ${n(s.accepted)} accepted (${n(s.normalised)} with grades normalised), ${n(s.rejected)} rejected`,
  ];
  const reasons = Object.entries(s.byReason).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    lines.push(`  rejected by reason: ${reasons.map(([code, count]) => `${code} ${n(count)}`).join(', ')}`);
    lines.push(
      `  to see and fix them: loupe rejects list --file ${s.file}   ·   loupe rejects export --file ${s.file} --out fix.csv`,
    );
  }
  return lines.join('\n');
}

interface IngestCliOptions {
  json?: boolean;
  home?: string;
}

async function run(files: string[], opts: IngestCliOptions): Promise<void> {
  const { StoreFullError, ingestInto } = await import('../ingest/index.js');
  const summaries: IngestSummary[] = [];
  await withPipelineStore(opts, async (store) => {
    for (const file of files) {
      const bar = interactive(opts)
        ? new cliProgress.SingleBar(
            {
              format: `${file} [{bar}] {percentage}% {value}/{total} MB`,
              stream: process.stderr,
              clearOnComplete: true,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      let started = false;
      const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10;
      try {
        const summary = await ingestInto(store.ingestion(), file, {
          onProgress(bytesRead, totalBytes) {
            if (!bar) return;
            if (!started) {
              bar.start(mb(totalBytes), 0);
              started = true;
            }
            bar.update(mb(bytesRead));
          },
        });
        summaries.push(summary);
      } catch (err) {
        // The disk is full: the next files could not go in either; the files ingested so far are stored.
        if (err instanceof StoreFullError) throw new CliError(err.message);
        throw err;
      } finally {
        if (started) bar?.stop();
      }
      const last = summaries[summaries.length - 1];
      if (!opts.json) {
        const text = describeSummary(last);
        if (last.status === 'failed') process.stderr.write(`loupe: ${text}\n`);
        else process.stdout.write(`${text}\n`);
      }
    }
  });
  const failed = summaries.filter((s) => s.status === 'failed').length;
  if (opts.json) emit(opts, { files: summaries }, () => '');
  else if (files.length > 1) {
    const total = (k: 'rowsRead' | 'accepted' | 'rejected') => n(summaries.reduce((sum, s) => sum + s[k], 0));
    process.stdout.write(
      `${files.length} files: ${total('rowsRead')} rows read, ${total('accepted')} accepted, ${total('rejected')} rejected` +
        `${failed > 0 ? `; ${failed} file${failed > 1 ? 's' : ''} FAILED (nothing stored from ${failed > 1 ? 'them' : 'it'})` : ''}\n`,
    );
  }
  if (failed > 0) process.exitCode = EXIT_FAILURE;
}

export const registerIngest: RegisterCommand = (program: Command) => {
  program
    .command('ingest')
    .description(
      'Store appraisal CSV files: every row is accepted or rejected with a reason; a file is stored whole or not at all, ' +
        'and a file already ingested adds nothing.',
    )
    .argument(
      '<file...>',
      'CSV files with the columns carat, cut, color, clarity, depth, table, price, x, y, z (any order; extra columns are kept)',
    )
    .option('--json', 'print a JSON summary for machines')
    .option('--home <dir>', 'where Loupe keeps its data (default: $LOUPE_HOME or ./var)')
    .addHelpText(
      'after',
      `
Example:
  $ loupe ingest ../shared/data/diamonds.csv ../shared/data/fresh/2026-11.csv
  diamonds.csv: ingested
    5,000 rows read: 4,984 accepted (0 with grades normalised), 16 rejected
    rejected by reason: out_of_range 11, implausible_geometry 4, duplicate 1

Exit code 0 when every file was ingested (or already was), 1 when any file failed as a whole
(unreadable, binary, not UTF-8, empty, a required column missing, a quote never closed over more than
65,536 characters), 2 on a usage error. A row longer than 65,536 characters is one rejected row.`,
    )
    .action(run);
};
