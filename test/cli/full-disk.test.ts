/**
 * Commands on a filesystem that is really full (a tmpfs, test/helpers/full-disk.ts), not one simulated with SQLite's
 * max_page_count (store-full.test.ts): whatever fails first — opening the database (its -shm file cannot grow), a
 * write to it, a file written with --out — the command says "the disk is full" in one line, exits 1 and leaves no
 * partial file.
 */
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { fullDiskSkip, truncateWal, withFullDisk } from '../helpers/full-disk.js';
import { prepareSmallFirstModelHome, smallFirstModelHome } from '../helpers/prepared-home.js';
import { smallFresh, smallReference } from '../helpers/small-data.js';

/** The copies of the prepared home each test starts from: removed after the file. */
const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

const ONE_LINE = /^loupe: the disk is full \([^\n]+\); free some space and run the command again\n$/;
const MB = 1024 * 1024;

beforeAll(() => prepareSmallFirstModelHome(), 120_000);

describe.skipIf(fullDiskSkip !== undefined)('commands on a full disk', () => {
  it('a write to an existing home (keys create, pipeline run): one line, exit 1; done once space is back', async () => {
    const source = await smallFirstModelHome('loupe-full-disk-cli-');
    copies.push(source);
    await withFullDisk(16 * MB, async (disk) => {
      const home = join(disk.dir, 'home');
      cpSync(source, home, { recursive: true });
      // A connection kept open keeps the -shm file made while there was space (as a running server does); the log
      // is emptied, so the first write must grow it.
      const kept = new Database(join(home, 'loupe.db'));
      kept.pragma('journal_mode = WAL');
      truncateWal(join(home, 'loupe.db'));
      disk.fill();
      for (const args of [
        ['keys', 'create', '--name', 'ops', '--scope', 'valuations', '--home', home],
        ['pipeline', 'run', '--home', home, '--kinds', 'hedonic', '--trials', '1'],
      ]) {
        const r = await loupeInProcess(args, { LOUPE_DATA: smallReference(), LOG_LEVEL: 'silent' });
        expect(r.stderr, args.join(' ')).toMatch(ONE_LINE);
        expect(r.status).toBe(1);
      }
      disk.free();
      expect((await loupeInProcess(['keys', 'create', '--name', 'ops', '--home', home])).status).toBe(0);
      kept.close();
    });
  }, 60_000);

  it('opening a home whose database cannot grow (ingest into a new home, serve): one line, exit 1', async () => {
    const source = await smallFirstModelHome('loupe-full-disk-cli-');
    copies.push(source);
    await withFullDisk(16 * MB, async (disk) => {
      const home = join(disk.dir, 'home');
      cpSync(source, home, { recursive: true });
      disk.fill();
      const ingest = await loupeInProcess(['ingest', '--home', join(disk.dir, 'new'), smallFresh('2026-09')]);
      expect(ingest.stderr).toMatch(ONE_LINE);
      expect(ingest.status).toBe(1);
      const serve = await loupeInProcess(['serve', '--open', '--port', '0', '--home', home], {
        LOUPE_DATA: smallReference(),
        LOG_LEVEL: 'silent',
      });
      expect(serve.stderr).toMatch(ONE_LINE);
      expect(serve.status).toBe(1);
    });
  }, 60_000);

  it('--out on a full disk: one line naming the file, exit 1, no partial file', async () => {
    const source = await smallFirstModelHome('loupe-full-disk-cli-');
    copies.push(source);
    await withFullDisk(4 * MB, async (disk) => {
      const out = join(disk.dir, 'out');
      const model = join(source, 'models', 'v0001', 'model.json');
      mkdirSync(out);
      disk.fill(8192);
      for (const args of [
        ['predict', '--model', model, smallReference(), '--out', join(out, 'priced.csv')],
        ['features', smallReference(), '--out', join(out, 'features.csv')],
        ['train', '--data', smallReference(), '--kind', 'hedonic', '--out', join(out, 'model.json')],
      ]) {
        const r = await loupeInProcess(args);
        expect(r.stderr, args[0]).toMatch(ONE_LINE);
        expect(r.stderr, args[0]).toContain(args.at(-1));
        expect(r.status).toBe(1);
        expect(readdirSync(out)).toEqual([]);
      }
    });
  }, 120_000);
});
