/** `loupe train --data FILE` without --out registers a model that may have learned from the frozen evaluation rows: it says so, loudly. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerTrain } from '../../src/cli/train.js';
import { loupePaths } from '../../src/config/index.js';
import { getModel, upgradeMetrics } from '../../src/registry/index.js';
import { openDatabase } from '../../src/store/db.js';

const home = mkdtempSync(join(tmpdir(), 'loupe-train-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('loupe train --data, registered', () => {
  it('warns on stderr that it may hold the frozen evaluation rows, and its record says it is not known', async () => {
    const file = join(home, 'some.csv');
    writeFileSync(file, readFileSync(loupePaths().referenceData, 'utf8').split('\n').slice(0, 401).join('\n'));
    const program = new Command('loupe').exitOverride();
    registerTrain(program);
    let out = '';
    let err = '';
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      out += String(c);
      return true;
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      err += String(c);
      return true;
    });
    try {
      await program.parseAsync([
        'node',
        'loupe',
        'train',
        '--kind',
        'hedonic',
        '--data',
        file,
        '--home',
        home,
        '--json',
      ]);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const summary = JSON.parse(out) as { version: string; evaluationRowsLeftOut: number | null };
    expect(summary.version).toBe('v0001');
    expect(summary.evaluationRowsLeftOut).toBeNull();
    expect(err).toMatch(
      /^WARNING: v0001 learned from .*some\.csv.*cannot tell whether it holds the frozen evaluation rows/,
    );
    const db = openDatabase(loupePaths({}, { home }).database);
    try {
      const record = getModel(db, 'v0001')!;
      expect(upgradeMetrics(record.metrics).origin).toEqual({
        by: 'loupe train',
        run: null,
        evaluationRowsLeftOut: null,
      });
      expect(record.decision).toMatch(/may hold the frozen evaluation rows/);
    } finally {
      db.close();
    }
  });
});
