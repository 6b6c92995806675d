/** `loupe models list|show|promote|rollback`, run in-process on a home with three registered models. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerModels } from '../../src/cli/models.js';
import { CliError } from '../../src/cli/output.js';
import { loupePaths } from '../../src/config/index.js';
import { trainModel } from '../../src/model/index.js';
import { championVersion, promoteModel, registerModel } from '../../src/registry/index.js';
import { openDatabase } from '../../src/store/db.js';
import { referenceSplit } from '../helpers/reference.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

let home: string;
beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'loupe-models-cli-'));
  const paths = loupePaths({}, { home });
  const db = openDatabase(paths.database);
  const { train } = await referenceSplit();
  // What the commands show and do holds for any model: a difficulty model of 30 trees (not 300) keeps it quick.
  for (let i = 0; i < 3; i++)
    registerModel(
      db,
      paths,
      trainModel(train.slice(i * 1000, (i + 1) * 1000), {
        kind: 'hedonic',
        seed: i,
        difficultyTrees: SMALL_DIFFICULTY_TREES,
      }),
      {
        durationMs: 5,
        decision: `test ${i}`,
      },
    );
  promoteModel(db, 'v0001', 'first');
  promoteModel(db, 'v0002', 'second');
  db.close();
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function loupe(...args: string[]): Promise<string> {
  const program = new Command('loupe').exitOverride();
  registerModels(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'loupe', ...args, '--home', home]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

const champion = (): string | undefined => {
  const db = openDatabase(loupePaths({}, { home }).database);
  try {
    return championVersion(db);
  } finally {
    db.close();
  }
};

describe('loupe models', () => {
  it('list marks the champion; --json gives models, champion and the promotion history', async () => {
    const text = await loupe('models', 'list');
    expect(text.split('\n').filter((l) => l.startsWith('*'))).toHaveLength(1);
    expect(text).toMatch(/^\* v0002/m);
    const json = JSON.parse(await loupe('models', 'list', '--json')) as {
      champion: string;
      models: { version: string }[];
      promotions: unknown[];
    };
    expect(json.champion).toBe('v0002');
    expect(json.models.map((m) => m.version)).toEqual(['v0001', 'v0002', 'v0003']);
    expect(json.promotions).toHaveLength(2);
  });

  it('show prints one model, "champion" included', async () => {
    expect(await loupe('models', 'show', 'v0003')).toMatch(/^v0003 \(hedonic\)\n/);
    const json = JSON.parse(await loupe('models', 'show', 'champion', '--json')) as {
      version: string;
      isChampion: boolean;
    };
    expect(json).toMatchObject({ version: 'v0002', isChampion: true });
    await expect(loupe('models', 'show', 'v0099')).rejects.toThrow(CliError);
  });

  it('promote and rollback switch the champion and report it', async () => {
    expect(await loupe('models', 'promote', 'v0003', '--reason', 'test')).toBe(
      'v0003 is now the champion (was v0002)\n',
    );
    expect(champion()).toBe('v0003');
    const back = JSON.parse(await loupe('models', 'rollback', '--json')) as { champion: string; previous: string };
    expect(back).toMatchObject({ champion: 'v0002', previous: 'v0003' });
    expect(champion()).toBe('v0002');
    await expect(loupe('models', 'promote', 'v0002')).rejects.toThrow(/already the champion/);
  });
});
