/** Revoking a key is unambiguous: digits are an id, anything else a name, and an active key's name is unique. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { createKey, listKeys, revokeKey } from '../../src/store/keys.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-keys-'));
  db = openDatabase(join(dir, 'loupe.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const active = (): string[] =>
  listKeys(db)
    .filter((k) => !k.revokedAt)
    .map((k) => `${k.id}:${k.name}`);

describe('revoking a key', () => {
  it('by id revokes that key only, by name that key only', () => {
    createKey(db, { name: 'ACME', scopes: ['valuations'] });
    createKey(db, { name: 'ops', scopes: ['admin'] });
    expect(revokeKey(db, '1')?.name).toBe('ACME');
    expect(active()).toEqual(['2:ops']);
    expect(revokeKey(db, '1')).toBeUndefined();
    expect(revokeKey(db, 'ops')?.id).toBe(2);
    expect(revokeKey(db, 'nobody')).toBeUndefined();
  });

  it('refuses a second active key of the same name, and a name of digits only', () => {
    createKey(db, { name: 'ACME', scopes: ['valuations'] });
    expect(() => createKey(db, { name: 'ACME', scopes: ['valuations'] })).toThrow(
      /active key is named "ACME" already \(id 1\)/,
    );
    expect(() => createKey(db, { name: '1', scopes: ['valuations'] })).toThrow(/cannot be only digits/);
    // Rotation: once the old key is revoked, its name can be used again.
    revokeKey(db, 'ACME');
    expect(createKey(db, { name: 'ACME', scopes: ['valuations'] }).key.id).toBe(2);
  });

  it('a database made before names were unique: duplicates are renamed, and "1" is the id, not a key named "1"', () => {
    const file = join(dir, 'old.db');
    const old = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < 27) });
    const insert = old.prepare(
      "INSERT INTO api_keys (name, prefix, sha256, scopes, rate_per_minute, created_at) VALUES (?, 'lp_x', ?, '[\"valuations\"]', 60, '2026-01-01')",
    );
    for (const [i, name] of ['ACME', 'ACME', '1', 'ops'].entries()) insert.run(name, String(i).repeat(64));
    old.close();
    const now = openDatabase(file);
    try {
      expect(listKeys(now).map((k) => `${k.id}:${k.name}`)).toEqual(['1:ACME', '2:ACME #2', '3:1', '4:ops']);
      expect(revokeKey(now, '1')?.name).toBe('ACME');
      expect(
        listKeys(now)
          .filter((k) => !k.revokedAt)
          .map((k) => k.id),
      ).toEqual([2, 3, 4]);
      expect(revokeKey(now, '3')?.name).toBe('1');
    } finally {
      now.close();
    }
  });
});
