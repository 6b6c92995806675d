/**
 * Which stored rows are the frozen reference test rows is read off the reference file (LOUPE_DATA or --data) and
 * the split file beside it. When either cannot be read, the pipeline and `loupe train` stop with a usage error
 * instead of treating the stored reference as an ordinary file (whose seeded holdout would let the frozen test rows
 * train, and score a challenger on rows the champion learned from); a reference without its split is refused
 * before anything is stored.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { ingestInto } from '../../src/ingest/index.js';
import { ConfigError } from '../../src/pipeline/config.js';
import { partitionData, referenceSplitPath } from '../../src/pipeline/data.js';
import { runPipeline } from '../../src/pipeline/index.js';
import { countFiles } from '../../src/store/files.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import { smallFresh, smallReference } from '../helpers/small-data.js';
import { ONE_TRIAL, pipelineHome } from './helpers.js';

const homes: { cleanup(): void }[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const h of homes) h.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of the small reference file alone in a folder of its own: no split file beside it. */
function referenceWithoutSplit(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-no-split-'));
  dirs.push(dir);
  const copy = join(dir, basename(smallReference()));
  copyFileSync(smallReference(), copy);
  return copy;
}

/** A reference file of these bytes with this split beside it, in a folder of its own. */
function referenceOf(csv: string, split: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-other-reference-'));
  dirs.push(dir);
  const file = join(dir, 'diamonds.csv');
  writeFileSync(file, csv);
  writeFileSync(join(dir, 'diamonds.reference-split.txt'), split);
  return file;
}

describe('the reference data decides the frozen test rows', () => {
  it('with the reference stored, an unreadable reference file or split stops the partition with a usage error', async () => {
    const h = pipelineHome('loupe-reference-', { data: smallReference() });
    homes.push(h);
    const stored = await ingestInto(sqliteStore(h.db).ingestion(), smallReference());
    expect(stored.status).toBe('ingested');

    const right = await partitionData(h.db, h.paths);
    expect(right.referenceFileId).toBeDefined();
    expect(right.referenceTest.length).toBeGreaterThan(0);

    const missing = loupePaths({}, { home: h.dir, data: join(h.dir, 'nowhere', 'diamonds.csv') });
    const gone = partitionData(h.db, missing);
    await expect(gone).rejects.toBeInstanceOf(ConfigError);
    await expect(gone).rejects.toThrow(
      /reference data .*nowhere.*cannot be read \(ENOENT\).*frozen test rows.*LOUPE_DATA/,
    );

    const noSplit = loupePaths({}, { home: h.dir, data: referenceWithoutSplit() });
    const split = partitionData(h.db, noSplit);
    await expect(split).rejects.toBeInstanceOf(ConfigError);
    await expect(split).rejects.toThrow(/split .*reference-split\.txt cannot be read \(ENOENT\)/);
  });

  it('a FIFO or a folder named as the reference is refused, not read (a FIFO would wait forever)', async () => {
    const h = pipelineHome('loupe-reference-fifo-', { data: smallReference() });
    homes.push(h);
    await ingestInto(sqliteStore(h.db).ingestion(), smallReference());
    const fifo = join(h.dir, 'fifo.csv');
    execFileSync('mkfifo', [fifo]);
    for (const data of [fifo, h.dir]) {
      const part = partitionData(h.db, loupePaths({}, { home: h.dir, data }));
      await expect(part).rejects.toBeInstanceOf(ConfigError);
      await expect(part).rejects.toThrow(/cannot be read \((not a regular file|EISDIR)\)/);
    }
  });

  it('an empty home needs no reference file to partition (nothing is stored)', async () => {
    const h = pipelineHome('loupe-reference-empty-', { data: join(tmpdir(), 'no-such-dir', 'diamonds.csv') });
    homes.push(h);
    const part = await partitionData(h.db, h.paths);
    expect(part.training).toEqual([]);
  });

  it('a first run whose reference has no split beside it stores nothing and says so', async () => {
    const h = pipelineHome('loupe-reference-first-', { data: referenceWithoutSplit() });
    homes.push(h);
    const run = runPipeline(h.db, h.paths, { incoming: h.incoming, config: ONE_TRIAL });
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(/reference-split\.txt cannot be read/);
    expect(countFiles(h.db)).toBe(0);
  });

  it('a home records its reference and split; another one later is a usage error naming both, a copy is the same', async () => {
    const h = pipelineHome('loupe-reference-record-', { data: smallReference() });
    homes.push(h);
    await ingestInto(sqliteStore(h.db).ingestion(), smallReference());
    const right = await partitionData(h.db, h.paths);
    const record = join(h.dir, 'reference.json');
    expect(existsSync(record)).toBe(true);
    const csv = readFileSync(smallReference(), 'utf8');
    const split = readFileSync(referenceSplitPath(h.paths), 'utf8');
    const at = (data: string) => loupePaths({}, { home: h.dir, data });

    // the same bytes read from another path, with the same split: the same reference, the same frozen rows
    const copy = await partitionData(h.db, at(referenceOf(csv, split)));
    expect(copy.referenceFileId).toBe(right.referenceFileId);
    expect(copy.referenceTest.map((r) => r.id)).toEqual(right.referenceTest.map((r) => r.id));

    // another reference (its first 1,000 rows), with a split of its own beside it: readable, but not this home's
    const other = referenceOf(`${csv.split('\n').slice(0, 1001).join('\n')}\n`, split);
    const moved = partitionData(h.db, at(other));
    await expect(moved).rejects.toBeInstanceOf(ConfigError);
    await expect(moved).rejects.toThrow(`the reference data ${other} (sha256 `);
    await expect(moved).rejects.toThrow(
      new RegExp(
        `is not the reference this home stored, ${smallReference()} \\(sha256 [0-9a-f]{12}…, recorded in ${record}\\)`,
      ),
    );

    // a run pointed at it stops before it stores the new files of the landing folder
    const landed = h.feed(smallFresh('2026-09'));
    const run = runPipeline(h.db, at(other), { incoming: h.incoming, config: ONE_TRIAL });
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(/is not the reference this home stored/);
    expect(countFiles(h.db)).toBe(1);
    expect(existsSync(landed)).toBe(true);

    // the same reference with another split: its frozen rows would move
    const otherSplit = referenceOf(csv, split.split('\n').slice(0, -10).join('\n'));
    const resplit = partitionData(h.db, at(otherSplit));
    await expect(resplit).rejects.toBeInstanceOf(ConfigError);
    await expect(resplit).rejects.toThrow(
      new RegExp(
        `split ${referenceSplitPath(at(otherSplit))} \\(sha256 [0-9a-f]{12}…\\) is not the one this home stored its reference with, ${referenceSplitPath(h.paths)}`,
      ),
    );
  });
});
