/**
 * Ingesting one file into the store: stream it, validate every row, store each as a diamond or a reject,
 * all in one transaction, so the database either holds the whole file or nothing of it (a crash included).
 *
 * Where the rows go is an IngestTarget (src/store/ingest-target.ts): SQLite (`ingestFile`, on a connection) or
 * PostgreSQL (`ingestInto` with the target the store gives). The transaction is opened, holding the database's
 * write lock, before the first rows are read, and ended by its commit or rollback; the rows are written a batch (a
 * 64 KiB chunk of the file) at a time. On SQLite, nothing else may use the connection while ingestFile runs (other
 * connections and processes are unaffected; they see the file only once committed).
 */
import { basename, resolve } from 'node:path';
import type { Problem } from '../diamond/index.js';
import type { Db } from '../store/db.js';
import type { Original } from '../store/diamonds.js';
import {
  sqliteIngestTarget,
  type AcceptedRow,
  type FileWrites,
  type IngestTarget,
  type RejectedRow,
  type SubmissionRecord,
} from '../store/ingest-target.js';
import { isDiskFull } from '../store/disk-full.js';
import { IngestFileError, StoreFullError } from './errors.js';
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
  submission?: SubmissionRecord;
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

/** Ingests one file into an SQLite database; a whole-file failure is returned as status 'failed', having changed nothing. */
export function ingestFile(db: Db, path: string, options: IngestOptions = {}): Promise<IngestSummary> {
  return ingestInto(sqliteIngestTarget(db), path, options);
}

/** Ingests one file into a target (either database); a whole-file failure is returned as status 'failed'. */
export async function ingestInto(
  target: IngestTarget,
  path: string,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const name = basename(path);
  let sha256 = '';
  try {
    // Hash first (fast, no parsing) so that a file seen before is recognised without reading it twice over.
    sha256 = await hashFile(path);
    const known = await target.findFileBySha256(sha256);
    if (known) return alreadyIngested(name, sha256, known);
    const stream = await openRowStream(path);
    const writes = await target.begin(stream.bytes / TYPICAL_ROW_BYTES);
    let open = true;
    try {
      const summary = await storeRows(writes, stream, options.storedPath ?? resolve(path), sha256, options);
      if (summary.status === 'ingested') await writes.commit();
      else await writes.rollback();
      open = false;
      return summary;
    } finally {
      if (open) await writes.rollback();
    }
  } catch (err) {
    if (err instanceof IngestFileError) return emptySummary(name, sha256, 'failed', err.reason);
    if (isDiskFull(err)) throw new StoreFullError(name);
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

/** Bytes of a typical row (the reference file's and the benchmark's average 42–45): file size / this ≈ rows. */
const TYPICAL_ROW_BYTES = 40;

/** Stores the file's rows in the open transaction; the caller commits (status 'ingested') or rolls back. */
async function storeRows(
  writes: FileWrites,
  stream: RowStream,
  fullPath: string,
  sha256: string,
  options: IngestOptions,
): Promise<IngestSummary> {
  // Another process may have stored the same file while this one waited for the write lock.
  const known = await writes.findFileBySha256(sha256);
  if (known) return alreadyIngested(stream.name, sha256, known);
  const summary = emptySummary(stream.name, sha256, 'ingested');
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
      const start = {
        name: stream.name,
        path: fullPath,
        sha256,
        bytes: stream.bytes,
        header: stream.header(),
        startedAt: new Date().toISOString(),
      };
      fileId = await writes.insertFile(start, options.submission);
    }
    const accepted: AcceptedRow[] = [];
    for (const row of batch.rows) {
      if (!row.result.ok) continue;
      const extra = hasKeys(row.extra) ? JSON.stringify(row.extra) : null;
      const normalised = row.result.normalised.length > 0;
      accepted.push({
        appraisal: row.result.value,
        line: row.line,
        dataRow: row.dataRow,
        extra,
        rawText: row.rawText,
        normalised,
      });
    }
    const repeats = await writes.insertDiamonds(fileId, stream.name, accepted);
    // Rejects in file order: the rows refused by validation and the accepted ones that repeat a stored diamond.
    const rejects: RejectedRow[] = [];
    let a = 0;
    for (const row of batch.rows) {
      summary.rowsRead += 1;
      let problems: Problem[] | undefined;
      if (row.result.ok) {
        const original: Original | undefined = repeats[a];
        if (original) problems = [duplicateProblem(original, fileId)];
        else {
          summary.accepted += 1;
          if (accepted[a].normalised) summary.normalised += 1;
        }
        a += 1;
      } else {
        problems = row.result.problems;
      }
      if (problems) {
        rejects.push({ line: row.line, dataRow: row.dataRow, rawText: row.rawText, problems });
        count(problems[0].code, row.dataRow);
      }
    }
    if (rejects.length > 0) await writes.insertRejects(fileId, rejects);
    options.onProgress?.(batch.bytesRead, stream.bytes);
  }
  if (stream.sha256() !== sha256) {
    throw new IngestFileError(
      stream.name,
      'changed while it was being read; nothing was stored, try again once it is complete',
    );
  }
  const repeated: RejectedRow[] = [];
  await writes.takeOutRepeats((d) => {
    repeated.push({
      line: d.line,
      dataRow: d.dataRow,
      rawText: d.rawText,
      problems: [duplicateProblem(d.original, fileId)],
    });
    summary.accepted -= 1;
    if (d.normalised) summary.normalised -= 1;
    count('duplicate', d.dataRow);
  });
  if (repeated.length > 0) {
    await writes.insertRejects(fileId, repeated);
    // Repeats are counted last here: put the reasons back in the order they first occurred in the file.
    const byReason = summary.byReason;
    summary.byReason = {};
    for (const code of [...firstSeen.keys()].sort((x, y) => firstSeen.get(x)! - firstSeen.get(y)!))
      summary.byReason[code] = byReason[code];
  }
  await writes.finishFile(fileId, summary, new Date().toISOString());
  return options.submission ? { ...summary, fileId } : summary;
}
