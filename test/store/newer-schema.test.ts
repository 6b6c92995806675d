/**
 * A SQLite database a newer Loupe migrated is refused, as a PostgreSQL one is (test/store/postgres.test.ts): this
 * Loupe's statements would run against tables a later migration may have changed. `loupe db status` still lists it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NewerSchemaError, openDatabase, sqliteMigrationStatus } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-newer-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a SQLite database migrated by a newer Loupe', () => {
  it('is refused on opening, naming the migration this Loupe does not know; db status lists it', async () => {
    const home = join(dir, 'home');
    const file = join(home, 'loupe.db');
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    const db = openDatabase(file);
    db.prepare("INSERT INTO schema_migrations VALUES (?, 'from a later Loupe', '2027-01-01T00:00:00Z')").run(known + 1);
    expect(sqliteMigrationStatus(db).at(-1)).toMatchObject({ version: known + 1, name: 'from a later Loupe' });
    db.close();

    let error: unknown;
    try {
      openDatabase(file).close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NewerSchemaError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `migration ${known + 1} \\("from a later Loupe"\\), made by a newer Loupe; this Loupe knows migrations up to ${known}`,
      ),
    );

    const run = await loupeInProcess(['pipeline', 'runs', '--home', home]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('made by a newer Loupe');
    // Read only, the status still opens it and lists the migration this Loupe does not know.
    const status = await loupeInProcess(['db', 'status', '--home', home]);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain('from a later Loupe');
  });
});
