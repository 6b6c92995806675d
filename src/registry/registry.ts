/**
 * The model registry: every trained model (promoted or not) with its artifact file, the data it learned from,
 * its parameters, metrics, duration and git commit; and the champion — the model that serves.
 *
 * Versions are a counter, "v0001", "v0002", …: sortable as text and by number, unique (the registry's row id),
 * and short enough to say aloud. An artifact lives at <paths.models>/<version>/model.json.
 *
 * Registering writes the artifact file first (atomically) and only then inserts its row, both while holding the
 * database's write lock. A crash between the two leaves at most a folder without a row: the next registration
 * (which allocates the same version, since the row never committed) removes such orphans first. So a row never
 * exists without its complete file.
 *
 * The champion is the model of the latest row of `promotions`; promoting or rolling back is one INSERT in one
 * transaction, and every switch stays in the history.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LoupePaths } from '../config/index.js';
import { MAX_MODEL_FILE_BYTES, serializeArtifact, type ModelArtifact } from '../model/index.js';
import { writeTransaction, type Db } from '../store/db.js';
import {
  getModel,
  insertModel,
  insertPromotion,
  listPromotions,
  maxModelId,
  modelVersions,
  type ModelRecord,
  type NewModel,
  type Promotion,
  type PromotionAction,
} from '../store/models.js';
import type { RegistryWrites } from '../store/pipeline-store.js';
import type { Store } from '../store/store.js';
import {
  FileTooLargeError,
  readTextIfExists,
  readTextIfExistsAsync,
  sha256Hex,
  writeFileAtomic,
} from './artifact-file.js';
import { RegistryError } from './errors.js';
import { checkMetrics, handMetrics, type ModelMetrics, type Origin } from './metrics.js';

export {
  championVersion,
  getChampion,
  getModel,
  listModels,
  listPromotions,
  setDecision,
  type ModelRecord,
  type Promotion,
} from '../store/models.js';

export interface RegisterMeta {
  durationMs: number;
  gitCommit?: string | null;
  /** Metrics to record (checked against the contract); default: the artifact's own figures, as `origin` made them. */
  metrics?: ModelMetrics;
  /** Who trained it, when `metrics` is not given (default: loupe train, or loupe import-xgboost for xgboost). */
  origin?: Omit<Origin, 'run'>;
  decision?: string;
  /** Called after the artifact's file is written, before its row (the crash tests stop the process there). */
  onArtifactWritten?(): void;
}

export const ARTIFACT_FILE = 'model.json';
const VERSION_PATTERN = /^v\d{4,}$/;

export const versionOf = (id: number): string => `v${String(id).padStart(4, '0')}`;

/** Removes model folders that have no registry row: left by a crash between writing a file and its row. */
function removeOrphans(versions: readonly string[], paths: LoupePaths): string[] {
  let names: string[];
  try {
    names = readdirSync(paths.models);
  } catch {
    return [];
  }
  const known = new Set(versions);
  const removed: string[] = [];
  for (const name of names) {
    if (VERSION_PATTERN.test(name) && !known.has(name)) {
      rmSync(join(paths.models, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

function defaultMetrics(artifact: ModelArtifact, origin: RegisterMeta['origin']): ModelMetrics {
  const imported = origin ? origin.by === 'loupe import-xgboost' : artifact.kind === 'xgboost';
  return handMetrics(
    artifact.metrics.outOfFold,
    origin ?? { by: imported ? 'loupe import-xgboost' : 'loupe train', evaluationRowsLeftOut: null },
    imported ? 'calibration-file' : 'cross-validation',
  );
}

/** The artifact's text and the row recording it under `id`, its file at <models>/<version>/model.json. */
function newModel(paths: LoupePaths, artifact: ModelArtifact, meta: RegisterMeta, id: number) {
  const metrics = checkMetrics(meta.metrics ?? defaultMetrics(artifact, meta.origin));
  const text = serializeArtifact(artifact);
  const version = versionOf(id);
  const row: NewModel = {
    id,
    version,
    kind: artifact.kind,
    createdAt: new Date().toISOString(),
    artifactPath: join(paths.models, version, ARTIFACT_FILE),
    artifactSha256: sha256Hex(text),
    trainingDataSha256: artifact.trainingData.sha256,
    trainingRows: artifact.trainingData.rows,
    params: artifact.params,
    metrics,
    durationMs: meta.durationMs,
    gitCommit: meta.gitCommit ?? null,
    decision: meta.decision ?? null,
  };
  return { text, row };
}

/** Writes the artifact atomically to <models>/<version>/model.json and records it; returns its record. */
export function registerModel(db: Db, paths: LoupePaths, artifact: ModelArtifact, meta: RegisterMeta): ModelRecord {
  checkMetrics(meta.metrics ?? defaultMetrics(artifact, meta.origin));
  const version = writeTransaction(db, () => {
    // Holding the write lock: no other registration is between its file and its row, so folders without a row
    // are orphans of a crash and safe to remove.
    removeOrphans(modelVersions(db), paths);
    const { text, row } = newModel(paths, artifact, meta, maxModelId(db) + 1);
    writeFileAtomic(row.artifactPath, text);
    meta.onArtifactWritten?.();
    insertModel(db, row);
    return row.version;
  });
  return getModel(db, version)!;
}

/**
 * registerModel inside a write transaction of a PipelineStore (either database): the caller holds the registry's
 * lock, so the same reasoning about orphans holds; the row commits with the caller's transaction.
 */
export async function registerModelIn(
  w: RegistryWrites,
  paths: LoupePaths,
  artifact: ModelArtifact,
  meta: RegisterMeta,
): Promise<ModelRecord> {
  removeOrphans(await w.modelVersions(), paths);
  const { text, row } = newModel(paths, artifact, meta, (await w.maxModelId()) + 1);
  writeFileAtomic(row.artifactPath, text);
  meta.onArtifactWritten?.();
  await w.insertModel(row);
  return (await w.getModel(row.version))!;
}

/** promoteModel inside a write transaction of a PipelineStore. */
export async function promoteModelIn(w: RegistryWrites, version: string, reason: string): Promise<ModelRecord> {
  const model = await w.getModel(version);
  if (!model) {
    const known = await w.modelVersions();
    throw new RegistryError('not_found', `no model ${version} in the registry (known: ${known.join(', ') || 'none'})`);
  }
  if (model.isChampion) throw new RegistryError('already_champion', `model ${version} is already the champion`);
  readArtifact(model);
  await w.insertPromotion(version, 'promote', reason, new Date().toISOString());
  return (await w.getModel(version))!;
}

/** The chain of champions still in force: a promotion pushes, a rollback pops. The last is the champion. */
function championStack(db: Db): string[] {
  return stackOf(listPromotions(db));
}

/** The champions in force, oldest first: each promotion pushes one, each rollback pops the current one. */
function stackOf(promotions: readonly Promotion[]): string[] {
  const stack: string[] = [];
  for (const p of promotions) {
    if (p.action === 'promote') stack.push(p.version);
    else stack.pop();
  }
  return stack;
}

/** The text of a model's artifact, checked against the SHA-256 recorded when it was registered. */
export function readArtifact(record: ModelRecord): string {
  let text: string | undefined;
  try {
    text = readTextIfExists(record.artifactPath, MAX_MODEL_FILE_BYTES);
  } catch (err) {
    throw namedError(record, err);
  }
  return checkedArtifact(record, text);
}

/** readArtifact, reading the file without holding the calling thread (a server loading a new champion). */
export async function readArtifactAsync(record: ModelRecord): Promise<string> {
  const text = await readTextIfExistsAsync(record.artifactPath, MAX_MODEL_FILE_BYTES).catch((err: unknown) => {
    throw namedError(record, err);
  });
  return checkedArtifact(record, text);
}

/** A file over the size limit of a model file, told as the model's; any other error as it is. */
function namedError(record: ModelRecord, err: unknown): unknown {
  if (!(err instanceof FileTooLargeError)) return err;
  return new RegistryError(
    'artifact_mismatch',
    `model ${record.version}: its artifact ${record.artifactPath} ${err.message} for a model file; it will not be served`,
  );
}

function checkedArtifact(record: ModelRecord, text: string | undefined): string {
  if (text === undefined) {
    throw new RegistryError(
      'artifact_missing',
      `model ${record.version}: its artifact ${record.artifactPath} is missing`,
    );
  }
  const actual = sha256Hex(text);
  if (actual !== record.artifactSha256) {
    throw new RegistryError(
      'artifact_mismatch',
      `model ${record.version}: its artifact ${record.artifactPath} does not match the registry ` +
        `(SHA-256 ${actual.slice(0, 12)}…, registered ${record.artifactSha256.slice(0, 12)}…); the file was changed or is damaged — ` +
        'it will not be served',
    );
  }
  return text;
}

function requireModel(db: Db, version: string): ModelRecord {
  const model = getModel(db, version);
  if (!model) {
    throw new RegistryError(
      'not_found',
      `no model ${version} in the registry (known: ${modelVersions(db).join(', ') || 'none'})`,
    );
  }
  return model;
}

/** Makes `version` the champion (after checking its artifact is intact); one transaction. */
export function promoteModel(db: Db, version: string, reason: string): ModelRecord {
  writeTransaction(db, () => {
    const model = requireModel(db, version);
    if (model.isChampion) throw new RegistryError('already_champion', `model ${version} is already the champion`);
    readArtifact(model);
    insertPromotion(db, version, 'promote', reason, new Date().toISOString());
  });
  return getModel(db, version)!;
}

/** Puts back the champion that served before the current one; one transaction. */
/** The champion a rollback returns to, from the champions in force; a RegistryError when there is none. */
function rollbackTarget(stack: readonly string[]): string {
  if (stack.length === 0) throw new RegistryError('no_champion', 'there is no champion to roll back');
  if (stack.length === 1) {
    throw new RegistryError(
      'no_previous_champion',
      `${stack[0]} is the first champion; there is no earlier one to roll back to`,
    );
  }
  return stack[stack.length - 2];
}

export function rollbackChampion(db: Db, reason: string): ModelRecord {
  const version = writeTransaction(db, () => {
    const target = rollbackTarget(championStack(db));
    readArtifact(getModel(db, target)!);
    insertPromotion(db, target, 'rollback', reason, new Date().toISOString());
    return target;
  });
  return getModel(db, version)!;
}

/**
 * Rolls the champion back past every champion in force that `usable` refuses (a changed, missing or unloadable
 * artifact) to the newest one it accepts: one rollback row per champion passed, in one transaction. Returns that
 * model and the versions passed over, or undefined (nothing changed) when no champion in force is usable.
 */
export function rollbackToUsable(
  db: Db,
  usable: (record: ModelRecord) => boolean,
  reason: string,
): { record: ModelRecord; passed: string[] } | undefined {
  return writeTransaction(db, () => {
    const plan = rollbackPlan(stackOf(listPromotions(db)), (v) => usable(getModel(db, v)!));
    if (!plan) return undefined;
    const at = new Date().toISOString();
    for (const target of plan.rows) insertPromotion(db, target, 'rollback', reason, at);
    return { record: getModel(db, plan.target)!, passed: plan.passed };
  });
}

/** rollbackToUsable inside a write transaction of a PipelineStore (either database). */
export async function rollbackToUsableIn(
  w: RegistryWrites,
  usable: (record: ModelRecord) => boolean,
  reason: string,
): Promise<{ record: ModelRecord; passed: string[] } | undefined> {
  const stack = stackOf(await w.listPromotions());
  const records = new Map<string, ModelRecord>();
  for (const v of stack) records.set(v, (await w.getModel(v))!);
  const plan = rollbackPlan(stack, (v) => usable(records.get(v)!));
  if (!plan) return undefined;
  const at = new Date().toISOString();
  for (const target of plan.rows) await w.insertPromotion(target, 'rollback', reason, at);
  return { record: (await w.getModel(plan.target))!, passed: plan.passed };
}

/**
 * The newest champion in force below the current one that `usable` accepts, the versions passed over, and the
 * rollback rows to write: one per champion passed, as that many rollbacks would have written (the history stays
 * a stack). Undefined when none is usable.
 */
function rollbackPlan(
  champions: readonly string[],
  usable: (version: string) => boolean,
): { target: string; passed: string[]; rows: string[] } | undefined {
  const stack = [...champions];
  const passed: string[] = [];
  while (stack.length > 1) {
    passed.push(stack.pop()!);
    const target = stack[stack.length - 1];
    if (!usable(target)) continue;
    return { target, passed, rows: passed.map((_, j) => passed[j + 1] ?? target) };
  }
  return undefined;
}

/**
 * promoteModel through the async store (PostgreSQL): the same checks (a known model, not already champion, its
 * artifact intact), then one INSERT; every server picks the new champion up at its next poll.
 */
export async function promoteInStore(
  store: Pick<Store, 'getModel' | 'listModels' | 'listPromotions' | 'insertPromotion'>,
  version: string,
  reason: string,
): Promise<ModelRecord> {
  return changeChampion(
    store,
    async () => {
      const model = await store.getModel(version);
      if (!model) {
        const known = (await store.listModels()).map((m) => m.version);
        throw new RegistryError(
          'not_found',
          `no model ${version} in the registry (known: ${known.join(', ') || 'none'})`,
        );
      }
      if (model.isChampion) throw new RegistryError('already_champion', `model ${version} is already the champion`);
      readArtifact(model);
      return { version, action: 'promote' };
    },
    reason,
  );
}

/**
 * rollbackChampion through the Store (PostgreSQL): the champion before the current one, its artifact checked, made
 * champion by one INSERT that every server picks up within a poll.
 */
export async function rollbackInStore(
  store: Pick<Store, 'getModel' | 'listPromotions' | 'insertPromotion'>,
  reason: string,
): Promise<ModelRecord> {
  return changeChampion(
    store,
    async (history) => {
      const target = rollbackTarget(stackOf(history));
      readArtifact((await store.getModel(target))!);
      return { version: target, action: 'rollback' };
    },
    reason,
  );
}

/** How often a change of champion is decided again when another change was written first. */
const CHANGE_ATTEMPTS = 5;

/**
 * A change of champion decided from the history as read, and written only if the history is still that long:
 * two changes at once (two operators, the pipeline and an operator) are applied one after the other, the second
 * decided again from the history the first left — as they would be on SQLite, whose write lock orders them.
 */
async function changeChampion(
  store: Pick<Store, 'getModel' | 'listPromotions' | 'insertPromotion'>,
  decide: (history: readonly Promotion[]) => Promise<{ version: string; action: PromotionAction }>,
  reason: string,
): Promise<ModelRecord> {
  for (let attempt = 1; ; attempt++) {
    const history = await store.listPromotions();
    const { version, action } = await decide(history);
    if (await store.insertPromotion(version, action, reason, new Date().toISOString(), history.length))
      return (await store.getModel(version))!;
    if (attempt === CHANGE_ATTEMPTS)
      throw new RegistryError(
        'conflict',
        `the champion changed ${CHANGE_ATTEMPTS} times while this ${action} was decided; try again`,
      );
  }
}
