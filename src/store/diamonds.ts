/**
 * The diamonds table: every accepted appraisal, with the file and line it came from and its extra columns.
 * Two appraisals with all ten fields equal are one diamond: the UNIQUE index finds a duplicate in SQL, so
 * detecting duplicates never needs the rows in memory.
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

/** Prepared statements for storing many appraisals (call inside a transaction). */
export function diamondWriter(db: Db): DiamondWriter {
  const insert = db.prepare(
    `INSERT INTO diamonds (${APPRAISAL_COLUMNS_SQL}, file_id, line, data_row, extra)
     VALUES (${APPRAISAL_FIELDS.map(() => '?').join(', ')}, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  const original = db.prepare(
    `SELECT d.id, d.file_id AS fileId, f.name AS fileName, d.line FROM diamonds d JOIN files f ON f.id = d.file_id WHERE ${WHERE_EQUAL}`,
  );
  return {
    insert(a, fileId, line, dataRow, extra) {
      const values = [a.carat, a.cut, a.color, a.clarity, a.depth, a.table, a.price, a.x, a.y, a.z];
      const info = insert.run(...values, fileId, line, dataRow, extra);
      if (info.changes === 1) return { id: Number(info.lastInsertRowid) };
      return { duplicateOf: original.get(...values) as Original };
    },
  };
}

const SELECT_APPRAISALS = `SELECT id, file_id AS fileId, line, ${APPRAISAL_COLUMNS_SQL} FROM diamonds`;

/** Every stored appraisal, oldest first. */
export function listAppraisals(db: Db): StoredAppraisal[] {
  return db.prepare(`${SELECT_APPRAISALS} ORDER BY id`).all() as StoredAppraisal[];
}

export function countDiamonds(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM diamonds').get() as { n: number }).n;
}
