/**
 * Once per `vitest run`, before any test file: the sources transpiled to JavaScript for the tests that start the
 * command line as a child process (see test/helpers/cli-js.ts; the tree's path reaches them through the
 * environment), and the web app, when web/dist is older than its sources: once, instead of once in each of the four
 * e2e files (about 8 s each), and never while another file serves it.
 */
import { buildWebIfStale } from '../scripts/build-web.js';
import { buildCliJs } from './helpers/cli-js.js';

export default async function setup(): Promise<void> {
  if (process.env.LOUPE_TEST_CLI_JS !== 'tsx') process.env.LOUPE_TEST_CLI_JS = buildCliJs();
  await buildWebIfStale();
}
