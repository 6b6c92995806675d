/**
 * Once per `vitest run`, before any test file: the loupe command line transpiled to JavaScript for the tests that
 * start it as a child process (see test/helpers/cli-js.ts). Its path reaches the test files through the environment.
 */
import { buildCliJs } from './helpers/cli-js.js';

export default function setup(): void {
  if (process.env.LOUPE_TEST_CLI_JS !== 'tsx') process.env.LOUPE_TEST_CLI_JS = buildCliJs();
}
