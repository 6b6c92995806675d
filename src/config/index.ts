/**
 * Where Loupe reads and writes, from the environment with embedded defaults.
 * Everything Loupe writes goes under LOUPE_HOME; the reference data is read from LOUPE_DATA.
 */
import { resolve, join } from 'node:path';

export interface LoupePaths {
  /** Root of everything Loupe writes (default ./var). */
  home: string;
  /** The SQLite database. */
  database: string;
  /**
   * LOUPE_DATABASE_URL when it names PostgreSQL (postgres:// or postgresql://): the shared database several
   * servers use instead of the SQLite file; null keeps SQLite (any other value, or unset).
   */
  databaseUrl: string | null;
  /** Model artifacts, one folder per version. */
  models: string;
  /** Reports and model cards. */
  reports: string;
  /** The reference appraisals the first model learns from. */
  referenceData: string;
}

export const DEFAULT_HOME = './var';

/**
 * The environment as Loupe reads it, for every reader of a variable: one set to nothing or to spaces only is left
 * out, so it means its default as if unset (a compose file or cron line writing `LOUPE_HOME=$UNSET` must not put
 * the database in the current folder, nor `LOUPE_INCOMING=` leave the landing folder unread).
 */
export function readEnv(env: Readonly<Record<string, string | undefined>> = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}
export const DEFAULT_REFERENCE_DATA = '../shared/data/diamonds.csv';

export function loupePaths(
  processEnv: NodeJS.ProcessEnv = process.env,
  overrides: { home?: string; data?: string } = {},
): LoupePaths {
  const env = readEnv(processEnv);
  const home = resolve(overrides.home ?? env.LOUPE_HOME ?? DEFAULT_HOME);
  return {
    home,
    database: join(home, 'loupe.db'),
    databaseUrl: /^postgres(ql)?:\/\//i.test(env.LOUPE_DATABASE_URL?.trim() ?? '')
      ? env.LOUPE_DATABASE_URL!.trim()
      : null,
    models: join(home, 'models'),
    reports: join(home, 'reports'),
    referenceData: resolve(overrides.data ?? env.LOUPE_DATA ?? DEFAULT_REFERENCE_DATA),
  };
}
