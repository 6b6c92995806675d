/**
 * What the retraining pipeline reads and writes (src/pipeline): the ingested files and stones, training snapshots,
 * the registry's models and champion, the runs, and the run lock. One interface, two implementations: SQLite
 * (here, over the synchronous connection) and PostgreSQL (postgres/pipeline.ts), so that `loupe pipeline run` and
 * a server's first start work on either database; the pipeline does not know which it has.
 *
 * The registry's writes of one pipeline run (models, decisions, the promotion) happen inside `writeTransaction`:
 * all of them or none, holding the database's write lock (SQLite) or the registry's advisory lock (PostgreSQL).
 */
import { beginWrite, type Db } from './db.js';
import { listAppraisalRows, type AppraisalRow } from './diamonds.js';
import { countFiles, findFilesByName, listFiles, listIngestedFiles, type FileRecord } from './files.js';
import { sqliteIngestTarget, type IngestTarget } from './ingest-target.js';
import {
  getChampion,
  getModel,
  insertModel,
  insertPromotion,
  listModels,
  listPromotions,
  maxModelId,
  modelVersions,
  setDecision,
  type ModelRecord,
  type NewModel,
  type Promotion,
  type PromotionAction,
} from './models.js';
import { listRejects, type RejectRecord, type RejectsQuery } from './rejects.js';
import { readRunLock, type LockRecord } from './run-lock.js';
import {
  finishRun,
  listRuns,
  markInterrupted,
  recordSteps,
  startRun,
  type RunRecord,
  type RunStatus,
  type StepRecord,
} from './runs.js';
import { getSnapshot, insertSnapshot, snapshotDiamondIds, type Snapshot } from './snapshots.js';
import type { StoreBackend } from './store.js';

/** The registry's reads and writes inside one write transaction. */
export interface RegistryWrites {
  /** The highest model id so far (0 with none). */
  maxModelId(): Promise<number>;
  modelVersions(): Promise<string[]>;
  insertModel(model: NewModel): Promise<void>;
  setDecision(version: string, decision: string): Promise<void>;
  getModel(version: string): Promise<ModelRecord | undefined>;
  getChampion(): Promise<ModelRecord | undefined>;
  listPromotions(): Promise<Promotion[]>;
  insertPromotion(version: string, action: PromotionAction, reason: string, at: string): Promise<void>;
}

export interface RunFields {
  decision?: string | null;
  summary?: unknown;
  error?: string | null;
}

/** The run lock held by this process's session (PostgreSQL): freed by release(), or by the database on disconnect. */
export interface SessionLock {
  /** The holder recorded before this one, if its session ended without releasing (a killed run). */
  readonly previous: LockRecord | undefined;
  release(): Promise<void>;
}

export interface PipelineStore {
  readonly backend: StoreBackend;
  /** The SQLite connection (its run lock is a lease row the pipeline's lock.ts manages); absent on PostgreSQL. */
  readonly sqlite?: Db;
  /**
   * PostgreSQL's run lock: a session-level advisory lock on a connection of its own, taken without waiting; the
   * holder is also written to pipeline_lock so others can say who has it. `busy` when another session holds it.
   */
  trySessionLock?(holder: LockRecord): Promise<{ held: SessionLock } | { busy: LockRecord | undefined }>;
  /** Who holds (or last held) the run lock, as recorded. */
  readRunLock(): Promise<LockRecord | undefined>;
  countFiles(): Promise<number>;
  /** Every file, in id order (those being ingested too). */
  listFiles(): Promise<FileRecord[]>;
  /** The files with this name or path, in id order. */
  findFilesByName(name: string): Promise<FileRecord[]>;
  listIngestedFiles(): Promise<FileRecord[]>;
  /** Rejected rows in file and line order, of one file or all (`loupe rejects`). */
  listRejects(options?: RejectsQuery): Promise<RejectRecord[]>;
  /** Every stored stone with its file and data row, in id order. */
  listAppraisalRows(): Promise<AppraisalRow[]>;
  insertSnapshot(snapshot: Snapshot, diamondIds: readonly number[]): Promise<void>;
  getSnapshot(sha256: string): Promise<Snapshot | undefined>;
  snapshotDiamondIds(sha256: string): Promise<number[] | undefined>;
  getChampion(): Promise<ModelRecord | undefined>;
  getModel(version: string): Promise<ModelRecord | undefined>;
  listModels(): Promise<ModelRecord[]>;
  /** Runs `fn` in one write transaction of the registry; committed when it resolves, rolled back when it throws. */
  writeTransaction<T>(fn: (w: RegistryWrites) => Promise<T>): Promise<T>;
  /** Marks runs still "running" as interrupted (called by the lock's holder, so none of them is alive). */
  markInterrupted(): Promise<number>;
  startRun(): Promise<number>;
  recordSteps(id: number, steps: StepRecord[]): Promise<void>;
  finishRun(id: number, status: RunStatus, fields: RunFields): Promise<void>;
  listRuns(limit?: number): Promise<RunRecord[]>;
  /** Where ingestion stores a file (one ingestion at a time). */
  ingestion(): IngestTarget;
  close(): Promise<void>;
}

function sqliteRegistryWrites(db: Db): RegistryWrites {
  return {
    maxModelId: async () => maxModelId(db),
    modelVersions: async () => modelVersions(db),
    insertModel: async (m) => insertModel(db, m),
    setDecision: async (version, decision) => setDecision(db, version, decision),
    getModel: async (version) => getModel(db, version),
    getChampion: async () => getChampion(db),
    listPromotions: async () => listPromotions(db),
    insertPromotion: async (version, action, reason, at) => insertPromotion(db, version, action, reason, at),
  };
}

/** The pipeline's store over an SQLite connection; close() closes the connection only when `owned`. */
export function sqlitePipelineStore(db: Db, options: { owned?: boolean } = {}): PipelineStore {
  const writes = sqliteRegistryWrites(db);
  return {
    backend: 'sqlite',
    sqlite: db,
    readRunLock: async () => readRunLock(db),
    countFiles: async () => countFiles(db),
    listFiles: async () => listFiles(db),
    findFilesByName: async (name) => findFilesByName(db, name),
    listIngestedFiles: async () => listIngestedFiles(db),
    listRejects: async (options) => listRejects(db, options),
    listAppraisalRows: async () => listAppraisalRows(db),
    insertSnapshot: async (snapshot, ids) => insertSnapshot(db, snapshot, ids),
    getSnapshot: async (sha256) => getSnapshot(db, sha256),
    snapshotDiamondIds: async (sha256) => snapshotDiamondIds(db, sha256),
    getChampion: async () => getChampion(db),
    getModel: async (version) => getModel(db, version),
    listModels: async () => listModels(db),
    async writeTransaction(fn) {
      // BEGIN IMMEDIATE held across the awaits of `fn`: nothing else uses this connection meanwhile (the pipeline
      // has it to itself), and every call inside is a synchronous statement on it.
      const tx = beginWrite(db);
      try {
        const result = await fn(writes);
        tx.commit();
        return result;
      } catch (error) {
        tx.rollback();
        throw error;
      }
    },
    markInterrupted: async () => markInterrupted(db),
    startRun: async () => startRun(db),
    recordSteps: async (id, steps) => recordSteps(db, id, steps),
    finishRun: async (id, status, fields) => finishRun(db, id, status, fields),
    listRuns: async (limit) => listRuns(db, limit),
    ingestion: () => sqliteIngestTarget(db),
    async close() {
      if (options.owned && db.open) db.close();
    },
  };
}

/** A PipelineStore as given, or one over an SQLite connection (the tests and tools that hold a Db). */
export function asPipelineStore(on: Db | PipelineStore): PipelineStore {
  return 'backend' in on && 'listAppraisalRows' in on ? on : sqlitePipelineStore(on as Db);
}
