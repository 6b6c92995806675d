import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take longest, before-all hooks included (a notebook run, a crash test's points, a server and a
 * browser), longest first, with their durations in a whole run (vitest's own record, 16:00-16:34 UTC on 6 Dec 2026,
 * at 2a4c689, 3-4 workers): every file of 4 s or more. Vitest runs the files whose duration it has in
 * its cache longest first, but a clean checkout (CI) has none, and it then runs larger files first: in a CI run on
 * 6 Dec 2026 (6d67560, a CPU hog beside it, .ci/results.json) the two notebook files, small files with a long
 * before-all hook, started last, and the run's last 55 s ran no other file beside them. A file that starts late
 * ends the run late: the list holds every long file, not only the first few, so a clean checkout runs them in
 * about the order a warm one does. A file missing here runs after them; the figures need not be exact.
 */
const LONGEST = [
  'test/pipeline/crash-postgres.test.ts', // 84 s
  'test/pipeline/postgres.test.ts', // 50 s
  'test/notebooks/model-notebook.test.ts', // 46 s
  'test/e2e/web.test.ts', // 34 s
  'test/pipeline/crash.test.ts', // 33 s
  'test/model/segments.test.ts', // 28 s
  'test/e2e/monitoring.test.ts', // 24 s
  'test/pipeline/trigger.test.ts', // 22 s
  'test/api/multi-server.test.ts', // 18 s
  'test/pipeline/xgboost-kind.test.ts', // 16 s
  'test/model/parallel.test.ts', // 15 s
  'test/pipeline/unattended.test.ts', // 14 s
  'test/e2e/appraise-state.test.ts', // 24 s (alone, when it was added; a whole run has no figure for it yet)
  'test/e2e/accessibility.test.ts', // 14 s
  'test/e2e/appraisals.test.ts', // 14 s
  'test/cli/log.test.ts', // 13 s
  'test/api/serve.test.ts', // 13 s
  'test/notebooks/data-notebook.test.ts', // 13 s
  'test/model/four-cs.test.ts', // 12 s
  'infra/test/synth.test.ts', // 12 s
  'test/engine/threads.test.ts', // 12 s
  'test/client/package.test.ts', // 11 s
  'test/store/store.test.ts', // 11 s
  'test/model/artifact.test.ts', // 10 s
  'test/pipeline/recorded-appraisals.test.ts', // 10 s
  'test/store/postgres.test.ts', // 10 s
  'test/pipeline/show-it.test.ts', // 9 s
  'test/pipeline/tune.test.ts', // 9 s
  'test/e2e/models-manual.test.ts', // 9 s
  'test/api/swap-off-thread.test.ts', // 8 s
  'test/registry/cli.test.ts', // 8 s
  'test/pipeline/recovery.test.ts', // 8 s
  'infra/test/registry-sync.test.ts', // 7 s
  'test/ingest/validate.property.test.ts', // 7 s
  'test/model/extreme-stones.test.ts', // 7 s
  'test/api/metrics-prometheus.test.ts', // 7 s
  'test/api/hot-swap.test.ts', // 6 s
  'test/api/appraisals.test.ts', // 6 s
  'test/ingest/crash.test.ts', // 6 s
  'test/model/gbdt-explain.test.ts', // 6 s
  'test/store/similar.test.ts', // 6 s
  'test/notebooks/late-output.test.ts', // 6 s
  'test/engine/shap.test.ts', // 6 s
  'test/ingest/cli.test.ts', // 6 s
  'test/registry/registry.test.ts', // 6 s
  'test/model/xgboost-import.test.ts', // 5 s
  'test/api/fuzz.property.test.ts', // 5 s
  'test/engine/shap-groups.test.ts', // 5 s
  'test/api/serializer.test.ts', // 5 s
  'test/ingest/ingest-file.test.ts', // 4 s
  'test/api/quotes.test.ts', // 4 s
  'test/e2e/printout.test.ts', // 4 s
  'test/api/metrics.test.ts', // 4 s
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
    // expect.poll (the e2e tests: a price, a quote's address, a table that the page fills in after a request) retries
    // until it holds; vitest gives up after 1 s by default, which a page can take on a 2-core machine running three
    // files, their servers and Chromium at once. A poll that holds returns as soon as it does.
    expect: { poll: { timeout: 15_000 } },
  },
});
