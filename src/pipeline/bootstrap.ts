/**
 * Making sure there is a model to serve: on an empty LOUPE_HOME, ingest the reference data, train the first
 * model of the default kind, register and promote it — the same pipeline run as `loupe pipeline run`, without
 * a landing folder. With a champion already there it returns it at once and changes nothing.
 *
 * A champion this version of Loupe cannot load (a file changed since it was registered — its SHA-256 differs —,
 * missing, or written for an older feature spec) is not served: the champion is rolled back to the newest earlier
 * champion that loads, with a warning. Only when none does is a new model trained (with a warning too).
 *
 * Two processes calling it at once: the second waits for the first's lock, then finds the champion (its run
 * sees a snapshot already learned from and does nothing).
 */
import type { LoupePaths } from '../config/index.js';
import { loadValuer } from '../model/index.js';
import { readArtifact, rollbackToUsableIn, type ModelRecord } from '../registry/index.js';
import type { Db } from '../store/db.js';
import { asPipelineStore, type PipelineStore } from '../store/pipeline-store.js';
import type { PipelineLogger, PipelineResult } from './run.js';

export interface BootstrapOptions {
  onStage?(stage: string): void;
  log?: PipelineLogger;
  /** Something an operator must hear of: the champion could not be served, and what was done instead. */
  onWarning?(message: string, details: Record<string, unknown>): void;
  /** The pipeline run it made, when there was no champion to serve (never called when there was one). */
  onRun?(result: PipelineResult): void;
}

export async function bootstrap(
  on: Db | PipelineStore,
  paths: LoupePaths,
  options: BootstrapOptions = {},
): Promise<ModelRecord> {
  const store = asPipelineStore(on);
  const existing = await store.getChampion();
  if (existing) {
    const damage = whyUnloadable(existing);
    if (damage === undefined) return existing;
    const fallback = await store.writeTransaction((w) =>
      rollbackToUsableIn(
        w,
        (record) => whyUnloadable(record) === undefined,
        `the champion ${existing.version} cannot be served: ${damage}`,
      ),
    );
    if (fallback) {
      options.onWarning?.(
        `the champion ${existing.version} cannot be served; rolled back to ${fallback.record.version}, the newest earlier champion that loads`,
        { damaged: existing.version, why: damage, passed: fallback.passed, serving: fallback.record.version },
      );
      return fallback.record;
    }
    options.onWarning?.(
      `the champion ${existing.version} cannot be served and no earlier champion loads; training a new model`,
      { damaged: existing.version, why: damage },
    );
  }
  // Loaded only now: a start that finds its champion (every start but the first) does not load the pipeline's
  // modules (ingest, training, reports; about 0.4 s of CPU).
  const { runPipeline } = await import('./run.js');
  const result = await runPipeline(store, paths, {
    incoming: null,
    wait: true,
    log: options.log,
    onStep: (step) => options.onStage?.(step),
  });
  options.onRun?.(result);
  const champion = await store.getChampion();
  if (!champion || whyUnloadable(champion) !== undefined)
    throw new Error(`bootstrap finished without a champion: ${result.message}`);
  return champion;
}

/** Why a model cannot be served (its artifact changed, missing or unreadable), or undefined when it can. */
function whyUnloadable(record: ModelRecord): string | undefined {
  try {
    loadValuer(readArtifact(record), record.version);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
