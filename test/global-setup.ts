/**
 * Once per `vitest run`, before any test file: the sources transpiled to JavaScript for the tests that start the
 * command line as a child process (see test/helpers/cli-js.ts; the tree's path reaches them through the
 * environment), and the web app, when web/dist is older than its sources: once, instead of once in each of the four
 * e2e files (about 8 s each), and never while another file serves it. The worker threads test files start in
 * their own process run from that tree too (LOUPE_JS_MIRROR, src/api/ts-worker.ts): through tsx a thread's start
 * costs about a second more CPU. Also the directory where the homes many
 * files start from are built once in this run (test/helpers/prepared-home.ts), removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebIfStale } from '../scripts/build-web.js';
import { buildCliJs } from './helpers/cli-js.js';

export default async function setup(): Promise<() => void> {
  if (process.env.LOUPE_TEST_CLI_JS !== 'tsx') {
    process.env.LOUPE_TEST_CLI_JS = buildCliJs();
    // The worker threads tests start in their own process run from the same tree (src/api/ts-worker.ts).
    process.env.LOUPE_JS_MIRROR = process.env.LOUPE_TEST_CLI_JS;
  }
  const prepared = mkdtempSync(join(tmpdir(), 'loupe-prepared-'));
  process.env.LOUPE_TEST_PREPARED = prepared;
  await buildWebIfStale();
  return () => rmSync(prepared, { recursive: true, force: true });
}
