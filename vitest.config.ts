import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'infra/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at once, also in CI: vitest's default on 2 cores is one worker, and most files spend much of their
    // time waiting on child processes, PostgreSQL, Chromium and sockets, so the second core idled. Every file keeps
    // to its own temporary homes, free ports and its own PostgreSQL cluster, so any two can run side by side.
    maxWorkers: 2,
    // One process runs file after file without reloading the modules for each (no test mocks modules; the few that
    // set process.env restore it): on test/diamond, test/engine and test/store, CPU 42.8 s isolated, 27.1 s not.
    isolate: false,
    // Builds the command line as JavaScript once, for the tests that start it (test/helpers/cli-js.ts).
    globalSetup: ['test/global-setup.ts'],
    // Fast-check's seed: fixed in CI, random (and printed on failure) elsewhere; see the file.
    setupFiles: ['test/helpers/fast-check-seed.ts'],
  },
});
