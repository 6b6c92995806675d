/**
 * The files table: one row per ingested file, known by the SHA-256 of its bytes, with its row counts.
 * A file's row is written in the same transaction as its diamonds and rejects, so it exists only when they all do.
 */
import type { Db } from './db.js';

export interface FileRecord {
  id: number;
  name: string;
  path: string;
  sha256: string;
  bytes: number;
  /** The header line as it stood in the file. */
  header: string;
  rowsRead: number;
  accepted: number;
  rejected: number;
  normalised: number;
  /** Rejected rows by their primary reason code. */
  byReason: Record<string, number>;
  startedAt: string;
  finishedAt: string | null;
  status: 'ingesting' | 'ingested';
}

export interface FileRow {
  id: number;
  name: string;
  path: string;
  sha256: string;
  bytes: number;
  header: string;
  rows_read: number;
  accepted: number;
  rejected: number;
  normalised: number;
  by_reason: string;
  started_at: string;
  finished_at: string | null;
  status: 'ingesting' | 'ingested';
}

/** A files row as a record (both databases store the same columns). */
export function toRecord(r: FileRow): FileRecord {
  return {
    id: r.id,
    name: r.name,
    path: r.path,
    sha256: r.sha256,
    bytes: r.bytes,
    header: r.header,
    rowsRead: r.rows_read,
    accepted: r.accepted,
    rejected: r.rejected,
    normalised: r.normalised,
    byReason: JSON.parse(r.by_reason) as Record<string, number>,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
  };
}

export function listFiles(db: Db): FileRecord[] {
  return (db.prepare('SELECT * FROM files ORDER BY id').all() as FileRow[]).map(toRecord);
}

export function findFileBySha256(db: Db, sha256: string): FileRecord | undefined {
  const row = db.prepare('SELECT * FROM files WHERE sha256 = ?').get(sha256) as FileRow | undefined;
  return row && toRecord(row);
}

/** Files whose rows are all stored (their transaction committed), oldest first. */
export function listIngestedFiles(db: Db): FileRecord[] {
  return (db.prepare("SELECT * FROM files WHERE status = 'ingested' ORDER BY id").all() as FileRow[]).map(toRecord);
}

export function countFiles(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n;
}

/** Files whose name (or path as given) is `name`, oldest first. */
export function findFilesByName(db: Db, name: string): FileRecord[] {
  return (db.prepare('SELECT * FROM files WHERE name = ? OR path = ? ORDER BY id').all(name, name) as FileRow[]).map(
    toRecord,
  );
}

export interface FileStart {
  name: string;
  path: string;
  sha256: string;
  bytes: number;
  header: string;
  startedAt: string;
}

/** Records a file whose rows are being stored; its id is what diamonds and rejects point to. */
export function insertFile(db: Db, f: FileStart): number {
  const info = db
    .prepare(
      `INSERT INTO files (name, path, sha256, bytes, header, started_at, status) VALUES (?, ?, ?, ?, ?, ?, 'ingesting')`,
    )
    .run(f.name, f.path, f.sha256, f.bytes, f.header, f.startedAt);
  return Number(info.lastInsertRowid);
}

export interface FileCounts {
  rowsRead: number;
  accepted: number;
  rejected: number;
  normalised: number;
  byReason: Record<string, number>;
}

export function finishFile(db: Db, id: number, counts: FileCounts, finishedAt: string): void {
  db.prepare(
    `UPDATE files SET rows_read = ?, accepted = ?, rejected = ?, normalised = ?, by_reason = ?,
       finished_at = ?, status = 'ingested' WHERE id = ?`,
  ).run(
    counts.rowsRead,
    counts.accepted,
    counts.rejected,
    counts.normalised,
    JSON.stringify(counts.byReason),
    finishedAt,
    id,
  );
}
