/**
 * Opening the configured store for one command: PostgreSQL when LOUPE_DATABASE_URL names it, else the SQLite
 * file under --home / LOUPE_HOME. A database that cannot be used (DatabaseConfigError) is a clear message and exit
 * 1, never a stack (cli/run.ts).
 * The store's modules (the database drivers among them) load on first use, so a command's help never waits for them.
 */
import { existsSync } from 'node:fs';
import { loupePaths, readEnv } from '../config/index.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import type { Store } from '../store/store.js';
import { CliError, EXIT_USAGE } from './output.js';

/**
 * For a command that only reads what a home holds, or changes only what is already in it (a listing, a promotion,
 * a revocation): an SQLite home that does not exist is a usage error naming it. Opening its database would make the
 * folder and an empty database, and a mistyped --home would read as an empty history. On PostgreSQL
 * (LOUPE_DATABASE_URL) the data is not in the home: nothing to check.
 */
export function mustBeAHome(opts: { home?: string }): void {
  const paths = loupePaths(process.env, { home: opts.home });
  if (paths.databaseUrl !== null || existsSync(paths.home)) return;
  const given =
    opts.home !== undefined
      ? 'check --home'
      : readEnv().LOUPE_HOME !== undefined
        ? 'check LOUPE_HOME'
        : 'run from the folder that holds var/, or set --home or LOUPE_HOME';
  throw new CliError(`no Loupe home at ${paths.home} (nothing has been stored or trained there); ${given}`, EXIT_USAGE);
}

/** The --home option's help of a command that checks mustBeAHome. */
export const EXISTING_HOME_HELP =
  'where Loupe keeps its data, which must exist: this command makes no home (default: $LOUPE_HOME or ./var)';

/** withStore for a command that reads (mustBeAHome): the home must exist already. */
export function withExistingStore<T>(opts: { home?: string }, fn: (store: Store) => Promise<T>): Promise<T> {
  mustBeAHome(opts);
  return withStore(opts, fn);
}

/** withPipelineStore for a command that reads (mustBeAHome): the home must exist already. */
export function withExistingPipelineStore<T>(
  opts: { home?: string },
  fn: (store: PipelineStore) => Promise<T>,
): Promise<T> {
  mustBeAHome(opts);
  return withPipelineStore(opts, fn);
}

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
