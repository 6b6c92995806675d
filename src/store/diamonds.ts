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

/** 2^25 bits (4 MiB): with a million keys stored, about 3% of new rows still need the lookup. */
const KEY_FILTER_BITS = 25;

/** Which bit of the key filter a duplicate key sets: a multiplicative hash of its 52 bits, top bits kept. */
function filterBit(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> (32 - KEY_FILTER_BITS);
}

export interface WriterOptions {
  /**
   * Keep a filter of the duplicate keys stored (a bit per hash, 4 MiB, filled from the table when the writer is
   * made): a row whose bit is clear cannot be a duplicate, so its lookup is skipped. Worth it for a bulk load,
   * where the lookups' random reads were a quarter of SQLite's time; reading every stored key first is not, for a
   * small file into a large table. Correct only while this writer holds the write lock (nothing else stores rows).
   */
  keyFilter?: boolean;
}

/** Prepared statements for storing many appraisals (call inside a transaction). */
export function diamondWriter(db: Db, options: WriterOptions = {}): DiamondWriter {
  // A row is looked up by its duplicate key and ten fields first, and stored only if no equal one is found: the
  // load holds the write lock (BEGIN IMMEDIATE), so nothing can store an equal row in between.
  const insert = db.prepare(
    `INSERT INTO diamonds (${APPRAISAL_COLUMNS_SQL}, file_id, line, data_row, extra)
     VALUES (${APPRAISAL_FIELDS.map(() => '?').join(', ')}, ?, ?, ?, ?)`,
  );
  // INDEXED BY: with no statistics the planner might prefer an index on more of the compared columns (the API's
  // on cut, color, clarity, carat), which holds thousands of rows per value; the key holds one or two.
  // (A lookup, then a plain INSERT, measured faster than one INSERT … SELECT … WHERE NOT EXISTS: 13.5 against
  // 16.5 s CPU per million rows.)
  const original = db.prepare(
    `SELECT d.id, d.file_id AS fileId, f.name AS fileName, d.line
     FROM diamonds d INDEXED BY diamonds_by_dup_key JOIN files f ON f.id = d.file_id
     WHERE d.dup_key = ? AND ${WHERE_EQUAL}`,
  );
  // Two arrays per writer, refilled for each row (no allocation): the duplicate key and the ten values for the
  // lookup; the ten values, file, line, data row and extra columns for the insert.
  const n = APPRAISAL_FIELDS.length;
  const values: unknown[] = new Array(n + 4);
  const lookup: unknown[] = new Array(n + 1);
  let filter: Uint8Array | undefined;
  if (options.keyFilter) {
    filter = new Uint8Array(1 << (KEY_FILTER_BITS - 3));
    for (const key of db.prepare('SELECT dup_key FROM diamonds INDEXED BY diamonds_by_dup_key').pluck().iterate() as Iterable<number>) {
      const bit = filterBit(key);
      filter[bit >>> 3] |= 1 << (bit & 7);
    }
  }
  return {
    insert(a, fileId, line, dataRow, extra) {
      const key = dupKey(a);
      lookup[0] = key;
      lookup[1] = values[0] = a.carat;
      lookup[2] = values[1] = a.cut;
      lookup[3] = values[2] = a.color;
      lookup[4] = values[3] = a.clarity;
      lookup[5] = values[4] = a.depth;
      lookup[6] = values[5] = a.table;
      lookup[7] = values[6] = a.price;
      lookup[8] = values[7] = a.x;
      lookup[9] = values[8] = a.y;
      lookup[10] = values[9] = a.z;
      let seen = true;
      if (filter) {
        const bit = filterBit(key);
        seen = (filter[bit >>> 3] & (1 << (bit & 7))) !== 0;
        filter[bit >>> 3] |= 1 << (bit & 7);
      }
      if (seen) {
        const duplicateOf = original.get(lookup) as Original | undefined;
        if (duplicateOf) return { duplicateOf };
      }
      values[10] = fileId;
      values[11] = line;
      values[12] = dataRow;
      values[13] = extra;
      return { id: Number(insert.run(values).lastInsertRowid) };
    },
  };
}

/**
 * For a bulk load: drops the diamonds table's secondary indexes (all but the duplicate key, which the load
 * itself needs, and diamonds_by_file, which takes rows in order and costs little to keep) and returns a function that creates them again from their own SQL. Call both inside the
 * load's transaction: the indexes then exist before and after it for every reader, and a crash rolls the drop
 * back. Building an index once over sorted keys costs far less than keeping it up row by row in random order
 * (measured at a million rows: 10 of 23 s CPU went to keeping up one four-column index).
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
