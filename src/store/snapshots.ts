/**
 * The training_snapshots table (migration 11): the training rows of a pipeline run, named by the SHA-256 of their
 * content and kept as the list of their diamond ids, so a model's training data can be read back exactly.
 */
import type { Db } from './db.js';

export interface Snapshot {
  sha256: string;
  rows: number;
  /** The newest file with rows in the snapshot: files after it are new data for the next run. */
  maxFileId: number;
  createdAt: string;
}

/** Records a snapshot; one already recorded under this hash is kept as it is. */
export function insertSnapshot(db: Db, snapshot: Snapshot, diamondIds: readonly number[]): void {
  db.prepare(
    'INSERT INTO training_snapshots (sha256, rows, diamond_ids, max_file_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  ).run(snapshot.sha256, snapshot.rows, JSON.stringify(diamondIds), snapshot.maxFileId, snapshot.createdAt);
}

export function getSnapshot(db: Db, sha256: string): Snapshot | undefined {
  return db
    .prepare(
      'SELECT sha256, rows, max_file_id AS maxFileId, created_at AS createdAt FROM training_snapshots WHERE sha256 = ?',
    )
    .get(sha256) as Snapshot | undefined;
}

/** The ids of the diamonds a snapshot holds, in its order; undefined when there is no such snapshot. */
export function snapshotDiamondIds(db: Db, sha256: string): number[] | undefined {
  const row = db.prepare('SELECT diamond_ids FROM training_snapshots WHERE sha256 = ?').get(sha256) as
    | { diamond_ids: string }
    | undefined;
  return row && (JSON.parse(row.diamond_ids) as number[]);
}
