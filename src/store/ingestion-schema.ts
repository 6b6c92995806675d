/**
 * Migration 1: the tables of ingestion (files, diamonds, rejects). The diamond columns and their CHECK
 * constraints are generated from the one field table in src/diamond, so the database can never accept a value
 * the validator refuses. Like every migration it is fixed once shipped: a later change to the field table
 * needs a new migration, and the text below is what version 1 applied.
 */
import { APPRAISAL_FIELDS, FIELDS, REASON_CODES, type Field } from '../diamond/index.js';
import type { Migration } from './migrations.js';

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * `col = 'a' OR col = 'b' …` rather than `col IN ('a', 'b', …)`: SQLite builds a temporary index for an IN list
 * each time a CHECK is evaluated, which made every insert several microseconds slower (measured: the three grade
 * checks took half the insert time of a million-row file).
 */
function oneOf(col: string, values: readonly string[]): string {
  return values.map((v) => `${col} = ${sqlString(v)}`).join(' OR ');
}

function columnSql(f: Field): string {
  const col = ident(f.name);
  if (f.kind === 'number') return `${col} REAL NOT NULL CHECK (${col} BETWEEN ${f.min} AND ${f.max})`;
  return `${col} TEXT NOT NULL CHECK (${oneOf(
    col,
    f.scale.map((g) => g.code),
  )})`;
}

/** The ten appraisal columns, quoted, in the reference file's order. */
export const APPRAISAL_COLUMNS_SQL = APPRAISAL_FIELDS.map(ident).join(', ');

export function ingestionSchemaSql(): string {
  return `
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  header TEXT NOT NULL,
  rows_read INTEGER NOT NULL DEFAULT 0,
  accepted INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  normalised INTEGER NOT NULL DEFAULT 0,
  by_reason TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(by_reason)),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('ingesting', 'ingested')),
  CHECK (status <> 'ingested' OR (finished_at IS NOT NULL AND rows_read = accepted + rejected))
) STRICT;

CREATE TABLE diamonds (
  id INTEGER PRIMARY KEY,
  ${APPRAISAL_FIELDS.map((n) => columnSql(FIELDS[n])).join(',\n  ')},
  file_id INTEGER NOT NULL REFERENCES files(id),
  line INTEGER NOT NULL CHECK (line >= 1),
  data_row INTEGER NOT NULL CHECK (data_row >= 0),
  extra TEXT CHECK (extra IS NULL OR json_valid(extra)),
  -- Two rows with all ten fields equal are the same appraisal: the second is a duplicate.
  UNIQUE (${APPRAISAL_COLUMNS_SQL})
) STRICT;
CREATE INDEX diamonds_by_file ON diamonds (file_id, line);

CREATE TABLE rejects (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files(id),
  line INTEGER NOT NULL CHECK (line >= 1),
  data_row INTEGER NOT NULL CHECK (data_row >= 0),
  raw_text TEXT NOT NULL,
  reasons TEXT NOT NULL CHECK (json_valid(reasons) AND json_type(reasons) = 'array'),
  reason TEXT NOT NULL CHECK (${oneOf('reason', REASON_CODES)})
) STRICT;
CREATE INDEX rejects_by_file ON rejects (file_id, line);
`;
}

export const INGESTION_MIGRATION: Migration = {
  version: 1,
  name: 'ingestion: files, diamonds, rejects',
  sql: ingestionSchemaSql(),
};

/**
 * The duplicate key: a whole number computed from price, carat, x and y (cents of carat and millimetre, whole
 * dollars), equal for equal appraisals. It is not unique — different stones may share it — so a duplicate is
 * found by looking the key up and then comparing all ten fields; it only narrows the search to a row or two.
 * One integer index is far cheaper to keep up than a ten-column UNIQUE index (measured at a million rows: the
 * ten-column index was 8.6 of SQLite's 12.5 s CPU). Each part is truncated and kept in its own bits
 * (20 + 10 + 11 + 11 = 52 bits), so the key is exact in SQL's integers and in JavaScript's doubles alike:
 * dupKey() in diamonds.ts computes the same number from the same values.
 */
export const DUP_KEY_SQL =
  '((CAST("price" AS INTEGER) % 1048576) * 1024 + CAST("carat" * 100 AS INTEGER) % 1024) * 4194304' +
  ' + (CAST("x" * 100 AS INTEGER) % 2048) * 2048 + CAST("y" * 100 AS INTEGER) % 2048';

/**
 * Migration 2: the diamonds table without its ten-column UNIQUE constraint, with the duplicate key (a generated
 * column) and an index on it instead. SQLite cannot drop a table constraint, so the table is rebuilt (its rows and
 * ids copied as they are) and its indexes are created again. That includes diamonds_by_grades_carat, the API's
 * (migration 20): on a database made before this migration, dropping the old table dropped it; SQL cannot create
 * an index only if a later migration was applied, so it is created here whenever missing, and migration 20 says
 * IF NOT EXISTS (the schema is the same either way).
 */
export function dupKeyMigrationSql(): string {
  const columns = `id, ${APPRAISAL_COLUMNS_SQL}, file_id, line, data_row, extra`;
  return `
CREATE TABLE diamonds_rebuilt (
  id INTEGER PRIMARY KEY,
  ${APPRAISAL_FIELDS.map((n) => columnSql(FIELDS[n])).join(',\n  ')},
  file_id INTEGER NOT NULL REFERENCES files(id),
  line INTEGER NOT NULL CHECK (line >= 1),
  data_row INTEGER NOT NULL CHECK (data_row >= 0),
  extra TEXT CHECK (extra IS NULL OR json_valid(extra)),
  -- Equal appraisals have equal keys; see DUP_KEY_SQL.
  dup_key INTEGER GENERATED ALWAYS AS (${DUP_KEY_SQL}) VIRTUAL
) STRICT;
INSERT INTO diamonds_rebuilt (${columns}) SELECT ${columns} FROM diamonds ORDER BY id;
DROP TABLE diamonds;
ALTER TABLE diamonds_rebuilt RENAME TO diamonds;
CREATE INDEX diamonds_by_file ON diamonds (file_id, line);
CREATE INDEX diamonds_by_dup_key ON diamonds (dup_key);
CREATE INDEX IF NOT EXISTS diamonds_by_grades_carat ON diamonds (cut, color, clarity, carat);
`;
}

export const INGESTION_DUP_KEY_MIGRATION: Migration = {
  version: 2,
  name: 'ingestion: duplicate key instead of a ten-column unique index',
  sql: dupKeyMigrationSql(),
};
