import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPRAISAL_FIELDS, FIELDS, REASON_CODES, type Appraisal } from '../../src/diamond/index.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { countDiamonds, diamondWriter, listAppraisals } from '../../src/store/diamonds.js';
import { findFileBySha256, finishFile, insertFile, listFiles } from '../../src/store/files.js';
import { listRejects, rejectWriter } from '../../src/store/rejects.js';
import { STONE_A } from '../helpers/stones.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-store-test-'));
  db = openDatabase(join(dir, 'loupe.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const stone: Appraisal = STONE_A;

function addFile(sha = 'a'.repeat(64), name = 'f.csv'): number {
  return insertFile(db, {
    name,
    path: `/data/${name}`,
    sha256: sha,
    bytes: 10,
    header: 'carat,cut',
    startedAt: '2026-11-26T10:00:00.000Z',
  });
}

const insertRaw = (values: Record<string, unknown>, fileId: number) =>
  db
    .prepare(
      `INSERT INTO diamonds (${APPRAISAL_FIELDS.map((f) => `"${f}"`).join(', ')}, file_id, line, data_row) VALUES (${APPRAISAL_FIELDS.map(() => '?').join(', ')}, ?, 2, 0)`,
    )
    .run(...APPRAISAL_FIELDS.map((f) => values[f]), fileId);

describe('migration 1: files, diamonds, rejects', () => {
  it('is recorded once, and its tables are STRICT', () => {
    expect(db.prepare('SELECT version, name FROM schema_migrations WHERE version = 1').get()).toEqual({
      version: 1,
      name: 'ingestion: files, diamonds, rejects',
    });
    const strict = db
      .prepare(
        `SELECT name, strict FROM pragma_table_list WHERE name IN ('files', 'diamonds', 'rejects') ORDER BY name`,
      )
      .all();
    expect(strict).toEqual([
      { name: 'diamonds', strict: 1 },
      { name: 'files', strict: 1 },
      { name: 'rejects', strict: 1 },
    ]);
  });

  // The limits come from the field table itself: a change there is a change here, never a retyped number.
  it.each(APPRAISAL_FIELDS.filter((f) => FIELDS[f].kind === 'number'))(
    'CHECK keeps %s within the schema range',
    (name) => {
      const f = FIELDS[name];
      if (f.kind !== 'number') throw new Error('number field expected');
      const fileId = addFile();
      expect(() => insertRaw({ ...stone, [name]: f.min - 0.001 }, fileId)).toThrow(/CHECK constraint failed/);
      expect(() => insertRaw({ ...stone, [name]: f.max + 0.001 }, fileId)).toThrow(/CHECK constraint failed/);
      expect(() => insertRaw({ ...stone, [name]: 'lots' }, fileId)).toThrow(/cannot store TEXT value in REAL column/);
      insertRaw({ ...stone, [name]: f.min }, fileId);
      expect(countDiamonds(db)).toBe(1);
    },
  );

  it.each(['cut', 'color', 'clarity'] as const)('CHECK keeps %s within its grade scale', (name) => {
    const f = FIELDS[name];
    const fileId = addFile();
    expect(() => insertRaw({ ...stone, [name]: `${f.scale[0].code.toLowerCase()}x` }, fileId)).toThrow(
      /CHECK constraint failed/,
    );
    f.scale.forEach((g, i) => {
      insertRaw({ ...stone, price: 1000 + i, [name]: g.code }, fileId);
    });
    expect(countDiamonds(db)).toBe(f.scale.length);
  });

  it('accepts every reason code for a reject and no other', () => {
    const fileId = addFile();
    const rejects = rejectWriter(db);
    REASON_CODES.forEach((code, i) => {
      rejects.insert(fileId, i + 2, i, 'raw', [{ field: 'row', code, message: 'm' }]);
    });
    expect(() =>
      rejects.insert(fileId, 99, 97, 'raw', [{ field: 'row', code: 'bogus' as never, message: 'm' }]),
    ).toThrow(/CHECK constraint failed/);
    expect(listRejects(db).map((r) => r.reason)).toEqual(REASON_CODES);
  });

  it('keeps files unique by content hash', () => {
    addFile('b'.repeat(64), 'one.csv');
    expect(() => addFile('b'.repeat(64), 'two.csv')).toThrow(/UNIQUE constraint failed: files.sha256/);
  });
});

describe('diamondWriter', () => {
  it('stores an appraisal once; an equal one is reported as a duplicate of the first, nothing stored', () => {
    const first = addFile('c'.repeat(64), 'first.csv');
    const second = addFile('d'.repeat(64), 'second.csv');
    const writer = diamondWriter(db);
    expect(writer.insert(stone, first, 7, 5, JSON.stringify({ stone_id: 'A-1' }))).toEqual({ id: 1 });
    expect(writer.insert({ ...stone, price: 4734 }, first, 8, 6, null)).toEqual({ id: 2 });
    expect(writer.insert({ ...stone }, second, 3, 1, null)).toEqual({
      duplicateOf: { id: 1, fileId: first, fileName: 'first.csv', line: 7 },
    });
    expect(listAppraisals(db)).toEqual([
      { id: 1, fileId: first, line: 7, ...stone },
      { id: 2, fileId: first, line: 8, ...stone, price: 4734 },
    ]);
    expect(db.prepare('SELECT extra FROM diamonds WHERE id = 1').get()).toEqual({ extra: '{"stone_id":"A-1"}' });
  });
});

describe('files and rejects', () => {
  it('finishes a file with its counts; rejects are listed by file, in line order', () => {
    const a = addFile('e'.repeat(64), 'a.csv');
    const b = addFile('f'.repeat(64), 'b.csv');
    const rejects = rejectWriter(db);
    rejects.insert(b, 9, 7, 'b9', [{ field: 'price', code: 'missing', message: 'Price is missing.' }]);
    rejects.insert(a, 5, 3, 'a5', [
      { field: 'cut', code: 'unknown_grade', message: 'no' },
      { field: 'x', code: 'out_of_range', message: 'no' },
    ]);
    rejects.insert(a, 4, 2, 'a4', [{ field: 'x', code: 'out_of_range', message: 'no' }]);
    finishFile(
      db,
      a,
      { rowsRead: 4, accepted: 2, rejected: 2, normalised: 1, byReason: { unknown_grade: 1, out_of_range: 1 } },
      '2026-11-26T10:01:00.000Z',
    );
    expect(listRejects(db).map((r) => [r.fileName, r.line, r.reason])).toEqual([
      ['a.csv', 4, 'out_of_range'],
      ['a.csv', 5, 'unknown_grade'],
      ['b.csv', 9, 'missing'],
    ]);
    expect(listRejects(db, { fileId: b })).toMatchObject([
      { fileId: b, line: 9, dataRow: 7, rawText: 'b9', reasons: [{ field: 'price', code: 'missing' }] },
    ]);
    expect(findFileBySha256(db, 'e'.repeat(64))).toMatchObject({
      id: a,
      status: 'ingested',
      rowsRead: 4,
      byReason: { unknown_grade: 1, out_of_range: 1 },
    });
    expect(listFiles(db).map((f) => [f.name, f.status])).toEqual([
      ['a.csv', 'ingested'],
      ['b.csv', 'ingesting'],
    ]);
    // A file cannot be marked ingested with counts that do not add up.
    expect(() =>
      finishFile(db, b, { rowsRead: 5, accepted: 2, rejected: 2, normalised: 0, byReason: {} }, 'now'),
    ).toThrow(/CHECK constraint failed/);
  });
});
