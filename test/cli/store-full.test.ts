/**
 * A full disk while the pipeline stores a file: one line, as `loupe ingest` says it (exit 1), not a stack trace
 * (src/cli/run.ts knows StoreFullError by its name). The disk fills as SQLite's max_page_count lets it (as in
 * test/ingest/hostile-files.test.ts): a few pages past what is there when a write transaction begins.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { smallReference } from '../helpers/small-data.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-store-full-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `fn` with every SQLite write transaction (store/db.ts beginWrite) limited to 8 more pages. */
async function onAFullDisk<T>(fn: () => Promise<T>): Promise<T> {
  const exec = Database.prototype.exec;
  const spy = vi.spyOn(Database.prototype, 'exec').mockImplementation(function (this: Database.Database, sql) {
    if (sql === 'BEGIN IMMEDIATE')
      this.pragma(`max_page_count = ${Number(this.pragma('page_count', { simple: true })) + 8}`);
    return exec.call(this, sql);
  });
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

describe('pipeline run on a full disk', () => {
  it('says "the disk is full" in one line, exit 1, and the run is recorded as failed', async () => {
    const home = join(dir, 'home');
    const r = await onAFullDisk(() =>
      loupeInProcess(['pipeline', 'run', '--home', home, '--data', smallReference(), '--kinds', 'hedonic'], {
        LOG_LEVEL: 'silent',
      }),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^loupe: the disk is full: diamonds\.csv could not be stored \(nothing of it was kept\); free some space and ingest it again\n$/m,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const runs = await loupeInProcess(['pipeline', 'runs', '--home', home, '--json']);
    expect(JSON.parse(runs.stdout)).toMatchObject([
      { status: 'failed', error: expect.stringMatching(/^the disk is full/) },
    ]);
  }, 60_000);
});
