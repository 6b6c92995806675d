/**
 * The landing folder: every *.csv directly in it is ingested, oldest name first. A file ingested (or found to
 * be already ingested, by its content hash) moves to done/; a file that fails as a whole (unreadable, not CSV
 * text, a required column missing…) moves to failed/ with <name>.report.json beside it saying why, and the run
 * goes on with the rest. Hidden files, folders and other extensions are left alone (a file being copied in should
 * be written under a temporary name and renamed, as usual for landing folders).
 *
 * Anything else named *.csv is the ingestion's to judge, as `loupe ingest` does: a symbolic link is followed to read
 * its file (the link itself is what moves), and a FIFO, socket, device, a link in a loop or to nothing fails, refused
 * before it is opened. A file that leaves the folder during the run (removed or moved away by someone else) is
 * recorded as such and the run goes on.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ingestInto, type IngestSummary } from '../ingest/index.js';
import { writeFileAtomic } from '../registry/index.js';
import type { IngestTarget } from '../store/ingest-target.js';

export interface IncomingOutcome extends Omit<IngestSummary, 'status'> {
  /** vanished: the file left the landing folder during the run before it could be ingested; nothing of it is stored. */
  status: IngestSummary['status'] | 'vanished';
  /** Where the file is now; null when it left the landing folder during the run. */
  movedTo: string | null;
  /** The failure report, for failed files. */
  report?: string;
}

const VANISHED = 'left the landing folder during the run, before it could be ingested: nothing of it was stored';
const GONE_BEFORE_MOVE = 'left the landing folder before it could be moved to done/';

export function pendingFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.isDirectory() && !e.name.startsWith('.') && extname(e.name).toLowerCase() === '.csv')
    .map((e) => e.name)
    .sort();
}

/** A free name in `dir` for `name`: the name itself, or with a numeric suffix before the extension. */
function freeName(dir: string, name: string): string {
  if (!existsSync(join(dir, name))) return join(dir, name);
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let k = 2; ; k++) {
    const candidate = join(dir, `${stem}.${k}${ext}`);
    if (!existsSync(candidate)) return candidate;
  }
}

/** Moves `path` (a link as a link) to `target`; false when `path` is no longer there to move. */
function moveUnlessGone(path: string, target: string): boolean {
  try {
    renameSync(path, target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !lstatSync(path, { throwIfNoEntry: false })) return false;
    throw err;
  }
}

export interface IncomingHooks {
  /** After a file's transaction, before it is moved (a crash there leaves a stored file still in the landing folder). */
  onStored?(): void;
  /** After a file is moved, with its outcome. */
  onFile?(outcome: IncomingOutcome): void;
}

function moveFailed(dir: string, name: string, summary: IngestSummary): IncomingOutcome {
  const failedDir = join(dir, 'failed');
  mkdirSync(failedDir, { recursive: true });
  const target = freeName(failedDir, name);
  // The report first: a crash before the move leaves the file in the landing folder, failed again next run.
  const report = `${target}.report.json`;
  writeFileAtomic(report, `${JSON.stringify({ ...summary, failedAt: new Date().toISOString() }, null, 2)}\n`);
  if (moveUnlessGone(join(dir, name), target)) return { ...summary, movedTo: target, report };
  rmSync(report, { force: true });
  return { ...summary, status: 'vanished', movedTo: null, message: VANISHED };
}

function moveDone(dir: string, name: string, summary: IngestSummary): IncomingOutcome {
  const doneDir = join(dir, 'done');
  mkdirSync(doneDir, { recursive: true });
  const target = freeName(doneDir, name);
  if (moveUnlessGone(join(dir, name), target)) return { ...summary, movedTo: target };
  const message = summary.message ? `${summary.message}; ${GONE_BEFORE_MOVE}` : GONE_BEFORE_MOVE;
  return { ...summary, movedTo: null, message };
}

export async function ingestIncoming(
  target: IngestTarget,
  dir: string,
  hooks: IncomingHooks = {},
): Promise<IncomingOutcome[]> {
  mkdirSync(dir, { recursive: true });
  const outcomes: IncomingOutcome[] = [];
  for (const name of pendingFiles(dir)) {
    const summary = await ingestInto(target, join(dir, name));
    hooks.onStored?.();
    const outcome = summary.status === 'failed' ? moveFailed(dir, name, summary) : moveDone(dir, name, summary);
    outcomes.push(outcome);
    hooks.onFile?.(outcome);
  }
  return outcomes;
}
