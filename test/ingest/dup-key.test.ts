import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APPRAISAL_FIELDS,
  CLARITY_GRADES,
  COLOR_GRADES,
  CUT_GRADES,
  FIELDS,
  type Appraisal,
} from '../../src/diamond/index.js';
import { ingestFile, readAppraisals } from '../../src/ingest/index.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { countDiamonds, diamondWriter, dupKey, listAppraisals } from '../../src/store/diamonds.js';
import { insertFile } from '../../src/store/files.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { prng, syntheticRow, writeSyntheticFile } from '../../bench/synthetic-appraisals.js';
import { HEADER, REFERENCE, ROW_A, ROW_B } from './helpers.js';
import { STONE_A } from '../helpers/stones.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-dup-key-'));
});
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const stone: Appraisal = STONE_A;
const addFile = (name: string) =>
  insertFile(db, {
    name,
    path: `/d/${name}`,
    sha256: name.padEnd(64, '0').slice(0, 64),
    bytes: 1,
    header: HEADER,
    startedAt: '2026-11-26T10:00:00.000Z',
  });

const secondaryIndexes = () =>
  (
    db
      .prepare(
        `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'diamonds' AND sql IS NOT NULL ORDER BY name`,
      )
      .all() as { name: string }[]
  ).map((r) => r.name);

const between = (name: 'carat' | 'depth' | 'table' | 'price' | 'x' | 'y' | 'z') => {
  const f = FIELDS[name];
  return fc.double({ min: f.min, max: f.max, noNaN: true });
};
const appraisal: fc.Arbitrary<Appraisal> = fc.record({
  carat: between('carat'),
  cut: fc.constantFrom(...CUT_GRADES.map((g) => g.code)),
  color: fc.constantFrom(...COLOR_GRADES.map((g) => g.code)),
  clarity: fc.constantFrom(...CLARITY_GRADES.map((g) => g.code)),
  depth: between('depth'),
  table: between('table'),
  price: between('price'),
  x: between('x'),
  y: between('y'),
  z: between('z'),
}) as fc.Arbitrary<Appraisal>;

describe('the duplicate key', () => {
  it('is the same number in JavaScript as in SQL for any valid appraisal, the limits included', () => {
    db = openDatabase(join(dir, 'loupe.db'));
    const fileId = addFile('f.csv');
    const writer = diamondWriter(db);
    const key = db.prepare('SELECT dup_key FROM diamonds WHERE id = ?').pluck();
    const limits: Appraisal[] = [
      { ...stone, carat: 10, price: 1_000_000, x: 20, y: 20 },
      { ...stone, carat: 0.1, price: 1, x: 1, y: 1 },
      { ...stone, carat: 0.29, x: 5.53, y: 0.57 * 10 }, // products that are not exact in binary
    ];
    let line = 2;
    const check = (a: Appraisal) => {
      const stored = writer.insert(a, fileId, line, line - 2, null);
      line += 1;
      if ('id' in stored) expect(key.get(stored.id)).toBe(dupKey(a));
    };
    limits.forEach(check);
    fc.assert(
      fc.property(appraisal, (a) => check(a)),
      { numRuns: 300 },
    );
  });

  it('narrows the search only: stones that share a key but differ in a field are both stored; equal ones are duplicates', () => {
    db = openDatabase(join(dir, 'loupe.db'));
    const fileId = addFile('f.csv');
    const writer = diamondWriter(db);
    const others: Appraisal[] = [
      { ...stone, cut: 'Premium' },
      { ...stone, depth: 62.1 },
      { ...stone, z: 4.12 },
      { ...stone, price: 4733.4 },
    ];
    expect(new Set([stone, ...others].map(dupKey)).size).toBe(1);
    expect(writer.insert(stone, fileId, 2, 0, null)).toEqual({ id: 1 });
    others.forEach((a, i) => {
      expect(writer.insert(a, fileId, 3 + i, 1 + i, null)).toEqual({ id: 2 + i });
    });
    expect(writer.insert({ ...stone }, fileId, 9, 7, null)).toEqual({
      duplicateOf: { id: 1, fileId, fileName: 'f.csv', line: 2 },
    });
    expect(countDiamonds(db)).toBe(5);
  });
});

describe('migration 2 (a database made before it)', () => {
  it('keeps every diamond and its id, drops the ten-column UNIQUE index, keeps every other index', async () => {
    const path = join(dir, 'loupe.db');
    const rows = await readAppraisals(REFERENCE);
    // made without migration 2 (and without 29, which came later still)
    db = openDatabase(path, { migrations: MIGRATIONS.filter((m) => m.version !== 2 && m.version < 29) });
    // The rows go in as the old schema took them: its writer is gone, so by SQL, the UNIQUE index dropping the duplicate.
    const fileId = addFile('diamonds.csv');
    const insert = db.prepare(
      `INSERT OR IGNORE INTO diamonds (${APPRAISAL_FIELDS.map((f) => `"${f}"`).join(', ')}, file_id, line, data_row) VALUES (${APPRAISAL_FIELDS.map(() => '?').join(', ')}, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (const r of rows)
        if (r.result.ok)
          insert.run(
            ...APPRAISAL_FIELDS.map((f) => (r.result.ok ? r.result.value[f] : null)),
            fileId,
            r.line,
            r.dataRow,
          );
    })();
    expect(countDiamonds(db)).toBe(4984);
    const before = listAppraisals(db);
    const indexesBefore = secondaryIndexes();
    expect(indexesBefore).toContain('diamonds_by_grades_carat');
    db.close();
    db = openDatabase(path);
    expect(listAppraisals(db)).toEqual(before);
    // …then migration 29's index replaces diamonds_by_grades_carat
    expect(secondaryIndexes()).toEqual(['diamonds_by_dup_key', 'diamonds_by_file', 'diamonds_by_measurements']);
    const autoindexes = db
      .prepare(`SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'diamonds' AND name LIKE 'sqlite_autoindex%'`)
      .pluck()
      .get();
    expect(autoindexes).toBe(0);
    // Duplicates of rows stored before the migration are still found.
    const f = join(dir, 'again.csv');
    writeFileSync(f, `${HEADER}\n${ROW_A}\n${ROW_B}\n`);
    const s = await ingestFile(db, f);
    expect(s).toMatchObject({ accepted: 0, rejected: 2, byReason: { duplicate: 2 } });
  });
});

describe('a bulk load', () => {
  it('has every index again after the file is stored, and after a file that failed half-way', async () => {
    db = openDatabase(join(dir, 'loupe.db'));
    const all = secondaryIndexes();
    expect(all).toEqual(['diamonds_by_dup_key', 'diamonds_by_file', 'diamonds_by_measurements']);
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      Buffer.concat([
        Buffer.from(`${HEADER}\n${`${ROW_A}\n`.repeat(3000)}`),
        Buffer.from([0]),
        Buffer.from(`${ROW_B}\n`),
      ]),
    );
    expect((await ingestFile(db, bad)).status).toBe('failed');
    expect(secondaryIndexes()).toEqual(all);
    expect((await ingestFile(db, REFERENCE)).accepted).toBe(4984);
    expect(secondaryIndexes()).toEqual(all);
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM diamonds WHERE cut = 'Ideal' AND color = 'H' AND clarity = 'SI2' AND carat = 1.1`,
      )
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('diamonds_by_measurements');
  });

  it('finds duplicates of stored rows and of earlier rows of the file while its key filter spares the lookups', async () => {
    db = openDatabase(join(dir, 'loupe.db'));
    const first = join(dir, 'first.csv');
    writeFileSync(first, `${HEADER}\n${ROW_B}\n`);
    expect((await ingestFile(db, first)).accepted).toBe(1);
    // 5,000 rows onto 1 stored: a bulk load. ROW_B is line 3 of the reference file; line 4945 repeats line 2431.
    const s = await ingestFile(db, REFERENCE);
    expect(s).toMatchObject({
      accepted: 4983,
      rejected: 17,
      byReason: { out_of_range: 11, implausible_geometry: 4, duplicate: 2 },
    });
    const dups = db.prepare(`SELECT line, reasons FROM rejects WHERE reason = 'duplicate' ORDER BY line`).all() as {
      line: number;
      reasons: string;
    }[];
    expect(dups.map((d) => [d.line, JSON.parse(d.reasons)[0].message.slice(0, 40)])).toEqual([
      [3, 'Duplicate of line 2 of first.csv: all te'],
      [4945, 'Duplicate of line 2431 of this file: all'],
    ]);
  });

  it('rejects the same rows with the same reasons and counts as a file looked up row by row', async () => {
    const random = prng(3);
    const [s1, s2] = [syntheticRow(random), syntheticRow(random)];
    const f = s1.split(',');
    const lower = [f[0], f[1].toLowerCase(), ...f.slice(2)].join(','); // s1 once its grade is normalised
    const sameKey = [...f.slice(0, 5), String(Number(f[5]) + 1), ...f.slice(6)].join(','); // another table: same key, another stone
    const lines = [s1, s2, lower, s1, sameKey, `${s2},extra`, s2, lower];
    const file = join(dir, 'mixed.csv');
    writeFileSync(file, `${HEADER}\n${lines.join('\n')}\n`);
    const outcome = async (dbFile: string, before?: string) => {
      db = openDatabase(join(dir, dbFile));
      if (before) await ingestFile(db, before);
      const s = await ingestFile(db, file);
      const rejects = db
        .prepare(
          `SELECT line, data_row AS dataRow, raw_text AS rawText, reasons FROM rejects r WHERE file_id = ? ORDER BY line`,
        )
        .all(db.prepare('SELECT max(id) FROM files').pluck().get());
      const stored = db
        .prepare(
          `SELECT ${APPRAISAL_FIELDS.map((n) => `"${n}"`).join(', ')}, line FROM diamonds WHERE file_id = (SELECT max(id) FROM files) ORDER BY id`,
        )
        .all();
      db.close();
      return { summary: { ...s, sha256: '' }, rejects, stored };
    };
    const bulk = await outcome('bulk.db');
    // 2,000 other stones stored first: the 8-row file is then no bulk load, and each row is looked up as it comes.
    const others = join(dir, 'others.csv');
    await writeSyntheticFile(others, 2000, 99);
    const oneByOne = await outcome('one-by-one.db', others);
    expect(bulk).toEqual(oneByOne);
    expect(JSON.stringify(bulk.summary.byReason)).toBe(JSON.stringify(oneByOne.summary.byReason));
    expect(bulk.summary).toMatchObject({
      rowsRead: 8,
      accepted: 3,
      rejected: 5,
      normalised: 0,
      byReason: { duplicate: 4, malformed_row: 1 },
    });
    expect(Object.keys(bulk.summary.byReason)).toEqual(['duplicate', 'malformed_row']);
    expect(bulk.rejects.map((r) => (r as { line: number }).line)).toEqual([4, 5, 7, 8, 9]);
  });
});
