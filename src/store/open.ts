/**
 * Opening the store a configuration names: PostgreSQL when LOUPE_DATABASE_URL is a postgres:// URL, else the
 * SQLite file under LOUPE_HOME, exactly as before. Either way pending migrations are applied first.
 */
import { openDatabase, type Db } from './db.js';
import { sqlitePipelineStore, type PipelineStore } from './pipeline-store.js';
import { openPostgres, type PoolOptions } from './postgres/connect.js';
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
  /** The pipeline's view of the same database (bootstrap on first start); closed with `store`. */
  pipeline: PipelineStore;
}

/** Throws DatabaseConfigError (a message naming the URL without its password) when PostgreSQL cannot be used. */
export async function openStore(where: StoreLocation, options: PoolOptions = {}): Promise<OpenedStore> {
  if (where.databaseUrl !== null) {
    const pool = await openPostgres(where.databaseUrl, options);
    return {
      store: postgresStore(pool, { home: where.home }),
      db: null,
      pipeline: postgresPipelineStore(pool, { home: where.home }),
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
