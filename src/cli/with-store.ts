/**
 * Opening the configured store for one command: PostgreSQL when LOUPE_DATABASE_URL names it, else the SQLite
 * file under --home / LOUPE_HOME. A database that cannot be used (DatabaseConfigError) is a clear message and exit
 * 1, never a stack (cli/run.ts).
 * The store's modules (the database drivers among them) load on first use, so a command's help never waits for them.
 */
import { loupePaths } from '../config/index.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import type { Store } from '../store/store.js';

export async function withStore<T>(opts: { home?: string }, fn: (store: Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../store/open.js');
  const { store } = await openStore(loupePaths(process.env, { home: opts.home }));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** withStore for the pipeline's store (`loupe ingest`, `loupe pipeline`): the same database, the same messages. */
export async function withPipelineStore<T>(
  opts: { home?: string },
  fn: (store: PipelineStore) => Promise<T>,
): Promise<T> {
  const { openPipelineStore } = await import('../store/open.js');
  const store = await openPipelineStore(loupePaths(process.env, { home: opts.home }));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
