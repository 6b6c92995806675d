/**
 * Once per `vitest run`, before any test file: the sources transpiled to JavaScript for the tests that start the
 * command line as a child process (see test/helpers/cli-js.ts). The tree's path reaches them through the environment.
 */
import { buildCliJs } from './helpers/cli-js.js';

export default function setup(): void {
  if (process.env.LOUPE_TEST_CLI_JS !== 'tsx') process.env.LOUPE_TEST_CLI_JS = buildCliJs();
}
