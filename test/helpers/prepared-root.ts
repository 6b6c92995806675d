/**
 * Where the things many test files start from are built once per `vitest run` (prepared homes,
 * test/helpers/prepared-home.ts; PostgreSQL's initialised data folder, test/helpers/postgres.ts): LOUPE_TEST_PREPARED,
 * a directory test/global-setup.ts makes and removes; a file run without that setup uses one of its own process.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let ownRoot: string | undefined;

/** Where prepared things live in this run. */
export function preparedRoot(): string {
  const shared = process.env.LOUPE_TEST_PREPARED;
  if (shared) {
    mkdirSync(shared, { recursive: true });
    return shared;
  }
  if (!ownRoot) {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-prepared-'));
    ownRoot = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return ownRoot;
}
