import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT, dataFiles } from '../../src/report/data-files.js';

describe('data files', () => {
  it('defaults to ../shared/data next to the repository, wherever the process runs', () => {
    expect(REPOSITORY_ROOT).toBe(resolve(import.meta.dirname, '../..'));
    const files = dataFiles({});
    expect(files.reference).toBe(resolve(REPOSITORY_ROOT, '../shared/data/diamonds.csv'));
    expect(files.referenceSplit).toBe(resolve(REPOSITORY_ROOT, '../shared/data/diamonds.reference-split.txt'));
    expect(dataFiles({ LOUPE_DATA: '  ' })).toEqual(files);
  });

  it('follows LOUPE_DATA and lists its fresh batches oldest first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-data-'));
    try {
      mkdirSync(join(dir, 'fresh'));
      for (const f of ['2026-10.csv', '2026-09.csv', 'notes.txt']) writeFileSync(join(dir, 'fresh', f), '');
      const files = dataFiles({ LOUPE_DATA: join(dir, 'ref.csv') });
      expect(files.directory).toBe(dir);
      expect(files.fresh).toEqual([join(dir, 'fresh/2026-09.csv'), join(dir, 'fresh/2026-10.csv')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
