/**
 * A command that only reads a home (or changes only what is already in it) named a home that does not exist: a
 * usage error naming the folder (exit 2), and the folder is not made. It used to make the folder and an empty
 * database, so a mistyped --home looked like an empty history ("no runs yet", "no models yet"). Commands that
 * write (keys create here) still make the home they are given.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-read-only-home-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SQLITE = { LOUPE_DATABASE_URL: undefined, LOUPE_HOME: undefined };

const READERS: string[][] = [
  ['pipeline', 'runs'],
  ['models', 'list'],
  ['models', 'show', 'champion'],
  ['models', 'promote', 'v0001'],
  ['models', 'rollback'],
  ['db', 'status'],
  ['rejects', 'list'],
  ['rejects', 'export'],
  ['keys', 'list'],
  ['keys', 'revoke', 'ACME'],
];

describe('a read-only command given a home that does not exist', () => {
  it.each(READERS.map((args) => [args.join(' '), args]))('%s: a usage error, nothing made', async (_name, args) => {
    const home = join(dir, `typo-${args.join('-')}`);
    const r = await loupeInProcess([...args, '--home', home], SQLITE);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`loupe: no Loupe home at ${home} (nothing has been stored or trained there); check --home\n`);
    expect(existsSync(home)).toBe(false);
  });

  it('names LOUPE_HOME when the home came from it', async () => {
    const home = join(dir, 'typo-env');
    const r = await loupeInProcess(['models', 'list'], { ...SQLITE, LOUPE_HOME: home });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `loupe: no Loupe home at ${home} (nothing has been stored or trained there); check LOUPE_HOME\n`,
    );
    expect(existsSync(home)).toBe(false);
  });

  it('a command that writes still makes its home', async () => {
    const home = join(dir, 'new-home');
    const r = await loupeInProcess(['keys', 'create', '--name', 'ACME', '--home', home], SQLITE);
    expect(r.status, r.out).toBe(0);
    expect(existsSync(join(home, 'loupe.db'))).toBe(true);
    const list = await loupeInProcess(['keys', 'list', '--home', home], SQLITE);
    expect(list.status, list.out).toBe(0);
    expect(list.stdout).toMatch(/ACME/);
  });
});
