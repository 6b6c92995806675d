/**
 * When the machine refuses a call (here: --home names a file, so its database folder cannot be made), or the
 * database named cannot be used, a command says so in one line — what, why and where — instead of a stack trace
 * (src/cli/run.ts, which knows these errors by their names).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-system-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an error of the operating system', () => {
  it('is one line naming the call and the path', async () => {
    const home = join(dir, 'a-file');
    writeFileSync(home, 'not a folder');
    const r = await loupeInProcess(['models', 'list', '--home', home]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`loupe: EEXIST: file already exists, mkdir '${home}'\n`);
  });
});

describe('a database that cannot be used', () => {
  // Nothing listens on port 1: every command that opens the store says so in one line, the password hidden.
  const url = 'postgres://loupe:s3cret-pass@127.0.0.1:1/loupe';
  it.each([
    ['keys', 'list'],
    ['db', 'status'],
    ['models', 'list'],
    ['pipeline', 'run'],
  ])(
    '`loupe %s %s` ends with exit 1 and one line',
    async (...command) => {
      const r = await loupeInProcess([...command, '--home', join(dir, 'unused')], { LOUPE_DATABASE_URL: url });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /^loupe: cannot use the PostgreSQL database postgres:\/\/loupe:\*\*\*@127\.0\.0\.1:1\/loupe: [^\n]+\n$/,
      );
      expect(r.out).not.toContain('s3cret-pass');
    },
    30_000,
  );
});
