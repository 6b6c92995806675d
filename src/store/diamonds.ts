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
  insert(
    a: Appraisal,
    fileId: number,
    line: number,
    dataRow: number,
    extra: string | null,
  ): { id: number } | { duplicateOf: Original };
}

const WHERE_EQUAL = APPRAISAL_FIELDS.map((f) => `d."${f}" = ?`).join(' AND ');

/**
 * The duplicate key of an appraisal, as DUP_KEY_SQL computes it in the database: every operation is exact on
 * both sides (truncation of a double, remainders and products of whole numbers under 2^53).
 */
export function dupKey(a: Appraisal): number {
  return (
    ((Math.trunc(a.price) % 1048576) * 1024 + (Math.trunc(a.carat * 100) % 1024)) * 4194304 +
    (Math.trunc(a.x * 100) % 2048) * 2048 +
    (Math.trunc(a.y * 100) % 2048)
  );
}

/** 2^25 bits (4 MiB): with a million rows seen, about 3% of new rows still need the lookup. */
const FILTER_BITS = 25;

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/**
 * Which bit of a bulk load's filter an appraisal sets: a hash of all ten fields (the numbers' exact bits, the
 * grades' characters), top bits kept, so equal appraisals set the same bit. Hashing the ten fields rather than the
 * duplicate key matters: stones of one size and price share a key often (in the benchmark's rows, one in nine).
 */
function filterBit(a: Appraisal): number {
  let h = mixNumber(0x811c9dc5, a.carat);
  h = mixText(h, a.cut);
  h = mixText(h, a.color);
  h = mixText(h, a.clarity);
  h = mixNumber(h, a.depth);
  h = mixNumber(h, a.table);
  h = mixNumber(h, a.price);
  h = mixNumber(h, a.x);
  h = mixNumber(h, a.y);
  h = mixNumber(h, a.z);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> (32 - FILTER_BITS);
}

function mixNumber(h: number, v: number): number {
  bits[0] = v;
  h = Math.imul(h ^ words[0], 0x85ebca6b);
  return Math.imul(h ^ (h >>> 15) ^ words[1], 0xc2b2ae35);
}

function mixText(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0x2c, 0x01000193);
}

/** Prepared statements for storing many appraisals (call inside a transaction). */
export function diamondWriter(db: Db): DiamondWriter {
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
      const duplicateOf = original.get(lookup) as Original | undefined;
      if (duplicateOf) return { duplicateOf };
      values[10] = fileId;
      values[11] = line;
      values[12] = dataRow;
      values[13] = extra;
      return { id: Number(insert.run(values).lastInsertRowid) };
    },
  };
}

/**
 * For a bulk load: drops the diamonds table's secondary indexes (all but those named in `keep`) and returns a
 * function that creates them again from their own SQL. Call both inside the load's transaction: the indexes then
 * exist before and after it for every reader, and a crash rolls the drop back. Building an index once over sorted
 * keys costs far less than keeping it up row by row in random order (measured at a million rows: 10 of 23 s CPU
 * went to keeping up one four-column index).
 */
export function suspendSecondaryIndexes(
  db: Db,
  keep: readonly string[] = ['diamonds_by_dup_key', 'diamonds_by_file'],
): () => void {
  const indexes = (
    db
      .prepare(
        `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'diamonds' AND sql IS NOT NULL ORDER BY name`,
      )
      .all() as Array<{ name: string; sql: string }>
  ).filter((i) => !keep.includes(i.name));
  for (const { name } of indexes) db.exec(`DROP INDEX "${name.replace(/"/g, '""')}"`);
  return () => {
    for (const { sql } of indexes) db.exec(sql);
  };
}

/** A row of a bulk load found, once the whole file is stored, to repeat an earlier row; it has been taken out again. */
export interface BulkDuplicate {
  line: number;
  dataRow: number;
  rawText: string;
  /** Whether its grades had been normalised (it was counted so when stored). */
  normalised: boolean;
  original: Original;
}

export interface BulkDiamondWriter {
  /**
   * Stores an appraisal and returns its id. Whether it repeats an earlier row is decided only by finish(), once
   * the duplicate-key index is built again: the text and flags given here are kept for the rows that might.
   */
  insert(
    a: Appraisal,
    fileId: number,
    line: number,
    dataRow: number,
    extra: string | null,
    rawText: string,
    normalised: boolean,
  ): number;
  /**
   * Stores the rows still buffered, builds the suspended indexes again and takes out every row of this load that
   * repeats an earlier one (stored before, or earlier in the load), reporting each, in file order.
   */
  finish(onDuplicate: (d: BulkDuplicate) => void): void;
}

/** Rows per INSERT statement: one statement per 64 rows instead of per row saved a third of the insert time. */
const BULK_ROWS = 64;
const CANDIDATES = 'temp.loupe_bulk_candidates';
/** Marked rows read back per query: with raw texts of up to 64 Ki characters, at most about 26 MB at once. */
const CANDIDATE_PAGE = 200;

/**
 * For a load that adds more rows than are stored (call inside its transaction, holding the write lock): the rows
 * go in 64 to a statement, with no secondary index but diamonds_by_file to keep up. The duplicate check is done
 * once, at the end: a bit filter of every key seen (those stored, then each row's) marks the rows that might repeat
 * an earlier one — any row whose key's bit was already set — and only those are remembered (in a temporary table,
 * so memory stays bounded). Once the rows are in, the duplicate-key index is built over sorted keys and each marked
 * row is looked up against the rows before it; a repeat is deleted again. A row whose bit was clear has no equal
 * before it, so nothing is missed. (Keeping the duplicate-key index up row by row, in random key order, took about
 * 4 of the 12 s CPU of a million rows; building it once takes about 1.) Ids are given in file order, as SQLite would;
 * a repeat leaves its id unused.
 */
export function bulkDiamondWriter(db: Db): BulkDiamondWriter {
  // The filter starts with every stored appraisal (a bulk load adds more rows than it reads here).
  const filter = new Uint8Array(1 << (FILTER_BITS - 3));
  for (const a of db.prepare(`SELECT ${APPRAISAL_COLUMNS_SQL} FROM diamonds`).iterate() as Iterable<Appraisal>) {
    const bit = filterBit(a);
    filter[bit >>> 3] |= 1 << (bit & 7);
  }
  // The other indexes are built again last; the duplicate-key index first, for the lookups.
  const restoreOthers = suspendSecondaryIndexes(db, ['diamonds_by_dup_key', 'diamonds_by_file']);
  const restoreDupKey = suspendSecondaryIndexes(db, ['diamonds_by_file']);
  db.exec(`DROP TABLE IF EXISTS ${CANDIDATES}`);
  db.exec(
    `CREATE TABLE ${CANDIDATES} (id INTEGER PRIMARY KEY, line INTEGER NOT NULL, data_row INTEGER NOT NULL, dup_key INTEGER NOT NULL, raw_text TEXT NOT NULL, normalised INTEGER NOT NULL) STRICT`,
  );
  const remember = db.prepare(
    `INSERT INTO ${CANDIDATES} (id, line, data_row, dup_key, raw_text, normalised) VALUES (?, ?, ?, ?, ?, ?)`,
  );

  const columns = `id, ${APPRAISAL_COLUMNS_SQL}, file_id, line, data_row, extra`;
  const width = APPRAISAL_FIELDS.length + 5;
  const row = `(${new Array(width).fill('?').join(', ')})`;
  const insertMany = db.prepare(
    `INSERT INTO diamonds (${columns}) VALUES ${new Array(BULK_ROWS).fill(row).join(', ')}`,
  );
  const insertOne = db.prepare(`INSERT INTO diamonds (${columns}) VALUES ${row}`);
  const values: unknown[] = new Array(width * BULK_ROWS);
  let buffered = 0;
  let nextId = maxDiamondId(db) + 1;

  return {
    insert(a, fileId, line, dataRow, extra, rawText, normalised) {
      const id = nextId;
      nextId += 1;
      const bit = filterBit(a);
      if ((filter[bit >>> 3] & (1 << (bit & 7))) !== 0)
        remember.run(id, line, dataRow, dupKey(a), rawText, normalised ? 1 : 0);
      else filter[bit >>> 3] |= 1 << (bit & 7);
      let o = buffered * width;
      values[o++] = id;
      values[o++] = a.carat;
      values[o++] = a.cut;
      values[o++] = a.color;
      values[o++] = a.clarity;
      values[o++] = a.depth;
      values[o++] = a.table;
      values[o++] = a.price;
      values[o++] = a.x;
      values[o++] = a.y;
      values[o++] = a.z;
      values[o++] = fileId;
      values[o++] = line;
      values[o++] = dataRow;
      values[o] = extra;
      buffered += 1;
      if (buffered === BULK_ROWS) {
        insertMany.run(values);
        buffered = 0;
      }
      return id;
    },
    finish(onDuplicate) {
      for (let r = 0; r < buffered; r++) insertOne.run(values.slice(r * width, (r + 1) * width));
      buffered = 0;
      restoreDupKey();
      const page = db.prepare(
        `SELECT id, line, data_row AS dataRow, dup_key AS key, raw_text AS rawText, normalised FROM ${CANDIDATES} WHERE id > ? ORDER BY id LIMIT ${CANDIDATE_PAGE}`,
      );
      // The earliest row before it with the same key and ten equal fields. CROSS JOIN keeps the key's index as the
      // outer loop: most marked rows share their filter bit, not their key, and end after one probe of the index.
      const earlier = db.prepare(
        `SELECT o.id, o.file_id AS fileId, f.name AS fileName, o.line
         FROM diamonds o INDEXED BY diamonds_by_dup_key CROSS JOIN diamonds d CROSS JOIN files f
         WHERE o.dup_key = @key AND o.id < @id AND d.id = @id AND f.id = o.file_id
           AND ${APPRAISAL_FIELDS.map((f) => `o."${f}" = d."${f}"`).join(' AND ')}
         ORDER BY o.id LIMIT 1`,
      );
      const remove = db.prepare('DELETE FROM diamonds WHERE id = ?');
      type Candidate = { id: number; line: number; dataRow: number; key: number; rawText: string; normalised: number };
      // In pages, by id (file order): a repeat is deleted before the rows after it are looked up.
      for (let after = 0; ; ) {
        const candidates = page.all(after) as Candidate[];
        if (candidates.length === 0) break;
        for (const c of candidates) {
          const original = earlier.get(c) as Original | undefined;
          if (original) {
            remove.run(c.id);
            onDuplicate({
              line: c.line,
              dataRow: c.dataRow,
              rawText: c.rawText,
              normalised: c.normalised === 1,
              original,
            });
          }
        }
        after = candidates[candidates.length - 1].id;
      }
      db.exec(`DROP TABLE ${CANDIDATES}`);
      restoreOthers();
    },
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

/** A stored appraisal with the file it came from and its data-row number there (what the pipeline partitions by). */
export type AppraisalRow = Appraisal & { id: number; fileId: number; dataRow: number };

/** Every stored appraisal with its file and data row, oldest first. */
export function listAppraisalRows(db: Db): AppraisalRow[] {
  return db
    .prepare(`SELECT id, file_id AS fileId, data_row AS dataRow, ${APPRAISAL_COLUMNS_SQL} FROM diamonds ORDER BY id`)
    .all() as AppraisalRow[];
}

export function countDiamonds(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM diamonds').get() as { n: number }).n;
}
