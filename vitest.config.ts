import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take longest, before-all hooks included (a notebook run, a crash test's points, a server and a
 * browser), longest first. Vitest runs the files whose duration it has in its cache longest first, but a clean
 * checkout (CI) has none, and it then runs larger files first: in a CI run on 6 Dec 2026 (6d67560, a CPU hog
 * beside it, .ci/results.json) the two notebook files, small files with a long before-all hook, started last, and
 * the run's last 55 s ran no other file beside them.
 */
const LONGEST = [
  'test/notebooks/model-notebook.test.ts',
  'test/pipeline/crash-postgres.test.ts',
  'test/pipeline/crash.test.ts',
  'test/e2e/web.test.ts',
  'test/api/serve.test.ts',
  'test/pipeline/postgres.test.ts',
  'test/pipeline/xgboost-kind.test.ts',
  'test/notebooks/data-notebook.test.ts',
  'test/api/multi-server.test.ts',
  'test/e2e/monitoring.test.ts',
];

/** Vitest's order, with the LONGEST files first. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = LONGEST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return i === -1 ? LONGEST.length : i;
    };
    return sorted
      .map((spec, at) => ({ spec, at }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.at - b.at)
      .map((x) => x.spec);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'infra/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Three files at once, also in CI: most files spend much of their time waiting on child processes, PostgreSQL,
    // Chromium and sockets, so with one file per core the cores idled (vitest's default on 2 cores is one worker).
    // Measured on this 2-core machine, quiet, 6 Dec 2026 (`env CI=true npx vitest run --maxWorkers=N`, warm
    // checkout): 2 workers 225.8 s wall, 3 workers 183.8 s, 4 workers 187.6 s, the CPU time the same (305–317 s);
    // a clean-clone `.ci/run` with 3: 184.6 s. Every file keeps to its own temporary homes, free ports and its own
    // PostgreSQL cluster, so any files can run side by side.
    maxWorkers: 3,
    // One process runs file after file without reloading the modules for each (no test mocks modules; the few that
    // set process.env restore it): on test/diamond, test/engine and test/store, CPU 42.8 s isolated, 27.1 s not.
    isolate: false,
    // Builds the command line as JavaScript once, for the tests that start it (test/helpers/cli-js.ts).
    globalSetup: ['test/global-setup.ts'],
    // Fast-check's seed: fixed in CI, random (and printed on failure) elsewhere; see the file.
    setupFiles: ['test/helpers/fast-check-seed.ts'],
    sequence: { sequencer: LongestFirst },
  },
});
