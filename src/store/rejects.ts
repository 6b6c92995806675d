/**
 * The rejects table: every row that was not accepted, kept with its raw text, line and reasons, so that a
 * person can fix it and submit it again.
 */
import { whereOf } from './sql.js';
import type { Problem, ReasonCode } from '../diamond/index.js';
import type { Db } from './db.js';

export interface RejectRecord {
  id: number;
  fileId: number;
  fileName: string;
  line: number;
  dataRow: number;
  rawText: string;
  reasons: Problem[];
  /** The first problem's code: what the row is counted under. */
  reason: ReasonCode;
}

export interface RejectWriter {
  insert(fileId: number, line: number, dataRow: number, rawText: string, problems: Problem[]): void;
}

export function rejectWriter(db: Db): RejectWriter {
  const insert = db.prepare(
    'INSERT INTO rejects (file_id, line, data_row, raw_text, reasons, reason) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return {
    insert(fileId, line, dataRow, rawText, problems) {
      insert.run(fileId, line, dataRow, rawText, JSON.stringify(problems), problems[0].code);
    },
  };
}

interface RejectRow {
  id: number;
  fileId: number;
  fileName: string;
  line: number;
  dataRow: number;
  rawText: string;
  reasons: string;
  reason: ReasonCode;
}

/** Which rejected rows: of one file or all; of a file, those after a line, at most `limit` (a page). */
export interface RejectsQuery {
  fileId?: number;
  afterLine?: number;
  limit?: number;
}

/** The SQL of listRejects (`?` placeholders) and its parameters. */
export function rejectsQuery(options: RejectsQuery): { sql: string; params: unknown[] } {
  const { where, params } = whereOf([
    ['r.file_id = ?', options.fileId],
    ['r.line > ?', options.afterLine],
  ]);
  if (options.limit !== undefined) params.push(options.limit);
  return {
    sql: `SELECT r.id, r.file_id AS "fileId", f.name AS "fileName", r.line, r.data_row AS "dataRow",
            r.raw_text AS "rawText", r.reasons, r.reason
          FROM rejects r JOIN files f ON f.id = r.file_id ${where}
          ORDER BY r.file_id, r.line${options.limit !== undefined ? ' LIMIT ?' : ''}`,
    params,
  };
}

/** Rejected rows in file and line order, of one file or all; a page of a file's with afterLine and limit. */
export function listRejects(db: Db, options: RejectsQuery = {}): RejectRecord[] {
  const q = rejectsQuery(options);
  const rows = db.prepare(q.sql).all(...q.params) as RejectRow[];
  return rows.map((r) => ({ ...r, reasons: JSON.parse(r.reasons) as Problem[] }));
}
