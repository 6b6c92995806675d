/**
 * Which reference a home's stored rows are partitioned by, recorded in LOUPE_HOME/reference.json: the SHA-256 of the
 * reference file and of its split, written the first time a partition finds that reference stored.
 *
 * Which stored rows are the frozen test rows is read off the reference file LOUPE_DATA / --data names (data.ts). Were
 * it pointed later at a *different* readable reference, with a split of its own, the stored one would be taken for
 * an ordinary file (a seeded holdout instead of its published split): its frozen test rows would train, and a
 * challenger be scored on rows the champion learned from. With the record, that is a usage error naming both. The
 * same bytes read from another path (a copy) are the same reference.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.js';
import { writeFileAtomic } from '../registry/index.js';

export interface FileFingerprint {
  path: string;
  sha256: string;
}

export interface ReferenceRecord {
  reference: FileFingerprint;
  split: FileFingerprint;
  recordedAt: string;
}

export function referenceRecordPath(home: string): string {
  return join(home, 'reference.json');
}

const isFingerprint = (v: unknown): v is FileFingerprint =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as FileFingerprint).path === 'string' &&
  /^[0-9a-f]{64}$/.test(String((v as FileFingerprint).sha256));

/** The home's record, undefined when it has none; a ConfigError when it cannot be read or is not one. */
export function readReferenceRecord(home: string): ReferenceRecord | undefined {
  const path = referenceRecordPath(home);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError(
      `${path} cannot be read (${code ?? (error as Error).message}): it names this home's reference data`,
    );
  }
  let record: Partial<ReferenceRecord> | undefined;
  try {
    record = JSON.parse(text) as Partial<ReferenceRecord>;
  } catch {
    record = undefined;
  }
  if (!isFingerprint(record?.reference) || !isFingerprint(record?.split))
    throw new ConfigError(
      `${path} is not Loupe's record of this home's reference data (the SHA-256 of the reference file and of its split); restore it from a backup`,
    );
  return record as ReferenceRecord;
}

const short = (f: FileFingerprint): string => `${f.path} (sha256 ${f.sha256.slice(0, 12)}…`;

/**
 * Checks the configured reference (and, once it is found stored, its split) against the home's record, and records
 * them when the home has no record of a stored reference. `stored`: the SHA-256 of every stored file. A record of a
 * reference no longer stored (a database removed and started again) names nothing stored now and is replaced.
 */
export function checkReference(
  home: string,
  stored: ReadonlySet<string>,
  reference: FileFingerprint,
  split: () => FileFingerprint,
): void {
  const record = readReferenceRecord(home);
  const live = record && stored.has(record.reference.sha256) ? record : undefined;
  const where = `recorded in ${referenceRecordPath(home)}`;
  if (live && live.reference.sha256 !== reference.sha256)
    throw new ConfigError(
      `the reference data ${short(reference)}) is not the reference this home stored, ${short(live.reference)}, ${where}): which stored rows are the frozen test rows is read off it, and another file would move them into training; set LOUPE_DATA (or --data) to that file or a copy of it`,
    );
  if (!stored.has(reference.sha256)) return;
  const now = split();
  if (live) {
    if (live.split.sha256 !== now.sha256)
      throw new ConfigError(
        `the reference data's split ${short(now)}) is not the one this home stored its reference with, ${short(live.split)}, ${where}): another split would move frozen test rows into training; put that split beside the reference`,
      );
    return;
  }
  const written: ReferenceRecord = { reference, split: now, recordedAt: new Date().toISOString() };
  // Written beside it and renamed (a full disk leaves no partial file: the next run records it again).
  writeFileAtomic(referenceRecordPath(home), `${JSON.stringify(written, null, 2)}\n`);
}
