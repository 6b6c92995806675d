/**
 * `loupe db status` on a home with no database yet: a sentence saying so and what makes one (exit 1), not SQLite's
 * "unable to open database file" with a stack trace; and it makes nothing (status only reads). A home that does not
 * exist at all is a usage error (test/cli/read-only-home.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-db-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('db status', () => {
  it('says there is no database yet, and makes none', async () => {
    const home = join(dir, 'empty-home');
    mkdirSync(home);
    const r = await loupeInProcess(['db', 'status', '--home', home], { LOUPE_DATABASE_URL: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `loupe: no database at ${join(home, 'loupe.db')} yet: Loupe makes it at its first start (loupe serve), ingest or pipeline run; \`loupe db migrate\` makes it now\n`,
    );
    expect(existsSync(join(home, 'loupe.db'))).toBe(false);
  });

  it('lists the migrations once migrate has made it', async () => {
    const home = join(dir, 'migrated');
    expect((await loupeInProcess(['db', 'migrate', '--home', home], { LOUPE_DATABASE_URL: undefined })).status).toBe(0);
    const r = await loupeInProcess(['db', 'status', '--home', home, '--json'], { LOUPE_DATABASE_URL: undefined });
    expect(r.status).toBe(0);
    const status = JSON.parse(r.stdout) as { backend: string; migrations: { appliedAt: string | null }[] };
    expect(status.backend).toBe('sqlite');
    expect(status.migrations.length).toBeGreaterThan(0);
    expect(status.migrations.every((m) => m.appliedAt !== null)).toBe(true);
  });
});
