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
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { LoupePaths } from '../config/index.js';
import { serializeArtifact, type ModelArtifact } from '../model/index.js';
import type { Db } from '../store/db.js';
import { readTextIfExists, sha256Hex, writeFileAtomic } from './artifact-file.js';
import { RegistryError } from './errors.js';
import { pausePoint } from './pause.js';

export interface ModelRecord {
  version: string;
  kind: string;
  createdAt: string;
  /** When this model last became champion (promotion or rollback); null if it never served. */
  promotedAt: string | null;
  isChampion: boolean;
  /** Absolute path of the artifact file. */
  artifactPath: string;
  artifactSha256: string;
  trainingDataSha256: string;
  trainingRows: number;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  durationMs: number;
  gitCommit: string | null;
  /** What the pipeline decided about this model and why (promoted, kept the champion, …). */
  decision: string | null;
}

export interface RegisterMeta {
  durationMs: number;
  gitCommit?: string | null;
  /** Metrics to record; defaults to the artifact's own (out-of-fold) metrics. */
  metrics?: Record<string, unknown>;
  decision?: string;
}

export interface Promotion {
  version: string;
  action: 'promote' | 'rollback';
  reason: string;
  at: string;
}

interface ModelRow {
  id: number; version: string; kind: string; created_at: string; artifact_path: string; artifact_sha256: string;
  training_data_sha256: string; training_rows: number; params: string; metrics: string; duration_ms: number;
  git_commit: string | null; decision: string | null; promoted_at: string | null; is_champion: number;
}

export const ARTIFACT_FILE = 'model.json';
const VERSION_PATTERN = /^v\d{4,}$/;

export const versionOf = (id: number): string => `v${String(id).padStart(4, '0')}`;

/** The folder that relative artifact paths are stored against: the database's folder (LOUPE_HOME). */
function baseDir(db: Db): string | undefined {
  return db.name === ':memory:' || db.name === '' ? undefined : dirname(resolve(db.name));
}

const CHAMPION_ID_SQL = '(SELECT model_id FROM promotions ORDER BY id DESC LIMIT 1)';
const SELECT_MODELS = `
  SELECT m.*,
    (SELECT max(p.at) FROM promotions p WHERE p.model_id = m.id) AS promoted_at,
    (m.id IS ${CHAMPION_ID_SQL}) AS is_champion
  FROM models m`;

function toRecord(db: Db, r: ModelRow): ModelRecord {
  const base = baseDir(db);
  return {
    version: r.version,
    kind: r.kind,
    createdAt: r.created_at,
    promotedAt: r.promoted_at,
    isChampion: r.is_champion === 1,
    artifactPath: base && !isAbsolute(r.artifact_path) ? resolve(base, r.artifact_path) : r.artifact_path,
    artifactSha256: r.artifact_sha256,
    trainingDataSha256: r.training_data_sha256,
    trainingRows: r.training_rows,
    params: JSON.parse(r.params) as Record<string, unknown>,
    metrics: JSON.parse(r.metrics) as Record<string, unknown>,
    durationMs: r.duration_ms,
    gitCommit: r.git_commit,
    decision: r.decision,
  };
}

/** Runs `fn` in an IMMEDIATE transaction, or inside the caller's transaction if one is open (as a savepoint). */
function writeTransaction<T>(db: Db, fn: () => T): T {
  const tx = db.transaction(fn);
  return db.inTransaction ? tx() : tx.immediate();
}

/** Removes model folders that have no registry row: left by a crash between writing a file and its row. */
function removeOrphans(db: Db, paths: LoupePaths): string[] {
  let names: string[];
  try {
    names = readdirSync(paths.models);
  } catch {
    return [];
  }
  const known = new Set((db.prepare('SELECT version FROM models').all() as { version: string }[]).map((r) => r.version));
  const removed: string[] = [];
  for (const name of names) {
    if (VERSION_PATTERN.test(name) && !known.has(name)) {
      rmSync(join(paths.models, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** Writes the artifact atomically to <models>/<version>/model.json and records it; returns its record. */
export function registerModel(db: Db, paths: LoupePaths, artifact: ModelArtifact, meta: RegisterMeta): ModelRecord {
  const text = serializeArtifact(artifact);
  const sha = sha256Hex(text);
  const id = writeTransaction(db, () => {
    // Holding the write lock: no other registration is between its file and its row, so folders without a row
    // are orphans of a crash and safe to remove.
    removeOrphans(db, paths);
    const next = ((db.prepare('SELECT coalesce(max(id), 0) AS n FROM models').get() as { n: number }).n) + 1;
    const version = versionOf(next);
    const file = join(paths.models, version, ARTIFACT_FILE);
    writeFileAtomic(file, text);
    pausePoint('register:artifact-written');
    const base = baseDir(db);
    const stored = base ? relative(base, file) : file;
    db.prepare(
      `INSERT INTO models (id, version, kind, created_at, artifact_path, artifact_sha256, training_data_sha256, training_rows,
         params, metrics, duration_ms, git_commit, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      next, version, artifact.kind, new Date().toISOString(), stored.startsWith('..') ? file : stored, sha,
      artifact.trainingData.sha256, artifact.trainingData.rows, JSON.stringify(artifact.params),
      JSON.stringify(meta.metrics ?? artifact.metrics), meta.durationMs, meta.gitCommit ?? null, meta.decision ?? null,
    );
    return next;
  });
  return toRecord(db, db.prepare(`${SELECT_MODELS} WHERE m.id = ?`).get(id) as ModelRow);
}

/** Every registered model, oldest first. */
export function listModels(db: Db): ModelRecord[] {
  return (db.prepare(`${SELECT_MODELS} ORDER BY m.id`).all() as ModelRow[]).map((r) => toRecord(db, r));
}

export function getModel(db: Db, version: string): ModelRecord | undefined {
  const row = db.prepare(`${SELECT_MODELS} WHERE m.version = ?`).get(version) as ModelRow | undefined;
  return row && toRecord(db, row);
}

export function getChampion(db: Db): ModelRecord | undefined {
  const row = db.prepare(`${SELECT_MODELS} WHERE m.id = ${CHAMPION_ID_SQL}`).get() as ModelRow | undefined;
  return row && toRecord(db, row);
}

/** The champion's version: one indexed lookup, cheap enough to poll. */
export function championVersion(db: Db): string | undefined {
  const row = db
    .prepare('SELECT m.version FROM promotions p JOIN models m ON m.id = p.model_id ORDER BY p.id DESC LIMIT 1')
    .get() as { version: string } | undefined;
  return row?.version;
}

/** Records the model's latest decision (e.g. a manual promotion overriding "kept the champion"). */
export function setDecision(db: Db, version: string, decision: string): void {
  db.prepare('UPDATE models SET decision = ? WHERE version = ?').run(decision, version);
}

/** Every switch of the champion, oldest first. */
export function listPromotions(db: Db): Promotion[] {
  return db
    .prepare('SELECT m.version, p.action, p.reason, p.at FROM promotions p JOIN models m ON m.id = p.model_id ORDER BY p.id')
    .all() as Promotion[];
}

/** The chain of champions still in force: a promotion pushes, a rollback pops. The last is the champion. */
function championStack(db: Db): number[] {
  const stack: number[] = [];
  for (const p of db.prepare('SELECT model_id, action FROM promotions ORDER BY id').all() as { model_id: number; action: string }[]) {
    if (p.action === 'promote') stack.push(p.model_id);
    else stack.pop();
  }
  return stack;
}

/** The text of a model's artifact, checked against the SHA-256 recorded when it was registered. */
export function readArtifact(record: ModelRecord): string {
  const text = readTextIfExists(record.artifactPath);
  if (text === undefined) {
    throw new RegistryError('artifact_missing', `model ${record.version}: its artifact ${record.artifactPath} is missing`);
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

function requireModel(db: Db, version: string): ModelRow {
  const row = db.prepare(`${SELECT_MODELS} WHERE m.version = ?`).get(version) as ModelRow | undefined;
  if (!row) {
    const known = (db.prepare('SELECT version FROM models ORDER BY id').all() as { version: string }[]).map((r) => r.version);
    throw new RegistryError('not_found', `no model ${version} in the registry (known: ${known.join(', ') || 'none'})`);
  }
  return row;
}

/** Makes `version` the champion (after checking its artifact is intact); one transaction. */
export function promoteModel(db: Db, version: string, reason: string): ModelRecord {
  writeTransaction(db, () => {
    const row = requireModel(db, version);
    if (row.is_champion === 1) throw new RegistryError('already_champion', `model ${version} is already the champion`);
    readArtifact(toRecord(db, row));
    db.prepare("INSERT INTO promotions (model_id, action, reason, at) VALUES (?, 'promote', ?, ?)").run(row.id, reason, new Date().toISOString());
  });
  return getModel(db, version)!;
}

/** Puts back the champion that served before the current one; one transaction. */
export function rollbackChampion(db: Db, reason: string): ModelRecord {
  const id = writeTransaction(db, () => {
    const stack = championStack(db);
    if (stack.length === 0) throw new RegistryError('no_champion', 'there is no champion to roll back');
    if (stack.length === 1) {
      throw new RegistryError('no_previous_champion', `${versionOf(stack[0])} is the first champion; there is no earlier one to roll back to`);
    }
    const target = stack[stack.length - 2];
    const row = db.prepare(`${SELECT_MODELS} WHERE m.id = ?`).get(target) as ModelRow;
    readArtifact(toRecord(db, row));
    db.prepare("INSERT INTO promotions (model_id, action, reason, at) VALUES (?, 'rollback', ?, ?)").run(target, reason, new Date().toISOString());
    return target;
  });
  return toRecord(db, db.prepare(`${SELECT_MODELS} WHERE m.id = ?`).get(id) as ModelRow);
}
