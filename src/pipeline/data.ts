/**
 * What trains and what evaluates, decided from the stored diamonds alone (so every run, and a run resumed after
 * a crash, draws exactly the same lines):
 *
 * - reference test rows: the rows of the reference file whose data-row numbers are in
 *   <reference>.reference-split.txt (the published 80/20 split). They never train.
 * - holdout rows: of every other ingested file, a fixed seeded 20 % of its accepted rows (chosen by a
 *   generator seeded with the file's SHA-256). They never train; the holdout of the newest files is half of
 *   what challenger and champion are compared on.
 * - training rows: every other stored diamond, in id order. Their content hash names the training snapshot.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LoupePaths } from '../config/index.js';
import type { Appraisal } from '../diamond/index.js';
import { readReferenceSplit } from '../ingest/index.js';
import { createRng, sampleWithoutReplacement, trainingDataHash } from '../model/index.js';
import type { Db } from '../store/db.js';
import { APPRAISAL_COLUMNS_SQL } from '../store/ingestion-schema.js';

export type Row = Appraisal & { id: number; fileId: number; dataRow: number };

export const DEFAULT_HOLDOUT_FRACTION = 0.2;

/** diamonds.csv → diamonds.reference-split.txt beside it. */
export function referenceSplitPath(paths: LoupePaths): string {
  return join(dirname(paths.referenceData), `${basename(paths.referenceData).replace(/\.csv$/i, '')}.reference-split.txt`);
}

export function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export interface StoredFile {
  id: number;
  name: string;
  sha256: string;
  accepted: number;
  finishedAt: string;
}

export interface DataPartition {
  /** The stored reference file, if it was ingested. */
  referenceFileId: number | undefined;
  files: StoredFile[];
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
  const take = Math.round(sorted.length * fraction);
  const chosen = sampleWithoutReplacement(createRng(Number.parseInt(fileSha256.slice(0, 8), 16)), sorted.length, take);
  return Array.from(chosen, (i) => sorted[i]);
}

export function listStoredFiles(db: Db): StoredFile[] {
  return db
    .prepare("SELECT id, name, sha256, accepted, finished_at AS finishedAt FROM files WHERE status = 'ingested' ORDER BY id")
    .all() as StoredFile[];
}

export function loadRows(db: Db): Row[] {
  return db
    .prepare(`SELECT id, file_id AS fileId, data_row AS dataRow, ${APPRAISAL_COLUMNS_SQL} FROM diamonds ORDER BY id`)
    .all() as Row[];
}

export function partitionData(db: Db, paths: LoupePaths, fraction = DEFAULT_HOLDOUT_FRACTION): DataPartition {
  const files = listStoredFiles(db);
  let referenceSha: string | undefined;
  try {
    referenceSha = sha256OfFile(paths.referenceData);
  } catch {
    referenceSha = undefined;
  }
  const referenceFileId = files.find((f) => f.sha256 === referenceSha)?.id;
  const testRows = referenceFileId === undefined ? new Set<number>() : new Set(readReferenceSplit(referenceSplitPath(paths)));
  const rows = loadRows(db);
  const byFile = new Map<number, Row[]>();
  for (const r of rows) {
    let list = byFile.get(r.fileId);
    if (!list) byFile.set(r.fileId, (list = []));
    list.push(r);
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

export interface Snapshot {
  sha256: string;
  rows: number;
  maxFileId: number;
  createdAt: string;
}

/** Records the training rows under their content hash (idempotent); a model names the snapshot it learned from. */
export function saveSnapshot(db: Db, training: readonly Row[]): Snapshot {
  if (training.length === 0) throw new Error('there are no training rows: ingest appraisals first');
  const sha256 = trainingDataHash(training);
  const maxFileId = training.reduce((m, r) => Math.max(m, r.fileId), 0);
  const createdAt = new Date().toISOString();
  db.prepare(
    'INSERT INTO training_snapshots (sha256, rows, diamond_ids, max_file_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  ).run(sha256, training.length, JSON.stringify(training.map((r) => r.id)), maxFileId, createdAt);
  return getSnapshot(db, sha256)!;
}

export function getSnapshot(db: Db, sha256: string): Snapshot | undefined {
  return db
    .prepare('SELECT sha256, rows, max_file_id AS maxFileId, created_at AS createdAt FROM training_snapshots WHERE sha256 = ?')
    .get(sha256) as Snapshot | undefined;
}

/** The exact rows of a snapshot, re-read from the store and checked against its hash. */
export function snapshotRows(db: Db, sha256: string): Row[] {
  const rec = db.prepare('SELECT diamond_ids FROM training_snapshots WHERE sha256 = ?').get(sha256) as { diamond_ids: string } | undefined;
  if (!rec) throw new Error(`no training snapshot ${sha256.slice(0, 12)}…`);
  const ids = JSON.parse(rec.diamond_ids) as number[];
  const byId = new Map(loadRows(db).map((r) => [r.id, r]));
  const rows = ids.map((id) => {
    const r = byId.get(id);
    if (!r) throw new Error(`training snapshot ${sha256.slice(0, 12)}… names diamond ${id}, which is no longer stored`);
    return r;
  });
  if (trainingDataHash(rows) !== sha256) throw new Error(`training snapshot ${sha256.slice(0, 12)}…: the stored rows no longer hash to it`);
  return rows;
}
