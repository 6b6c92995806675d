/**
 * Ingestion benchmark: a 1,000,000-row synthetic appraisal file (deterministic seed, values that pass validation)
 * ingested end to end — read, hash, parse, validate, duplicate check, store, commit — into a fresh database.
 * The ingest runs in a child process so that its peak resident memory (maxRSS) is its own.
 *
 *   npm run bench:ingest                 (1,000,000 rows)
 *   npx tsx bench/ingest.ts 200000       (another row count)
 *
 * Targets: at least 100,000 rows/s end to end, peak RSS under 200 MB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFile } from '../src/ingest/index.js';
import { openDatabase } from '../src/store/db.js';
import { writeSyntheticFile } from './synthetic-appraisals.js';

const SEED = 20261126;

interface ChildResult {
  rows: number;
  accepted: number;
  rejected: number;
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
  dbMb: number;
}

async function child(file: string, home: string): Promise<void> {
  const dbPath = join(home, 'loupe.db');
  const db = openDatabase(dbPath);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const s = await ingestFile(db, file);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  db.close();
  if (s.status !== 'ingested') throw new Error(`ingest ${s.status}: ${s.message}`);
  const result: ChildResult = {
    rows: s.rowsRead,
    accepted: s.accepted,
    rejected: s.rejected,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    dbMb: statSync(dbPath).size / 1e6,
  };
  process.stdout.write(JSON.stringify(result));
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const file = join(tmpdir(), `loupe-bench-ingest-${rows}-${SEED}.csv`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${rows.toLocaleString('en-US')} rows into ${file} …\n`);
    await writeSyntheticFile(file, rows, SEED);
  }
  const bytes = statSync(file).size;
  const home = mkdtempSync(join(tmpdir(), 'loupe-bench-ingest-'));
  try {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', file, home],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (r.status !== 0) throw new Error(`the ingest child failed (exit ${r.status})`);
    const c = JSON.parse(r.stdout) as ChildResult;
    const table = [
      ['rows', 'file MB', 'accepted', 'rejected', 'seconds', 'rows/s', 'CPU s', 'peak RSS MB', 'db MB'],
      [
        c.rows.toLocaleString('en-US'),
        (bytes / 1e6).toFixed(1),
        c.accepted.toLocaleString('en-US'),
        c.rejected.toLocaleString('en-US'),
        c.seconds.toFixed(2),
        Math.round(c.rows / c.seconds).toLocaleString('en-US'),
        c.cpuSeconds.toFixed(2),
        c.maxRssMb.toFixed(0),
        c.dbMb.toFixed(0),
      ],
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    const line = (row: string[]) => `| ${row.map((v, i) => v.padStart(widths[i])).join(' | ')} |`;
    console.log(line(table[0]));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    console.log(line(table[1]));
    console.log(
      `targets: ≥ 100,000 rows/s (${c.rows / c.seconds >= 100_000 ? 'met' : 'MISSED'}), peak RSS < 200 MB (${c.maxRssMb < 200 ? 'met' : 'MISSED'})`,
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
