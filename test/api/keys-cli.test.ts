import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { openDatabase } from '../../src/store/db.js';
import { hashKey, keyFinder } from '../../src/store/keys.js';

const home = mkdtempSync(join(tmpdir(), 'loupe-keys-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function loupe(...args: string[]): Promise<{ out: string; code: number }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(['node', 'loupe', ...args, '--home', home]);
    return { out, code: Number(process.exitCode ?? 0) };
  } finally {
    spy.mockRestore();
    process.exitCode = undefined;
  }
}

describe('loupe keys', () => {
  it('create prints the key once; list shows only its prefix; the database holds only its hash; revoke ends it', async () => {
    const created = await loupe('keys', 'create', '--name', 'ACME', '--scope', 'valuations');
    const key = /(lp_[A-Za-z0-9_-]{43})/.exec(created.out)![1];
    expect(created.out).toMatch(/only time the key is shown/);
    const listed = await loupe('keys', 'list');
    expect(listed.out).toContain('ACME');
    expect(listed.out).toContain(key.slice(0, 9));
    expect(listed.out).not.toContain(key);
    const json = JSON.parse((await loupe('keys', 'list', '--json')).out);
    expect(json[0]).toMatchObject({ name: 'ACME', scopes: ['valuations'], ratePerMinute: 600, revokedAt: null });
    const db = openDatabase(join(home, 'loupe.db'));
    try {
      expect(JSON.stringify(db.prepare('SELECT * FROM api_keys').all())).not.toContain(key);
      expect(keyFinder(db)(key)?.name).toBe('ACME');
      expect((db.prepare('SELECT sha256 FROM api_keys').get() as { sha256: string }).sha256).toBe(hashKey(key));
      expect((await loupe('keys', 'revoke', 'ACME')).out).toMatch(/revoked/);
      expect(keyFinder(db)(key)).toBeUndefined();
      expect((await loupe('keys', 'revoke', 'ACME')).code).toBe(1);
    } finally {
      db.close();
    }
  });

  it('admin keys with their own rate; --json prints the key for scripts', async () => {
    const out = JSON.parse(
      (await loupe('keys', 'create', '--name', 'ops', '--scope', 'admin', '--rate', '120', '--json')).out,
    );
    expect(out).toMatchObject({ name: 'ops', scopes: ['admin'], ratePerMinute: 120 });
    expect(out.key).toMatch(/^lp_/);
  });

  it('refuses an unknown scope or a bad rate as usage errors', async () => {
    await expect(loupe('keys', 'create', '--name', 'x', '--scope', 'everything')).rejects.toMatchObject({
      exitCode: 2,
    });
    await expect(loupe('keys', 'create', '--name', 'x', '--rate', '0')).rejects.toMatchObject({ exitCode: 2 });
  });

  it('revoke takes digits as an id and anything else as a name, and revokes one key; names are unique', async () => {
    await loupe('keys', 'create', '--name', 'rotate-me');
    await expect(loupe('keys', 'create', '--name', 'rotate-me')).rejects.toMatchObject({ exitCode: 2 });
    await expect(loupe('keys', 'create', '--name', '1')).rejects.toMatchObject({ exitCode: 2 });
    const id = (JSON.parse((await loupe('keys', 'list', '--json')).out) as Array<{ id: number; name: string }>).find(
      (k) => k.name === 'rotate-me',
    )!.id;
    const r = await loupe('keys', 'revoke', String(id), '--json');
    expect((JSON.parse(r.out) as Array<{ name: string }>).map((k) => k.name)).toEqual(['rotate-me']);
    expect((await loupe('keys', 'revoke', String(id))).out).toMatch(`no active key has the id ${id}`);
  });
});
