import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgv } from '../helpers/cli-js.js';
import { writeSyntheticFile } from '../../bench/synthetic-appraisals.js';
import { ingestFile } from '../../src/ingest/index.js';
import { loupePaths } from '../../src/config/index.js';
import { openDatabase } from '../../src/store/db.js';
import { countDiamonds } from '../../src/store/diamonds.js';
import { listFiles } from '../../src/store/files.js';
import { tempHome, type TempHome } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
// Large enough that its rows overflow the 16 MiB page cache, so they spill into the WAL before the commit.
const ROWS = 300_000;

let home: TempHome;
let big: string;
beforeAll(async () => {
  home = tempHome();
  big = join(home.dir, 'big.csv');
  await writeSyntheticFile(big, ROWS, 7);
});
afterAll(() => home.cleanup());

describe('a crash mid-ingest', () => {
  it('SIGKILL while a file is being stored leaves the database as it was; the next ingest completes', async () => {
    const db = home.db;
    const wal = `${loupePaths({}, { home: home.dir }).database}-wal`;
    const walBefore = existsSync(wal) ? statSync(wal).size : 0;
    const child = spawn(process.execPath, cliArgv('ingest', big), {
      cwd: ROOT,
      env: { ...process.env, LOUPE_HOME: home.dir },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    // Rows are written inside the open transaction; once they spill into the WAL the ingest is well under way.
    const deadline = Date.now() + 150_000;
    while ((existsSync(wal) ? statSync(wal).size : 0) < walBefore + 4_000_000) {
      if (Date.now() > deadline) throw new Error('the child never got under way');
      if (child.exitCode !== null)
        throw new Error(`the child finished (exit ${child.exitCode}) before it could be killed; use a larger file`);
      await sleep(20);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // A new connection recovers: no file, no diamonds, no rejects from the killed run, and an intact database.
    const after = openDatabase(loupePaths({}, { home: home.dir }).database);
    try {
      expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(listFiles(after)).toEqual([]);
      expect(countDiamonds(after)).toBe(0);
      expect((after.prepare('SELECT count(*) AS n FROM rejects').get() as { n: number }).n).toBe(0);
    } finally {
      after.close();
    }

    const s = await ingestFile(db, big);
    expect(s.status).toBe('ingested');
    expect(s.rowsRead).toBe(ROWS);
    expect(s.accepted + s.rejected).toBe(ROWS);
    // The synthetic generator draws plausible stones only; the few rejects are chance repeats of a whole row.
    expect(Object.keys(s.byReason).filter((k) => k !== 'duplicate')).toEqual([]);
    expect(countDiamonds(db)).toBe(s.accepted);
  }, 180_000);
});
