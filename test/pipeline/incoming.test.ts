/**
 * The landing folder (src/pipeline/incoming.ts): a file that leaves it during a run is recorded as gone and the run
 * goes on; a symbolic link to a CSV file is ingested, and what cannot be read as a regular file (a FIFO, a socket, a
 * link in a loop or to nothing) is moved to failed/ with the reason `loupe ingest` gives, never opened or skipped.
 * The file that vanishes is removed at the hook between one file's ingestion and its move: nothing races.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeResult } from '../../src/cli/pipeline.js';
import { loupePaths } from '../../src/config/index.js';
import { ingestIncoming, pendingFiles } from '../../src/pipeline/incoming.js';
import { listRuns, runPipeline } from '../../src/pipeline/index.js';
import { openDatabase } from '../../src/store/db.js';
import { countDiamonds } from '../../src/store/diamonds.js';
import { sqliteIngestTarget } from '../../src/store/ingest-target.js';
import { HEADER, ROW_A, ROW_B, tempHome, type TempHome } from '../ingest/helpers.js';
import { prepareSmallFirstModelHome, smallFirstModelHome } from '../helpers/prepared-home.js';
import { smallReference } from '../helpers/small-data.js';
import { ONE_TRIAL } from './helpers.js';

const GOOD = `${HEADER}\n${ROW_A}\n${ROW_B}\n`;

let home: TempHome;
let incoming: string;
beforeEach(() => {
  home = tempHome();
  incoming = join(home.dir, 'incoming');
  mkdirSync(incoming);
});
afterEach(() => home.cleanup());

const listing = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('a file that leaves the landing folder during a run', () => {
  it('before it is ingested: recorded as vanished, no report left behind, and the other files go in', async () => {
    writeFileSync(join(incoming, 'a-first.csv'), GOOD);
    writeFileSync(join(incoming, 'z-vanish.csv'), `${HEADER}\n${ROW_B}\n`);
    let stored = 0;
    const out = await ingestIncoming(sqliteIngestTarget(home.db), incoming, {
      // After the first file's transaction: the second, already listed, is taken away before its turn.
      onStored: () => {
        if (stored++ === 0) rmSync(join(incoming, 'z-vanish.csv'));
      },
    });
    expect(out.map((o) => [o.file, o.status, o.movedTo])).toEqual([
      ['a-first.csv', 'ingested', join(incoming, 'done', 'a-first.csv')],
      ['z-vanish.csv', 'vanished', null],
    ]);
    expect(out[1].message).toMatch(/left the landing folder during the run, before it could be ingested/);
    expect(out[1].report).toBeUndefined();
    expect(listing(join(incoming, 'failed'))).toEqual([]);
    expect(listing(incoming)).not.toContain('z-vanish.csv');
    expect(countDiamonds(home.db)).toBe(2);
  });

  it('once stored, before its move to done/: still ingested, saying it could not be moved', async () => {
    writeFileSync(join(incoming, 'a-gone.csv'), GOOD);
    writeFileSync(join(incoming, 'b-next.csv'), `${HEADER}\n${ROW_A.replace('4733', '4734')}\n`);
    let stored = 0;
    const out = await ingestIncoming(sqliteIngestTarget(home.db), incoming, {
      onStored: () => {
        if (stored++ === 0) rmSync(join(incoming, 'a-gone.csv'));
      },
    });
    expect(out.map((o) => [o.file, o.status, o.movedTo])).toEqual([
      ['a-gone.csv', 'ingested', null],
      ['b-next.csv', 'ingested', join(incoming, 'done', 'b-next.csv')],
    ]);
    expect(out[0].message).toMatch(/left the landing folder before it could be moved to done\//);
    expect(countDiamonds(home.db)).toBe(3);
  });
});

describe('what is in the landing folder besides regular files', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('a symbolic link to a CSV file is ingested; the link moves to done/, its target stays', async () => {
    const target = home.file('elsewhere.csv', GOOD);
    symlinkSync(target, join(incoming, 'link.csv'));
    expect(pendingFiles(incoming)).toEqual(['link.csv']);
    const out = await ingestIncoming(sqliteIngestTarget(home.db), incoming);
    expect(out.map((o) => [o.file, o.status])).toEqual([['link.csv', 'ingested']]);
    expect(countDiamonds(home.db)).toBe(2);
    const moved = join(incoming, 'done', 'link.csv');
    expect(lstatSync(moved).isSymbolicLink()).toBe(true);
    expect(readlinkSync(moved)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe(GOOD);
  });

  it('a FIFO, a socket, a link loop and a dangling link go to failed/ with the reason, never opened', async () => {
    expect(spawnSync('mkfifo', [join(incoming, 'pipe.csv')]).status).toBe(0);
    const listening = createServer();
    server = listening;
    await new Promise<void>((resolve) => listening.listen(join(incoming, 'socket.csv'), resolve));
    symlinkSync('loop-b.csv', join(incoming, 'loop-a.csv'));
    symlinkSync('loop-a.csv', join(incoming, 'loop-b.csv'));
    symlinkSync(join(home.dir, 'nowhere.csv'), join(incoming, 'dangling.csv'));
    writeFileSync(join(incoming, 'good.csv'), GOOD);
    expect(pendingFiles(incoming)).toEqual([
      'dangling.csv',
      'good.csv',
      'loop-a.csv',
      'loop-b.csv',
      'pipe.csv',
      'socket.csv',
    ]);

    const out = await ingestIncoming(sqliteIngestTarget(home.db), incoming);
    const reasons = Object.fromEntries(out.map((o) => [o.file, `${o.status}: ${o.message ?? ''}`]));
    expect(reasons['good.csv']).toBe('ingested: ');
    expect(reasons['pipe.csv']).toMatch(/^failed: is a named pipe \(FIFO\), not a file/);
    expect(reasons['socket.csv']).toMatch(/^failed: is a socket, not a file/);
    expect(reasons['loop-a.csv']).toMatch(/^failed: is a symbolic link in a loop/);
    // loop-a.csv moved aside first, so loop-b.csv then points at nothing.
    expect(reasons['loop-b.csv']).toMatch(/^failed: is a symbolic link to a file that does not exist/);
    expect(reasons['dangling.csv']).toMatch(/^failed: is a symbolic link to a file that does not exist/);
    expect(listing(join(incoming, 'failed'))).toEqual(
      ['dangling.csv', 'loop-a.csv', 'loop-b.csv', 'pipe.csv', 'socket.csv'].flatMap((f) => [f, `${f}.report.json`]),
    );
    const report = JSON.parse(readFileSync(join(incoming, 'failed', 'pipe.csv.report.json'), 'utf8')) as {
      message: string;
    };
    expect(report.message).toMatch(/named pipe/);
    expect(listing(incoming)).toEqual(['done', 'failed']);
  }, 20_000);

  it('a folder named *.csv and hidden files are left alone', () => {
    mkdirSync(join(incoming, 'folder.csv'));
    writeFileSync(join(incoming, '.copying.csv'), GOOD);
    expect(pendingFiles(incoming)).toEqual([]);
  });
});

describe('a run whose landed file vanishes', () => {
  const scratch: string[] = [];
  beforeAll(prepareSmallFirstModelHome);
  afterAll(() => {
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  });

  it('goes on, and its record and its printed summary say the file left before it could be ingested', async () => {
    const dir = await smallFirstModelHome('loupe-vanish-');
    scratch.push(dir);
    const paths = loupePaths({}, { home: dir, data: smallReference() });
    const landing = join(dir, 'incoming');
    // A copy of the stored reference data (already ingested: nothing new to train on) is first; the next is removed
    // between that file's ingestion and its move.
    copyFileSync(smallReference(), join(landing, 'a-known.csv'));
    writeFileSync(join(landing, 'z-vanish.csv'), GOOD);
    const db = openDatabase(paths.database);
    try {
      const result = await runPipeline(db, paths, {
        incoming: landing,
        config: ONE_TRIAL,
        checkpoint: (point) => {
          if (point === 'ingest:file-stored') rmSync(join(landing, 'z-vanish.csv'), { force: true });
        },
      });
      expect(result.files.map((f) => [f.file, f.status])).toEqual([
        ['a-known.csv', 'already_ingested'],
        ['z-vanish.csv', 'vanished'],
      ]);
      expect(result.status).toBe('nothing_to_do');
      expect(describeResult(result)).toMatch(
        /\n {2}z-vanish\.csv: VANISHED — left the landing folder during the run, before it could be ingested/,
      );
      const record = listRuns(db)[0];
      expect(record.status).toBe('nothing_to_do');
      expect((record.summary as { files: { file: string; status: string }[] }).files).toContainEqual(
        expect.objectContaining({ file: 'z-vanish.csv', status: 'vanished' }),
      );
      expect(record.steps.find((s) => s.name === 'ingest')?.detail).toMatch(/1 vanished/);
      expect(listing(join(landing, 'failed'))).toEqual([]);
    } finally {
      db.close();
    }
  }, 120_000);
});
