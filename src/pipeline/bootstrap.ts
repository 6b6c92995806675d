/**
 * Making sure there is a model to serve: on an empty LOUPE_HOME, ingest the reference data, train the first
 * model of the default kind, register and promote it — the same pipeline run as `loupe pipeline run`, without
 * a landing folder. With a champion already there it returns it at once and changes nothing.
 *
 * Two processes calling it at once: the second waits for the first's lock, then finds the champion (its run
 * sees a snapshot already learned from and does nothing).
 */
import type { LoupePaths } from '../config/index.js';
import { getChampion, type ModelRecord } from '../registry/index.js';
import type { Db } from '../store/db.js';
import { runPipeline, type PipelineLogger } from './run.js';

export interface BootstrapOptions {
  onStage?(stage: string): void;
  log?: PipelineLogger;
}

export async function bootstrap(db: Db, paths: LoupePaths, options: BootstrapOptions = {}): Promise<ModelRecord> {
  const existing = getChampion(db);
  if (existing) return existing;
  const result = await runPipeline(db, paths, { incoming: null, wait: true, log: options.log, onStep: (step) => options.onStage?.(step) });
  const champion = getChampion(db);
  if (!champion) throw new Error(`bootstrap finished without a champion: ${result.message}`);
  return champion;
}
