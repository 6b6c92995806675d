/**
 * The diamonds table: every accepted appraisal, with the file and line it came from and its extra columns.
 * Two appraisals with all ten fields equal are one diamond: a lookup by the duplicate key (an indexed integer
 * column, see DUP_KEY_SQL) and the ten fields finds a duplicate in SQL, so detecting duplicates never needs the
 * rows in memory.
 */
import { APPRAISAL_FIELDS, type Appraisal } from '../diamond/index.js';
import type { Db } from './db.js';
import { APPRAISAL_COLUMNS_SQL } from './ingestion-schema.js';

export type StoredAppraisal = Appraisal & { id: number; fileId: number; line: number };

/** Where an equal diamond is already stored. */
export interface Original {
  id: number;
  fileId: number;
  fileName: string;
  line: number;
}

export interface DiamondWriter {
  /** Stores an appraisal, or returns the diamond it duplicates (nothing is stored then). */
  insert(a: Appraisal, fileId: number, line: number, dataRow: number, extra: string | null): { id: number } | { duplicateOf: Original };
}

const WHERE_EQUAL = APPRAISAL_FIELDS.map((f) => `d."${f}" = ?`).join(' AND ');

/**
 * The duplicate key of an appraisal, as DUP_KEY_SQL computes it in the database: every operation is exact on
 * both sides (truncation of a double, remainders and products of whole numbers under 2^53).
 */
export function dupKey(a: Appraisal): number {
  return ((Math.trunc(a.price) % 1048576) * 1024 + (Math.trunc(a.carat * 100) % 1024)) * 4194304 +
    (Math.trunc(a.x * 100) % 2048) * 2048 + (Math.trunc(a.y * 100) % 2048);
}

/** Prepared statements for storing many appraisals (call inside a transaction). */
export function diamondWriter(db: Db): DiamondWriter {
  // One statement stores the row unless an equal one is stored: the key narrows the search to a row or two.
  // INDEXED BY: with no statistics the planner might prefer an index on more of the compared columns (the API's
  // on cut, color, clarity, carat), which holds thousands of rows per value.
  const insert = db.prepare(
    `INSERT INTO diamonds (${APPRAISAL_COLUMNS_SQL}, file_id, line, data_row, extra)
     SELECT ${APPRAISAL_FIELDS.map(() => '?').join(', ')}, ?, ?, ?, ?
     WHERE NOT EXISTS (SELECT 1 FROM diamonds d INDEXED BY diamonds_by_dup_key WHERE d.dup_key = ? AND ${WHERE_EQUAL})`,
  );
  const original = db.prepare(
    `SELECT d.id, d.file_id AS fileId, f.name AS fileName, d.line
     FROM diamonds d INDEXED BY diamonds_by_dup_key JOIN files f ON f.id = d.file_id
     WHERE d.dup_key = ? AND ${WHERE_EQUAL}`,
  );
  // One array per writer, refilled per row: the ten values, file, line, data row and extra columns, then the
  // duplicate key and the ten values again for the lookup.
  const n = APPRAISAL_FIELDS.length;
  const values: unknown[] = new Array(2 * n + 5);
  return {
    insert(a, fileId, line, dataRow, extra) {
      values[0] = values[n + 5] = a.carat;
      values[1] = values[n + 6] = a.cut;
      values[2] = values[n + 7] = a.color;
      values[3] = values[n + 8] = a.clarity;
      values[4] = values[n + 9] = a.depth;
      values[5] = values[n + 10] = a.table;
      values[6] = values[n + 11] = a.price;
      values[7] = values[n + 12] = a.x;
      values[8] = values[n + 13] = a.y;
      values[9] = values[n + 14] = a.z;
      values[n] = fileId;
      values[n + 1] = line;
      values[n + 2] = dataRow;
      values[n + 3] = extra;
      values[n + 4] = dupKey(a);
      const info = insert.run(values);
      if (info.changes === 1) return { id: Number(info.lastInsertRowid) };
      return { duplicateOf: original.get(values.slice(n + 4)) as Original };
    },
  };
}

/**
 * For a bulk load: drops the diamonds table's secondary indexes (all but the duplicate key, which the load
 * itself needs) and returns a function that creates them again from their own SQL. Call both inside the
 * load's transaction: the indexes then exist before and after it for every reader, and a crash rolls the drop
 * back. Building an index once over sorted keys costs far less than keeping it up row by row in random order
 * (measured at a million rows: 10 of 23 s CPU went to one four-column index).
 */
export function suspendSecondaryIndexes(db: Db): () => void {
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'diamonds' AND sql IS NOT NULL AND name NOT IN ('diamonds_by_dup_key', 'diamonds_by_file') ORDER BY name`)
    .all() as Array<{ name: string; sql: string }>;
  for (const { name } of indexes) db.exec(`DROP INDEX "${name.replace(/"/g, '""')}"`);
  return () => {
    for (const { sql } of indexes) db.exec(sql);
  };
}

/** The largest diamond id stored (0 when none): about how many rows the table holds, found at once. */
export function maxDiamondId(db: Db): number {
  return (db.prepare('SELECT coalesce(max(id), 0) AS n FROM diamonds').get() as { n: number }).n;
}

const SELECT_APPRAISALS = `SELECT id, file_id AS fileId, line, ${APPRAISAL_COLUMNS_SQL} FROM diamonds`;

/** Every stored appraisal, oldest first. */
export function listAppraisals(db: Db): StoredAppraisal[] {
  return db.prepare(`${SELECT_APPRAISALS} ORDER BY id`).all() as StoredAppraisal[];
}

export function countDiamonds(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM diamonds').get() as { n: number }).n;
}
