/**
 * Making sure there is a model to serve: on an empty LOUPE_HOME, ingest the reference data, train the first
 * model of the default kind, register and promote it — the same pipeline run as `loupe pipeline run`, without
 * a landing folder. With a champion already there it returns it at once and changes nothing.
 *
 * A champion this version of Loupe cannot load (a damaged file, an artifact of an older feature spec) counts as
 * none: the run trains a model that loads and promotes it.
 *
 * Two processes calling it at once: the second waits for the first's lock, then finds the champion (its run
 * sees a snapshot already learned from and does nothing).
 */
import type { LoupePaths } from '../config/index.js';
import { loadValuer } from '../model/index.js';
import { getChampion, readArtifact, type ModelRecord } from '../registry/index.js';
import type { Db } from '../store/db.js';
import { runPipeline, type PipelineLogger } from './run.js';

export interface BootstrapOptions {
  onStage?(stage: string): void;
  log?: PipelineLogger;
}

export async function bootstrap(db: Db, paths: LoupePaths, options: BootstrapOptions = {}): Promise<ModelRecord> {
  const existing = getChampion(db);
  if (existing && loadable(existing)) return existing;
  const result = await runPipeline(db, paths, {
    incoming: null,
    wait: true,
    log: options.log,
    onStep: (step) => options.onStage?.(step),
  });
  const champion = getChampion(db);
  if (!champion || !loadable(champion)) throw new Error(`bootstrap finished without a champion: ${result.message}`);
  return champion;
}

function loadable(record: ModelRecord): boolean {
  try {
    loadValuer(readArtifact(record), record.version);
    return true;
  } catch {
    return false;
  }
}
