/**
 * `loupe db copy`: moves an SQLite home's database into an empty PostgreSQL database, one way, in one
 * PostgreSQL transaction (all or nothing), rows and ids as they are; then counts every table on both sides and
 * fails, rolling back, if any differs, as it does if the running totals PostgreSQL's triggers made of the copied
 * files and runs differ from SQLite's. Artifacts stay files: the registry's relative paths resolve under the
 * servers' LOUPE_HOME, where the models folder is copied by the operator (or shared).
 */
import type pg from 'pg';
import type { Db } from '../db.js';
import { COPIED_TABLES, DERIVED_TABLES } from './schema.js';
import { withTransaction } from './transaction.js';

export interface CopiedTable {
  table: string;
  sqlite: number;
  postgres: number;
}

export interface CopyReport {
  tables: CopiedTable[];
  /** Tables of the SQLite database this version of Loupe does not copy (none, unless a newer Loupe made it). */
  skipped: string[];
}

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters a statement. */
const ROWS_PER_INSERT = 2000;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export async function copySqliteToPostgres(db: Db, pool: pg.Pool): Promise<CopyReport> {
  const known = new Set([...COPIED_TABLES.map((t) => t.table), ...DERIVED_TABLES]);
  const skipped = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string;
    }[]
  )
    .map((r) => r.name)
    .filter((n) => !known.has(n) && n !== 'schema_migrations');
  return withTransaction(pool, async (client) => {
    const tables: CopiedTable[] = [];
    for (const { table, identity } of COPIED_TABLES) {
      const [{ n: already }] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(table)}`))
        .rows;
      if (already > 0)
        throw new Error(
          `the PostgreSQL database is not empty (${table} has ${already} rows): copy into a new database`,
        );
      // table_info lists stored columns only: generated ones (diamonds.dup_key) are computed again on arrival.
      const columns = (db.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string }[]).map((c) => c.name);
      const insert = (rows: unknown[][]) => {
        const values = rows
          .map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`)
          .join(', ');
        return client.query(
          `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${values}`,
          rows.flat(),
        );
      };
      // In rowid order, so that what grows with time (valuations' seq) keeps its order.
      const select = db.prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} ORDER BY rowid`).raw();
      let chunk: unknown[][] = [];
      for (const row of select.iterate() as Iterable<unknown[]>) {
        chunk.push(row);
        if (chunk.length === ROWS_PER_INSERT) {
          await insert(chunk);
          chunk = [];
        }
      }
      if (chunk.length > 0) await insert(chunk);
      if (identity)
        await client.query(
          `SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 0) + 1, false) FROM ${quote(table)}`,
          [table],
        );
      const sqlite = (db.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number }).n;
      const [{ n: postgres }] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(table)}`))
        .rows;
      tables.push({ table, sqlite, postgres });
    }
    const differ = tables.filter((t) => t.sqlite !== t.postgres);
    if (differ.length > 0)
      throw new Error(
        `counts differ after the copy (${differ.map((t) => `${t.table}: ${t.sqlite} in SQLite, ${t.postgres} in PostgreSQL`).join('; ')}); nothing was copied`,
      );
    // Sorted here: the two databases' collations may order the text keys differently.
    const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
    for (const table of DERIVED_TABLES) {
      const all = `SELECT * FROM ${quote(table)}`;
      const there = sorted((await client.query(all)).rows);
      if (sorted(db.prepare(all).all()).join('\n') !== there.join('\n'))
        throw new Error(`the running totals in ${table} differ after the copy; nothing was copied`);
    }
    return { tables, skipped };
  });
}
