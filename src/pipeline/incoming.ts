/**
 * The landing folder: every *.csv directly in it is ingested, oldest name first. A file ingested (or found to
 * be already ingested, by its content hash) moves to done/; a file that fails as a whole (unreadable, not CSV
 * text, a required column missing…) moves to failed/ with <name>.report.json beside it saying why, and the run
 * goes on with the rest. Hidden files and other extensions are left alone (a file being copied in should be
 * written under a temporary name and renamed, as usual for landing folders).
 */
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ingestInto, type IngestSummary } from '../ingest/index.js';
import { writeFileAtomic } from '../registry/index.js';
import type { IngestTarget } from '../store/ingest-target.js';

export interface IncomingOutcome extends IngestSummary {
  /** Where the file is now. */
  movedTo: string;
  /** The failure report, for failed files. */
  report?: string;
}

export function pendingFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && extname(e.name).toLowerCase() === '.csv')
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

export interface IncomingHooks {
  /** After a file's transaction, before it is moved (a crash there leaves a stored file still in the landing folder). */
  onStored?(): void;
  /** After a file is moved, with its outcome. */
  onFile?(outcome: IncomingOutcome): void;
}

export async function ingestIncoming(
  target: IngestTarget,
  dir: string,
  hooks: IncomingHooks = {},
): Promise<IncomingOutcome[]> {
  mkdirSync(dir, { recursive: true });
  const outcomes: IncomingOutcome[] = [];
  for (const name of pendingFiles(dir)) {
    const path = join(dir, name);
    const summary = await ingestInto(target, path);
    hooks.onStored?.();
    let outcome: IncomingOutcome;
    if (summary.status === 'failed') {
      const failedDir = join(dir, 'failed');
      mkdirSync(failedDir, { recursive: true });
      const target = freeName(failedDir, name);
      const report = `${target}.report.json`;
      writeFileAtomic(report, `${JSON.stringify({ ...summary, failedAt: new Date().toISOString() }, null, 2)}\n`);
      renameSync(path, target);
      outcome = { ...summary, movedTo: target, report };
    } else {
      const doneDir = join(dir, 'done');
      mkdirSync(doneDir, { recursive: true });
      const target = freeName(doneDir, name);
      renameSync(path, target);
      outcome = { ...summary, movedTo: target };
    }
    outcomes.push(outcome);
    hooks.onFile?.(outcome);
  }
  return outcomes;
}
