/**
 * Migration 30: stored valuations without SQLite's JSON checks (as PostgreSQL's schema 3). A database made before
 * keeps its rows, rowids included (purging goes by rowid); the table still refuses what matters — a missing or
 * over-long id, a duplicate id, a missing stone or answer, an over-long ref, a value of the wrong type — and the
 * writer's statements, reads and purge work on it as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import {
  countValuations,
  findValuation,
  purgeQuotes,
  quoteWriter,
  valuationWrite,
  type StoredValuationRow,
} from '../../src/store/quotes.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-valuations-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const row = (i: number, at: number): StoredValuationRow => ({
  id: `val_${String(i).padStart(4, '0')}`,
  at,
  keyId: i % 2 === 0 ? null : i,
  modelVersion: 'v0001',
  stone: `{"carat":0.3${i}}`,
  ref: i % 3 === 0 ? `lot-${i}` : null,
  answer: `{"price":${1000 + i},"id":"val_${String(i).padStart(4, '0')}"}`,
});

const INSERT =
  'INSERT INTO valuations (id, at, key_id, model_version, stone, ref, answer) VALUES (?, ?, ?, ?, ?, ?, ?)';

describe('stored valuations after migration 30', () => {
  it('keep every row of a database made before, with its rowid, and lose only the JSON checks', async () => {
    const file = join(dir, 'loupe.db');
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < 30) });
    quoteWriter(before)([0, 1, 2, 3, 4].map((i) => valuationWrite(row(i, Date.UTC(2026, 0, 1 + i)))));
    before.prepare('DELETE FROM valuations WHERE id = ?').run('val_0001'); // a gap in the rowids
    expect(() => before.prepare(INSERT).run('val_x', '2026-01-01', null, 'v0001', 'not json', null, '{}')).toThrow(
      /CHECK constraint failed/,
    );
    const rowsBefore = before.prepare('SELECT rowid, * FROM valuations ORDER BY rowid').all();
    before.close();

    const db = openDatabase(file);
    try {
      expect(db.prepare('SELECT rowid, * FROM valuations ORDER BY rowid').all()).toEqual(rowsBefore);
      expect(findValuation(db, 'val_0003')).toEqual({
        id: 'val_0003',
        at: '2026-01-04T00:00:00.000Z',
        keyId: 3,
        stone: '{"carat":0.33}',
        ref: 'lot-3',
        answer: '{"price":1003,"id":"val_0003"}',
      });
      const sql = (db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'valuations'").pluck().get() as string) ?? '';
      expect(sql).not.toMatch(/json_valid/);
      expect(sql).toMatch(/STRICT/);

      // Still refused: what the table refused before, but for JSON.
      const insert = db.prepare(INSERT);
      const refused = [
        ['', '2026-01-01', null, 'v0001', '{}', null, '{}'], // empty id
        ['v'.repeat(65), '2026-01-01', null, 'v0001', '{}', null, '{}'], // id over 64
        ['val_0000', '2026-01-01', null, 'v0001', '{}', null, '{}'], // duplicate id
        ['val_n1', null, null, 'v0001', '{}', null, '{}'], // no time
        ['val_n2', '2026-01-01', null, null, '{}', null, '{}'], // no model
        ['val_n3', '2026-01-01', null, 'v0001', null, null, '{}'], // no stone
        ['val_n4', '2026-01-01', null, 'v0001', '{}', null, null], // no answer
        ['val_n5', '2026-01-01', null, 'v0001', '{}', 'r'.repeat(101), '{}'], // ref over 100
        ['val_n6', '2026-01-01', 'key', 'v0001', '{}', null, '{}'], // key id not an integer (STRICT)
        ['val_n7', '2026-01-01', null, 'v0001', Buffer.from('{}'), null, '{}'], // stone a blob, not text (STRICT)
      ];
      for (const values of refused) expect(() => insert.run(...values), JSON.stringify(values)).toThrow();
      expect(countValuations(db)).toBe(4);

      // The writer's statement adds rows after the old ones; INSERT OR IGNORE still skips an id already there.
      quoteWriter(db)([valuationWrite(row(5, Date.UTC(2026, 0, 6))), valuationWrite(row(0, Date.UTC(2027, 0, 1)))]);
      expect(countValuations(db)).toBe(5);
      expect(db.prepare("SELECT rowid FROM valuations WHERE id = 'val_0005'").pluck().get()).toBe(6);
      expect(findValuation(db, 'val_0000')?.at).toBe('2026-01-01T00:00:00.000Z');

      // Purging still goes oldest first, by rowid.
      expect((await purgeQuotes(db, Date.UTC(2026, 0, 4), 0)).valuations).toBe(2);
      expect(db.prepare('SELECT id FROM valuations ORDER BY rowid').pluck().all()).toEqual([
        'val_0003',
        'val_0004',
        'val_0005',
      ]);
    } finally {
      db.close();
    }
  });
});
