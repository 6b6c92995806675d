/**
 * Ingesting one file into the store: stream it, validate every row, store each as a diamond or a reject,
 * all in one transaction, so the database either holds the whole file or nothing of it (a crash included).
 *
 * better-sqlite3 is synchronous and its transactions cannot span an await, so the transaction is opened with
 * the store's beginWrite (BEGIN IMMEDIATE: the write lock at once) before the first read and ended by its commit
 * or rollback. Between reads the connection is inside that transaction: nothing else may use this connection
 * while ingestFile runs (other connections and processes are unaffected; they see the file only once committed).
 */
import { basename, resolve } from 'node:path';
import type { Problem } from '../diamond/index.js';
import { beginWrite, setCacheSize, type Db } from '../store/db.js';
import { bulkDiamondWriter, diamondWriter, maxDiamondId } from '../store/diamonds.js';
import { findFileBySha256, finishFile, insertFile } from '../store/files.js';
import { rejectWriter } from '../store/rejects.js';
import { insertSubmission, resolveReject, type Submission } from '../store/appraisals.js';
import { IngestFileError, isStoreFull, StoreFullError } from './errors.js';
import { openRowStream, type RowStream } from './rows.js';
import { hashFile } from './source.js';

export interface IngestSummary {
  file: string;
  sha256: string;
  status: 'ingested' | 'already_ingested' | 'failed';
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Rejected rows by their primary (first) reason; the counts add up to `rejected`. */
  byReason: Record<string, number>;
  /** Accepted rows whose grades were normalised (letter case, spaces). */
  normalised: number;
  /** Why a file failed or added nothing (without the file name, which is in `file`). */
  message?: string;
  /** The stored file's id, for a submission (see IngestOptions) stored now. */
  fileId?: number;
}

export interface IngestOptions {
  /** Called after each chunk of the file has been stored. */
  onProgress?(bytesRead: number, totalBytes: number): void;
  /** What the file is recorded as (default: its path, resolved), e.g. for a file received rather than read from disk. */
  storedPath?: string;
  /**
   * The file is a submission recorded in the app: who sent it and when is stored with it, in its transaction; when
   * it resubmits a corrected rejected row (`fixes`), that row is marked fixed by it in the same transaction.
   */
  submission?: Submission & { fixes?: number };
}

const day = (iso: string): string => `${iso.replace('T', ' ').slice(0, 16)} UTC`;

function duplicateProblem(original: { fileId: number; fileName: string; line: number }, fileId: number): Problem {
  const where =
    original.fileId === fileId ? `line ${original.line} of this file` : `line ${original.line} of ${original.fileName}`;
  return {
    field: 'row',
    code: 'duplicate',
    message: `Duplicate of ${where}: all ten fields are equal (after normalising grades), so this diamond is already stored.`,
    allowed: 'each appraisal once',
  };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function emptySummary(file: string, sha256: string, status: IngestSummary['status'], message?: string): IngestSummary {
  return {
    file,
    sha256,
    status,
    rowsRead: 0,
    accepted: 0,
    rejected: 0,
    byReason: {},
    normalised: 0,
    ...(message ? { message } : {}),
  };
}

/** Ingests one file; a whole-file failure is returned as status 'failed' with a message, having changed nothing. */
export async function ingestFile(db: Db, path: string, options: IngestOptions = {}): Promise<IngestSummary> {
  const name = basename(path);
  let sha256 = '';
  try {
    // Hash first (fast, no parsing) so that a file seen before is recognised without reading it twice over.
    sha256 = await hashFile(path);
    const known = findFileBySha256(db, sha256);
    if (known) return alreadyIngested(name, sha256, known);
    return await storeFile(db, path, sha256, options);
  } catch (err) {
    if (err instanceof IngestFileError) return emptySummary(name, sha256, 'failed', err.reason);
    if (isStoreFull(err)) throw new StoreFullError(name);
    throw err;
  }
}

function alreadyIngested(
  name: string,
  sha256: string,
  known: { name: string; finishedAt: string | null; id: number },
): IngestSummary {
  const as = known.name === name ? '' : ` as ${known.name}`;
  return emptySummary(
    name,
    sha256,
    'already_ingested',
    `already ingested on ${day(known.finishedAt ?? '')}${as} (file #${known.id}); nothing added`,
  );
}

async function storeFile(db: Db, path: string, sha256: string, options: IngestOptions): Promise<IngestSummary> {
  const stream = await openRowStream(path);
  // A larger page cache while the file's rows go in (16 MiB, restored after): the duplicate index takes random
  // inserts, and with SQLite's default 2 MiB most of them missed the cache. (A bulk load sets a smaller one.)
  const cacheSize = setCacheSize(db, INGEST_CACHE_SIZE);
  try {
    return await storeRows(db, stream, options.storedPath ?? resolve(path), sha256, options);
  } finally {
    setCacheSize(db, cacheSize);
  }
}

/** Bytes of a typical row (the reference file's and the benchmark's average 42–45): file size / this ≈ rows. */
const TYPICAL_ROW_BYTES = 40;

/** SQLite's cache_size in KiB when negative. */
const INGEST_CACHE_SIZE = -16_384;

/**
 * SQLite's cache_size in KiB for a bulk load: it appends rows and builds its indexes by sorting, so it needs few
 * pages at a time. Measured at a million rows: peak RSS 149–157 MB against 175–213 MB with 16 MiB, and no slower.
 */
const BULK_CACHE_SIZE = -4_096;

function recordSubmission(db: Db, fileId: number, s: NonNullable<IngestOptions['submission']>): void {
  insertSubmission(db, fileId, s);
  if (s.fixes !== undefined)
    resolveReject(db, {
      rejectId: s.fixes,
      resolution: 'fixed',
      fixedByFileId: fileId,
      resolvedBy: s.recordedBy,
      resolvedAt: s.recordedAt,
    });
}

async function storeRows(
  db: Db,
  stream: RowStream,
  fullPath: string,
  sha256: string,
  options: IngestOptions,
): Promise<IngestSummary> {
  const summary = emptySummary(stream.name, sha256, 'ingested');
  const transaction = beginWrite(db);
  let open = true;
  try {
    // Another process may have stored the same file while this one waited for the write lock.
    const known = findFileBySha256(db, sha256);
    if (known) {
      transaction.rollback();
      open = false;
      return alreadyIngested(stream.name, sha256, known);
    }
    // A file that adds more rows than are stored is a bulk load: its rows go in with no secondary index to keep up
    // but the file's, and its duplicates are found once they are all in (see bulkDiamondWriter); the indexes are
    // built again inside this transaction. A smaller file looks each row up as it goes.
    const bulk = stream.bytes / TYPICAL_ROW_BYTES > maxDiamondId(db) ? bulkDiamondWriter(db) : undefined;
    if (bulk) setCacheSize(db, BULK_CACHE_SIZE);
    const diamonds = bulk ? undefined : diamondWriter(db);
    const rejects = rejectWriter(db);
    // The data row each reason first occurred on, so that byReason lists reasons in file order in either case.
    const firstSeen = new Map<string, number>();
    const count = (code: string, dataRow: number) => {
      summary.rejected += 1;
      summary.byReason[code] = (summary.byReason[code] ?? 0) + 1;
      if (!firstSeen.has(code)) firstSeen.set(code, dataRow);
    };
    let fileId = 0;
    for await (const batch of stream.batches) {
      if (fileId === 0) {
        fileId = insertFile(db, {
          name: stream.name,
          path: fullPath,
          sha256,
          bytes: stream.bytes,
          header: stream.header(),
          startedAt: new Date().toISOString(),
        });
        if (options.submission) recordSubmission(db, fileId, options.submission);
      }
      for (const row of batch.rows) {
        summary.rowsRead += 1;
        let problems: Problem[] | undefined;
        if (row.result.ok) {
          const extra = hasKeys(row.extra) ? JSON.stringify(row.extra) : null;
          const normalised = row.result.normalised.length > 0;
          if (bulk) bulk.insert(row.result.value, fileId, row.line, row.dataRow, extra, row.rawText, normalised);
          else {
            const stored = diamonds!.insert(row.result.value, fileId, row.line, row.dataRow, extra);
            if ('duplicateOf' in stored) problems = [duplicateProblem(stored.duplicateOf, fileId)];
          }
          if (!problems) {
            summary.accepted += 1;
            if (normalised) summary.normalised += 1;
          }
        } else {
          problems = row.result.problems;
        }
        if (problems) {
          rejects.insert(fileId, row.line, row.dataRow, row.rawText, problems);
          count(problems[0].code, row.dataRow);
        }
      }
      options.onProgress?.(batch.bytesRead, stream.bytes);
    }
    if (stream.sha256() !== sha256) {
      throw new IngestFileError(
        stream.name,
        'changed while it was being read; nothing was stored, try again once it is complete',
      );
    }
    if (bulk) {
      let found = false;
      bulk.finish((d) => {
        found = true;
        rejects.insert(fileId, d.line, d.dataRow, d.rawText, [duplicateProblem(d.original, fileId)]);
        summary.accepted -= 1;
        if (d.normalised) summary.normalised -= 1;
        count('duplicate', d.dataRow);
      });
      // Repeats are counted last here: put the reasons back in the order they first occurred in the file.
      if (found) {
        const byReason = summary.byReason;
        summary.byReason = {};
        for (const code of [...firstSeen.keys()].sort((a, b) => firstSeen.get(a)! - firstSeen.get(b)!))
          summary.byReason[code] = byReason[code];
      }
    }
    finishFile(db, fileId, summary, new Date().toISOString());
    transaction.commit();
    open = false;
    return options.submission ? { ...summary, fileId } : summary;
  } finally {
    if (open) transaction.rollback();
  }
}
