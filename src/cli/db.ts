/**
 * `loupe db migrate|status|copy`: the database behind Loupe — SQLite under LOUPE_HOME, or PostgreSQL when
 * LOUPE_DATABASE_URL names it. Servers and commands apply pending migrations when they start; `migrate` does it
 * on purpose (before a fleet starts), `status` says what is applied, and `copy` moves an SQLite home's database
 * into an empty PostgreSQL one, one way, checking the counts of every table on both sides.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loupePaths } from '../config/index.js';
import { CliError, EXIT_USAGE, emit } from './output.js';
import type { RegisterCommand } from './program.js';
import { EXISTING_HOME_HELP, mustBeAHome } from './with-store.js';

interface DbOpts {
  json?: boolean;
  home?: string;
}

type Status = { version: number; name: string; appliedAt: string | null };

/** The database modules (and their drivers), loaded when a subcommand runs: `loupe --help` needs none of them. */
const sqlite = () => import('../store/db.js');
const postgres = () => import('../store/postgres/connect.js');

async function withPostgres<T>(url: string, migrate: boolean, fn: (pool: import('pg').Pool) => Promise<T>): Promise<T> {
  const { openPostgres } = await postgres();
  const pool = await openPostgres(url, { migrate });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

async function status(opts: DbOpts, migrateFirst: boolean): Promise<void> {
  if (!migrateFirst) mustBeAHome(opts);
  const paths = loupePaths(process.env, { home: opts.home });
  const { describeConnectError, migratePostgres, postgresMigrationStatus, redactUrl } = await postgres();
  const { openDatabase, sqliteMigrationStatus } = await sqlite();
  let result: { backend: string; database: string; migrations: Status[]; appliedNow?: number[] };
  if (paths.databaseUrl !== null) {
    result = await withPostgres(paths.databaseUrl, false, async (pool) => {
      // Refused as a start is (a user that may not create tables, a schema a newer Loupe made): one line.
      const appliedNow = migrateFirst
        ? await migratePostgres(pool).catch((e: unknown) => {
            throw describeConnectError(paths.databaseUrl!, e);
          })
        : undefined;
      return {
        backend: 'postgres',
        database: redactUrl(paths.databaseUrl!),
        migrations: await postgresMigrationStatus(pool),
        appliedNow,
      };
    });
  } else {
    // Opening SQLite for writing applies its migrations; status alone opens it read-only, so it must exist.
    if (!migrateFirst && !existsSync(paths.database))
      throw new CliError(
        `no database at ${paths.database} yet: Loupe makes it at its first start (loupe serve), ingest or pipeline run; \`loupe db migrate\` makes it now`,
      );
    const db = openDatabase(paths.database, { readonly: !migrateFirst });
    try {
      result = { backend: 'sqlite', database: paths.database, migrations: sqliteMigrationStatus(db) };
    } finally {
      db.close();
    }
  }
  emit(opts, result, (r) => {
    const pending = r.migrations.filter((m) => m.appliedAt === null);
    return [
      `${r.backend} ${r.database}: ${r.migrations.length - pending.length} of ${r.migrations.length} migrations applied${pending.length ? ` (${pending.length} pending: \`loupe db migrate\`)` : ''}`,
      ...r.migrations.map(
        (m) => `  ${String(m.version).padStart(3)}  ${m.appliedAt ?? 'pending                 '}  ${m.name}`,
      ),
    ].join('\n');
  });
}

async function copy(opts: DbOpts & { from: string; to: string }): Promise<void> {
  const { isPostgresUrl, redactUrl } = await postgres();
  const { openDatabase } = await sqlite();
  const { copySqliteToPostgres } = await import('../store/postgres/copy.js');
  if (!opts.from.startsWith('sqlite:'))
    throw new CliError(
      `--from must be sqlite:PATH (an SQLite file, e.g. sqlite:var/loupe.db), not "${opts.from}"`,
      EXIT_USAGE,
    );
  if (!isPostgresUrl(opts.to))
    throw new CliError(`--to must be a postgres:// URL, not "${redactUrl(opts.to)}"`, EXIT_USAGE);
  const file = opts.from.slice('sqlite:'.length);
  // Opening it applies SQLite's pending migrations, so its tables are the ones PostgreSQL's schema mirrors.
  const db = openDatabase(file);
  try {
    const report = await withPostgres(opts.to, true, async (pool) => {
      try {
        return await copySqliteToPostgres(db, pool);
      } catch (e) {
        throw new CliError(`copy failed, nothing was copied: ${(e as Error).message}`);
      }
    });
    emit(opts, { from: file, to: redactUrl(opts.to), ...report }, (r) =>
      [
        `copied ${r.from} to ${r.to} (counts equal on both sides):`,
        ...r.tables.map((t) => `  ${t.table.padEnd(20)} ${t.postgres}`),
        ...(r.skipped.length ? [`not copied (unknown to this Loupe): ${r.skipped.join(', ')}`] : []),
        'Model artifacts stay files: give every server the models folder (LOUPE_HOME/models) of this home.',
      ].join('\n'),
    );
  } finally {
    db.close();
  }
}

export const registerDb: RegisterCommand = (program: Command) => {
  const db = program
    .command('db')
    .description('The database: SQLite under LOUPE_HOME, or PostgreSQL when LOUPE_DATABASE_URL names it.');
  db.command('migrate')
    .description('Apply pending migrations now (servers also do at start; safe while others start).')
    .option('--json', 'print JSON for machines')
    .option('--home <dir>', 'where Loupe keeps its data (default: $LOUPE_HOME or ./var)')
    .action((opts: DbOpts) => status(opts, true));
  db.command('status')
    .description('Which database, and which migrations are applied.')
    .option('--json', 'print JSON for machines')
    .option('--home <dir>', EXISTING_HOME_HELP)
    .action((opts: DbOpts) => status(opts, false));
  db.command('copy')
    .description('Move an SQLite database into an empty PostgreSQL database (one way; counts checked on both sides).')
    .requiredOption('--from <sqlite:PATH>', 'the SQLite file, e.g. sqlite:var/loupe.db')
    .requiredOption('--to <postgres://URL>', 'the PostgreSQL database (empty; migrated first)')
    .option('--json', 'print JSON for machines')
    .addHelpText(
      'after',
      '\nExample:\n  $ loupe db copy --from sqlite:var/loupe.db --to postgres://loupe:PASSWORD@db.internal:5432/loupe',
    )
    .action(copy);
};
