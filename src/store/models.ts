/**
 * The models and promotions tables (migration 10): one row per registered model, and one per switch of the
 * champion. The champion is the model of the latest promotions row, so switching it is one INSERT and the
 * history stays. The registry (src/registry) decides what is written; this module only reads and writes rows.
 *
 * Artifact paths are stored relative to the database's folder (LOUPE_HOME), so a moved home still finds its
 * artifacts; records carry them absolute.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Db } from './db.js';

export interface ModelRecord {
  version: string;
  kind: string;
  createdAt: string;
  /** When this model last became champion (promotion or rollback); null if it never served. */
  promotedAt: string | null;
  /**
   * How it last became champion (the latest promotions row naming it) and the reason recorded; null if it never
   * served. A promotion by hand (`loupe models promote`) has a reason starting "manual: ".
   */
  promotion: { action: PromotionAction; reason: string } | null;
  isChampion: boolean;
  /** Absolute path of the artifact file. */
  artifactPath: string;
  artifactSha256: string;
  trainingDataSha256: string;
  trainingRows: number;
  params: Record<string, unknown>;
  /** As stored: read it through the registry's upgradeMetrics (the metrics contract), never as it comes. */
  metrics: unknown;
  durationMs: number;
  gitCommit: string | null;
  /** What the pipeline decided about this model and why (promoted, kept the champion, …). */
  decision: string | null;
}

/** A model row to insert (artifact path absolute): its id is the counter its version is made of. */
export type NewModel = Omit<ModelRecord, 'promotedAt' | 'promotion' | 'isChampion'> & { id: number };

export type PromotionAction = 'promote' | 'rollback';

export interface Promotion {
  version: string;
  action: PromotionAction;
  reason: string;
  at: string;
}

/** A models row with its promotion columns, as either database returns it. */
export interface ModelRow {
  id: number;
  version: string;
  kind: string;
  created_at: string;
  artifact_path: string;
  artifact_sha256: string;
  training_data_sha256: string;
  training_rows: number;
  params: string;
  metrics: string;
  duration_ms: number;
  git_commit: string | null;
  decision: string | null;
  promoted_at: string | null;
  promotion_action: PromotionAction | null;
  promotion_reason: string | null;
  /** 1/0 from SQLite, true/false from PostgreSQL. */
  is_champion: number | boolean;
}

/** The folder that relative artifact paths are stored against: the database's folder (LOUPE_HOME). */
function baseDir(db: Db): string | undefined {
  return db.name === ':memory:' || db.name === '' ? undefined : dirname(resolve(db.name));
}

/** The champion's id: the model of the latest promotions row. */
const CHAMPION_ID_SQL = '(SELECT model_id FROM promotions ORDER BY id DESC LIMIT 1)';

/**
 * The models listing, in SQL that SQLite and PostgreSQL both read (postgres/store.ts runs it too): each model with
 * when and how it last became champion and whether it is the champion now (1/0 in SQLite, a boolean in
 * PostgreSQL). `tail` is the WHERE / ORDER BY part, with the dialect's own placeholders.
 */
export function selectModelsSql(tail: 'all' | 'champion' | { versionIs: string }): string {
  const where =
    tail === 'all'
      ? 'ORDER BY m.id'
      : tail === 'champion'
        ? `WHERE m.id = ${CHAMPION_ID_SQL}`
        : `WHERE m.version = ${tail.versionIs}`;
  return `SELECT m.*,
    (SELECT max(p.at) FROM promotions p WHERE p.model_id = m.id) AS promoted_at,
    (SELECT p.action FROM promotions p WHERE p.model_id = m.id ORDER BY p.id DESC LIMIT 1) AS promotion_action,
    (SELECT p.reason FROM promotions p WHERE p.model_id = m.id ORDER BY p.id DESC LIMIT 1) AS promotion_reason,
    coalesce(m.id = ${CHAMPION_ID_SQL}, false) AS is_champion
  FROM models m ${where}`;
}

/** The champion's version (both dialects): one indexed lookup, cheap enough to poll. */
export const CHAMPION_VERSION_SQL =
  'SELECT m.version FROM promotions p JOIN models m ON m.id = p.model_id ORDER BY p.id DESC LIMIT 1';

function toRecord(db: Db, r: ModelRow): ModelRecord {
  return modelFromRow(r, baseDir(db));
}

/** A record from its row; a relative artifact path is resolved against `base` (LOUPE_HOME). */
export function modelFromRow(r: ModelRow, base: string | undefined): ModelRecord {
  return {
    version: r.version,
    kind: r.kind,
    createdAt: r.created_at,
    promotedAt: r.promoted_at,
    promotion:
      r.promotion_action === null || r.promotion_reason === null
        ? null
        : { action: r.promotion_action, reason: r.promotion_reason },
    isChampion: r.is_champion === 1 || r.is_champion === true,
    artifactPath: base && !isAbsolute(r.artifact_path) ? resolve(base, r.artifact_path) : r.artifact_path,
    artifactSha256: r.artifact_sha256,
    trainingDataSha256: r.training_data_sha256,
    trainingRows: r.training_rows,
    params: JSON.parse(r.params) as Record<string, unknown>,
    metrics: JSON.parse(r.metrics) as unknown,
    durationMs: r.duration_ms,
    gitCommit: r.git_commit,
    decision: r.decision,
  };
}

/** The highest model id so far (0 with none): the next registration takes the one after. */
export function maxModelId(db: Db): number {
  return (db.prepare('SELECT coalesce(max(id), 0) AS n FROM models').get() as { n: number }).n;
}

/** Every registered version, oldest first. */
export function modelVersions(db: Db): string[] {
  return (db.prepare('SELECT version FROM models ORDER BY id').all() as { version: string }[]).map((r) => r.version);
}

export function insertModel(db: Db, m: NewModel): void {
  const base = baseDir(db);
  const stored = base ? relative(base, m.artifactPath) : m.artifactPath;
  db.prepare(
    `INSERT INTO models (id, version, kind, created_at, artifact_path, artifact_sha256, training_data_sha256, training_rows,
       params, metrics, duration_ms, git_commit, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    m.id,
    m.version,
    m.kind,
    m.createdAt,
    stored.startsWith('..') ? m.artifactPath : stored,
    m.artifactSha256,
    m.trainingDataSha256,
    m.trainingRows,
    JSON.stringify(m.params),
    JSON.stringify(m.metrics),
    m.durationMs,
    m.gitCommit,
    m.decision,
  );
}

/** Every registered model, oldest first. */
export function listModels(db: Db): ModelRecord[] {
  return (db.prepare(selectModelsSql('all')).all() as ModelRow[]).map((r) => toRecord(db, r));
}

export function getModel(db: Db, version: string): ModelRecord | undefined {
  const row = db.prepare(selectModelsSql({ versionIs: '?' })).get(version) as ModelRow | undefined;
  return row && toRecord(db, row);
}

export function getChampion(db: Db): ModelRecord | undefined {
  const row = db.prepare(selectModelsSql('champion')).get() as ModelRow | undefined;
  return row && toRecord(db, row);
}

/** The champion's version: one indexed lookup, cheap enough to poll. */
export function championVersion(db: Db): string | undefined {
  const row = db.prepare(CHAMPION_VERSION_SQL).get() as { version: string } | undefined;
  return row?.version;
}

/** Records the model's latest decision (e.g. a manual promotion overriding "kept the champion"). */
export function setDecision(db: Db, version: string, decision: string): void {
  db.prepare('UPDATE models SET decision = ? WHERE version = ?').run(decision, version);
}

/** Every switch of the champion, oldest first. */
/** Every promotion and rollback, oldest first (the same SQL on PostgreSQL). */
export const PROMOTIONS_SQL =
  'SELECT m.version, p.action, p.reason, p.at FROM promotions p JOIN models m ON m.id = p.model_id ORDER BY p.id';

export function listPromotions(db: Db): Promotion[] {
  return db.prepare(PROMOTIONS_SQL).all() as Promotion[];
}

/** Makes `version` the champion from now (a promotion or a rollback to it). */
export function insertPromotion(db: Db, version: string, action: PromotionAction, reason: string, at: string): void {
  const info = db
    .prepare('INSERT INTO promotions (model_id, action, reason, at) SELECT id, ?, ?, ? FROM models WHERE version = ?')
    .run(action, reason, at, version);
  if (info.changes !== 1) throw new Error(`no model ${version} to make champion`);
}

export const PROMOTION_COUNT_SQL = 'SELECT count(*) AS n FROM promotions';

/**
 * insertPromotion only if the history still has `historyLength` rows, in one write transaction (SQLite takes its
 * write lock first: BEGIN IMMEDIATE), so that two changes decided from the same history cannot both be written.
 */
export function insertPromotionIfUnchanged(
  db: Db,
  version: string,
  action: PromotionAction,
  reason: string,
  at: string,
  historyLength: number,
): boolean {
  return db
    .transaction(() => {
      const { n } = db.prepare(PROMOTION_COUNT_SQL).get() as { n: number };
      if (n !== historyLength) return false;
      insertPromotion(db, version, action, reason, at);
      return true;
    })
    .immediate();
}
