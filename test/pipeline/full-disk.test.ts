/**
 * The pipeline on a filesystem that is really full (a tmpfs, test/helpers/full-disk.ts): the disk fills once the run
 * holds its lock, so that recording the failure and freeing the lock fail too. The error the run ends with is the
 * one that stopped it, and the lock is not left to this process (a `--watch` or `--schedule` process runs the next
 * trigger in the same process, whose PID is alive): once space is back, the next run works at once.
 */
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, runPipeline } from '../../src/pipeline/index.js';
import { checkReference } from '../../src/pipeline/reference-record.js';
import { fullDiskSkip, withFullDisk } from '../helpers/full-disk.js';
import { smallFirstModelHome } from '../helpers/prepared-home.js';
import { smallFresh, smallReference } from '../helpers/small-data.js';
import { ONE_TRIAL, pipelineHome } from './helpers.js';

/** The copies of the prepared home each test starts from: removed after the file. */
const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe('the pipeline on a full disk', () => {
  it.skipIf(fullDiskSkip !== undefined)(
    'ends with the error that stopped it, leaves no lock behind, and runs once space is back',
    async () => {
      const source = await smallFirstModelHome('loupe-full-disk-pipeline-');
      copies.push(source);
      await withFullDisk(16 * 1024 * 1024, async (disk) => {
        const dir = join(disk.dir, 'home');
        cpSync(source, dir, { recursive: true });
        const home = pipelineHome('', { data: smallReference(), from: dir });
        try {
          home.feed(smallFresh('2026-09'));
          const options = { incoming: home.incoming, config: ONE_TRIAL };
          const failed = runPipeline(home.db, home.paths, {
            ...options,
            checkpoint(point) {
              if (point !== 'ingest') return;
              // The log emptied and truncated: every write from here on must grow a file, and cannot.
              home.db.pragma('wal_checkpoint(TRUNCATE)');
              disk.fill();
            },
          });
          await expect(failed).rejects.toMatchObject({
            name: 'StoreFullError',
            message: expect.stringMatching(/^the disk is full: 2026-09\.csv could not be stored/),
          });
          disk.free();

          acquireLock(home.db, 'pipeline run').release();
          const result = await runPipeline(home.db, home.paths, options);
          expect(result.files).toMatchObject([{ file: '2026-09.csv', status: 'ingested' }]);
          expect(result.trained).toHaveLength(1);
          expect(existsSync(join(home.incoming, 'done', '2026-09.csv'))).toBe(true);
        } finally {
          home.db.close();
        }
      });
    },
    120_000,
  );

  it.skipIf(fullDiskSkip !== undefined)(
    "recording the home's reference on a full disk leaves no partial file; it is recorded once space is back",
    async () => {
      await withFullDisk(1024 * 1024, async (disk) => {
        const fingerprint = (name: string) => ({ path: `/data/${name}`, sha256: name.repeat(64).slice(0, 64) });
        const check = () =>
          checkReference(disk.dir, new Set([fingerprint('a').sha256]), fingerprint('a'), () => fingerprint('b'));
        disk.fill();
        expect(check).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
        expect(readdirSync(disk.dir).filter((f) => f !== '.filler')).toEqual([]);
        disk.free();
        check();
        expect(readdirSync(disk.dir)).toEqual(['reference.json']);
      });
    },
  );
});
