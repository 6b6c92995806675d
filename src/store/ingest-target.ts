/**
 * Where ingestion stores a file: one interface, written by the ingestion a batch of rows at a time, with SQLite's
 * implementation here and PostgreSQL's in postgres/ingest.ts. A file is one transaction that holds the database's
 * write lock from begin() to commit() or rollback(), so the duplicate check sees every row stored before it and no
 * other ingestion stores an equal row in between; the file is stored whole or not at all.
 */
import type { Appraisal, Problem } from '../diamond/index.js';
import { insertSubmission, resolveReject, type Submission } from './appraisals.js';
import { beginWrite, setCacheSize, type Db } from './db.js';
import { bulkDiamondWriter, diamondWriter, maxDiamondId, type BulkDuplicate, type Original } from './diamonds.js';
import { findFileBySha256, finishFile, insertFile, type FileCounts, type FileRecord, type FileStart } from './files.js';
import { rejectWriter } from './rejects.js';

/** A row that passed validation, to be stored unless it repeats a stored diamond. */
export interface AcceptedRow {
  appraisal: Appraisal;
  line: number;
  dataRow: number;
  /** The extra columns as JSON, or null. */
  extra: string | null;
  rawText: string;
  normalised: boolean;
}

export interface RejectedRow {
  line: number;
  dataRow: number;
  rawText: string;
  problems: Problem[];
}

/** A submission recorded in the app; `fixes` names the rejected row it corrects (marked fixed in the same transaction). */
export type SubmissionRecord = Submission & { fixes?: number };

/** One file's writes, all inside its transaction. */
export interface FileWrites {
  /** The file stored under this SHA-256, seen inside the transaction (another process may have stored it meanwhile). */
  findFileBySha256(sha256: string): Promise<FileRecord | undefined>;
  /** Records the file (and, for a submission, who sent it); its id is what its diamonds and rejects point to. */
  insertFile(file: FileStart, submission?: SubmissionRecord): Promise<number>;
  /**
   * Stores a batch of accepted rows in file order; for each row, the diamond it repeats (the row is then not stored)
   * or undefined. In a bulk load repeats are found only by takeOutRepeats, and every entry is undefined.
   */
  insertDiamonds(fileId: number, fileName: string, rows: readonly AcceptedRow[]): Promise<(Original | undefined)[]>;
  insertRejects(fileId: number, rows: readonly RejectedRow[]): Promise<void>;
  /** For a bulk load, once every row is in: takes out each row that repeats an earlier one, reporting it in file order. */
  takeOutRepeats(onRepeat: (d: BulkDuplicate) => void): Promise<void>;
  finishFile(fileId: number, counts: FileCounts, finishedAt: string): Promise<void>;
  commit(): Promise<void>;
  /** Ends the transaction with nothing stored (safe to call after a failed commit). */
  rollback(): Promise<void>;
}

export interface IngestTarget {
  findFileBySha256(sha256: string): Promise<FileRecord | undefined>;
  /** Opens a file's transaction, waiting for the write lock; `expectedRows` (about) says whether it is a bulk load. */
  begin(expectedRows: number): Promise<FileWrites>;
}

/** SQLite's cache_size in KiB while a file's rows go in: the duplicate index takes random inserts (2 MiB missed). */
const INGEST_CACHE_SIZE = -16_384;

/**
 * SQLite's cache_size in KiB for a bulk load: it appends rows and builds its indexes by sorting, so it needs few
 * pages at a time. Measured at a million rows: peak RSS 149–157 MB against 175–213 MB with 16 MiB, and no slower.
 */
const BULK_CACHE_SIZE = -4_096;

/**
 * Ingestion into an SQLite connection. The transaction is BEGIN IMMEDIATE held across the awaits of reading the
 * file: nothing else may use this connection until it ends (other connections and processes are unaffected).
 * A file that adds more rows than are stored is a bulk load (see bulkDiamondWriter): its rows go in with no
 * secondary index to keep up but the file's, and its repeats are found once they are all in.
 */
export function sqliteIngestTarget(db: Db): IngestTarget {
  return {
    findFileBySha256: async (sha256) => findFileBySha256(db, sha256),
    async begin(expectedRows) {
      const cacheSize = setCacheSize(db, INGEST_CACHE_SIZE);
      let transaction: ReturnType<typeof beginWrite>;
      try {
        transaction = beginWrite(db);
      } catch (error) {
        setCacheSize(db, cacheSize);
        throw error;
      }
      const isBulk = expectedRows > maxDiamondId(db);
      // Made at the first rows, after the caller's check that the file is new: a bulk writer drops indexes.
      let bulk: ReturnType<typeof bulkDiamondWriter> | undefined;
      let single: ReturnType<typeof diamondWriter> | undefined;
      const rejects = rejectWriter(db);
      const end = (how: 'commit' | 'rollback') => {
        try {
          transaction[how]();
        } finally {
          setCacheSize(db, cacheSize);
        }
      };
      return {
        findFileBySha256: async (sha256) => findFileBySha256(db, sha256),
        async insertFile(file, submission) {
          const id = insertFile(db, file);
          if (submission) {
            insertSubmission(db, id, submission);
            if (submission.fixes !== undefined)
              resolveReject(db, {
                rejectId: submission.fixes,
                resolution: 'fixed',
                fixedByFileId: id,
                resolvedBy: submission.recordedBy,
                resolvedAt: submission.recordedAt,
              });
          }
          return id;
        },
        async insertDiamonds(fileId, _fileName, rows) {
          if (isBulk) {
            if (!bulk) {
              setCacheSize(db, BULK_CACHE_SIZE);
              bulk = bulkDiamondWriter(db);
            }
            for (const r of rows) bulk.insert(r.appraisal, fileId, r.line, r.dataRow, r.extra, r.rawText, r.normalised);
            return new Array(rows.length).fill(undefined);
          }
          single ??= diamondWriter(db);
          return rows.map((r) => {
            const stored = single!.insert(r.appraisal, fileId, r.line, r.dataRow, r.extra);
            return 'duplicateOf' in stored ? stored.duplicateOf : undefined;
          });
        },
        async insertRejects(fileId, rows) {
          for (const r of rows) rejects.insert(fileId, r.line, r.dataRow, r.rawText, r.problems);
        },
        async takeOutRepeats(onRepeat) {
          bulk?.finish(onRepeat);
        },
        finishFile: async (fileId, counts, finishedAt) => finishFile(db, fileId, counts, finishedAt),
        commit: async () => end('commit'),
        rollback: async () => end('rollback'),
      };
    },
  };
}
