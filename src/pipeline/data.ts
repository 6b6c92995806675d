/**
 * What trains and what evaluates, decided from the stored diamonds alone (so every run, and a run resumed after
 * a crash, draws exactly the same lines):
 *
 * - reference test rows: the rows of the reference file whose data-row numbers are in
 *   <reference>.reference-split.txt (the published 80/20 split). They never train.
 * - holdout rows: of every other ingested file, a fixed seeded 20 % of its accepted rows (chosen by a
 *   generator seeded with the file's SHA-256; a file of one or two rows, such as a stone recorded in the app,
 *   holds one out with probability 20 % per row). They never train; the holdout of the newest files is half of
 *   what challenger and champion are compared on.
 * - training rows: every other stored diamond, in id order. Their content hash names the training snapshot.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LoupePaths } from '../config/index.js';
import { readReferenceSplit } from '../ingest/index.js';
import { ConfigError } from './config.js';
import { checkReference } from './reference-record.js';
import { createRng, sampleWithoutReplacement, trainingDataHash } from '../model/index.js';
import type { Db } from '../store/db.js';
import type { AppraisalRow } from '../store/diamonds.js';
import type { FileRecord } from '../store/files.js';
import { asPipelineStore, type PipelineStore } from '../store/pipeline-store.js';
import type { Snapshot } from '../store/snapshots.js';

export type Row = AppraisalRow;
export type { Snapshot };

export const DEFAULT_HOLDOUT_FRACTION = 0.2;

/** diamonds.csv → diamonds.reference-split.txt beside it. */
export function referenceSplitPath(paths: LoupePaths): string {
  return join(
    dirname(paths.referenceData),
    `${basename(paths.referenceData).replace(/\.csv$/i, '')}.reference-split.txt`,
  );
}

export function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Reading a FIFO (or a device) named as the reference would wait forever: only a regular file is read. */
function mustBeAFile(path: string): void {
  const s = statSync(path);
  if (!s.isFile())
    throw Object.assign(new Error(`not a regular file`), { code: s.isDirectory() ? 'EISDIR' : 'not a regular file' });
}

const SET_DATA = "set LOUPE_DATA to the reference appraisals' CSV (serve and pipeline run also take --data)";

/** The reference file's SHA-256, or a ConfigError (a usage error) saying why it cannot be read. */
function referenceShaOf(paths: LoupePaths): string {
  try {
    mustBeAFile(paths.referenceData);
    return sha256OfFile(paths.referenceData);
  } catch (error) {
    throw new ConfigError(
      `the reference data ${paths.referenceData} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): it decides which stored rows are the frozen test rows; ${SET_DATA}`,
    );
  }
}

/**
 * The reference file's published split (its test rows' data-row numbers), or a ConfigError naming the file that
 * should sit beside it. Checked before the reference is first stored too (steps/ingest.ts), so a reference without
 * its split is refused before anything is written.
 */
export function readSplitOf(paths: LoupePaths): number[] {
  const path = referenceSplitPath(paths);
  try {
    mustBeAFile(path);
    return readReferenceSplit(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw new ConfigError((error as Error).message);
    throw new ConfigError(
      `the reference data's split ${path} cannot be read (${code}): the reference appraisals come with the file naming their frozen test rows, beside them; ${SET_DATA}`,
    );
  }
}

export interface DataPartition {
  /** The stored reference file, if it was ingested. */
  referenceFileId: number | undefined;
  files: FileRecord[];
  training: Row[];
  referenceTest: Row[];
  /** Holdout rows by file id (files other than the reference). */
  holdout: Map<number, Row[]>;
  /** Rows by file id (all accepted rows). */
  byFile: Map<number, Row[]>;
}

/** The holdout rows of one file, in data-row order: a fixed fraction, drawn by a generator seeded with its hash. */
export function holdoutOf(rows: readonly Row[], fileSha256: string, fraction: number): Row[] {
  const sorted = [...rows].sort((a, b) => a.dataRow - b.dataRow);
  const rng = createRng(Number.parseInt(fileSha256.slice(0, 8), 16));
  let take = Math.round(sorted.length * fraction);
  // A file too small for a whole row at this fraction (a stone recorded alone in the app is a file of one row)
  // holds one out with that probability instead, drawn from its own hash: otherwise stones recorded one at a time
  // would never be evaluated on. (Files of three rows or more are drawn as they always were.)
  if (take === 0 && sorted.length > 0 && rng.nextFloat() < sorted.length * fraction) take = 1;
  const chosen = sampleWithoutReplacement(rng, sorted.length, take);
  return Array.from(chosen, (i) => sorted[i]);
}

/** The partition of what the store holds now (a Db: its SQLite store). */
export async function partitionData(
  on: Db | PipelineStore,
  paths: LoupePaths,
  fraction = DEFAULT_HOLDOUT_FRACTION,
): Promise<DataPartition> {
  const store = asPipelineStore(on);
  return partitionRows(await store.listIngestedFiles(), await store.listAppraisalRows(), paths, fraction);
}

/**
 * Which stored file is the reference, and its frozen test rows (data-row numbers); a ConfigError (a usage error)
 * when that cannot be told for sure. It is read off the reference file itself. Were that file missing, the stored
 * reference would be taken for an ordinary file (a seeded holdout instead of the published split): its frozen test
 * rows would train, and a challenger would be scored on rows the champion had learned from. So a home with data
 * stops instead (the README: an unreadable LOUPE_DATA stops them, exit 2); and so it does when the file is readable
 * but not the reference this home stored (nor a copy of it), or has another split beside it (reference-record.ts).
 * Checked by the ingest step before it stores anything, and by every partition.
 */
export function referenceOf(
  files: readonly FileRecord[],
  paths: LoupePaths,
): { referenceFileId: number | undefined; testRows: Set<number> } {
  if (files.length === 0) return { referenceFileId: undefined, testRows: new Set() };
  const referenceSha = referenceShaOf(paths);
  const referenceFileId = files.find((f) => f.sha256 === referenceSha)?.id;
  const testRows = referenceFileId === undefined ? new Set<number>() : new Set(readSplitOf(paths));
  const split = referenceSplitPath(paths);
  checkReference(
    paths.home,
    new Set(files.map((f) => f.sha256)),
    { path: paths.referenceData, sha256: referenceSha },
    () => ({ path: split, sha256: sha256OfFile(split) }),
  );
  return { referenceFileId, testRows };
}

/** The partition of these files and rows (every stored stone, in id order). */
export function partitionRows(
  files: FileRecord[],
  rows: Row[],
  paths: LoupePaths,
  fraction = DEFAULT_HOLDOUT_FRACTION,
): DataPartition {
  const { referenceFileId, testRows } = referenceOf(files, paths);
  const byFile = new Map<number, Row[]>();
  for (const r of rows) {
    const list = byFile.get(r.fileId);
    if (list) list.push(r);
    else byFile.set(r.fileId, [r]);
  }
  const excluded = new Set<number>();
  const referenceTest: Row[] = [];
  const holdout = new Map<number, Row[]>();
  for (const f of files) {
    const fileRows = byFile.get(f.id) ?? [];
    if (f.id === referenceFileId) {
      for (const r of fileRows) {
        if (testRows.has(r.dataRow)) {
          referenceTest.push(r);
          excluded.add(r.id);
        }
      }
    } else {
      const held = holdoutOf(fileRows, f.sha256, fraction);
      holdout.set(f.id, held);
      for (const r of held) excluded.add(r.id);
    }
  }
  const training = rows.filter((r) => !excluded.has(r.id));
  return { referenceFileId, files, training, referenceTest, holdout, byFile };
}

/** Records the training rows under their content hash (idempotent); a model names the snapshot it learned from. */
export async function saveSnapshot(store: PipelineStore, training: readonly Row[]): Promise<Snapshot> {
  if (training.length === 0) throw new Error('there are no training rows: ingest appraisals first');
  const sha256 = trainingDataHash(training);
  const maxFileId = training.reduce((m, r) => Math.max(m, r.fileId), 0);
  await store.insertSnapshot(
    { sha256, rows: training.length, maxFileId, createdAt: new Date().toISOString() },
    training.map((r) => r.id),
  );
  return (await store.getSnapshot(sha256))!;
}

/** The exact rows of a snapshot, re-read from the store and checked against its hash. */
export async function snapshotRows(store: PipelineStore, sha256: string): Promise<Row[]> {
  const ids = await store.snapshotDiamondIds(sha256);
  if (!ids) throw new Error(`no training snapshot ${sha256.slice(0, 12)}…`);
  const byId = new Map((await store.listAppraisalRows()).map((r) => [r.id, r]));
  const rows = ids.map((id) => {
    const r = byId.get(id);
    if (!r) throw new Error(`training snapshot ${sha256.slice(0, 12)}… names diamond ${id}, which is no longer stored`);
    return r;
  });
  if (trainingDataHash(rows) !== sha256)
    throw new Error(`training snapshot ${sha256.slice(0, 12)}…: the stored rows no longer hash to it`);
  return rows;
}
