/**
 * Opening the store a configuration names: PostgreSQL when LOUPE_DATABASE_URL is a postgres:// URL, else the
 * SQLite file under LOUPE_HOME, exactly as before. Either way pending migrations are applied first.
 */
import { openDatabase, type Db } from './db.js';
import { sqlitePipelineStore, type PipelineStore } from './pipeline-store.js';
import { createPool, openPostgres, type PoolOptions } from './postgres/connect.js';
import { postgresPipelineStore } from './postgres/pipeline.js';
import { postgresStore } from './postgres/store.js';
import { sqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export interface StoreLocation {
  /** The SQLite file (used when databaseUrl is null). */
  database: string;
  /** A postgres:// URL, or null for SQLite. */
  databaseUrl: string | null;
  /** LOUPE_HOME: where the registry's relative artifact paths resolve. */
  home: string;
}

export interface OpenedStore {
  store: Store;
  /** The SQLite connection behind the store (what SQLite-only tools still use); null on PostgreSQL. */
  db: Db | null;
  /**
   * The pipeline's view of the same database (bootstrap on first start): closed with `store`, or on a pool of its
   * own (a store with a statement timeout) closed by its own close().
   */
  pipeline: PipelineStore;
}

/** Throws DatabaseConfigError (a message naming the URL without its password) when PostgreSQL cannot be used. */
export async function openStore(where: StoreLocation, options: PoolOptions = {}): Promise<OpenedStore> {
  if (where.databaseUrl !== null) {
    const pool = await openPostgres(where.databaseUrl, options);
    // The pipeline (a first start's ingest and training) runs statements without a time bound, on a pool of its
    // own when the store's has one; it makes its connections only if used, and its close() ends them.
    const pipelinePool =
      options.statementTimeoutMs === undefined
        ? null
        : createPool(where.databaseUrl, { max: 2, onIdleError: options.onIdleError });
    return {
      store: postgresStore(pool, { home: where.home }),
      db: null,
      pipeline: postgresPipelineStore(pipelinePool ?? pool, { home: where.home, owned: pipelinePool !== null }),
    };
  }
  const db = openDatabase(where.database);
  return { store: sqliteStore(db), db, pipeline: sqlitePipelineStore(db) };
}

/** The pipeline's store alone (`loupe ingest`, `loupe pipeline`): its close() closes the connection or pool. */
export async function openPipelineStore(where: StoreLocation, options: PoolOptions = {}): Promise<PipelineStore> {
  if (where.databaseUrl !== null)
    return postgresPipelineStore(await openPostgres(where.databaseUrl, options), { home: where.home, owned: true });
  return sqlitePipelineStore(openDatabase(where.database), { owned: true });
}
