/** `loupe train --data FILE` without --out registers a model that may have learned from the frozen evaluation rows: it says so, loudly. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { getModel, upgradeMetrics } from '../../src/registry/index.js';
import { openDatabase } from '../../src/store/db.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const home = mkdtempSync(join(tmpdir(), 'loupe-train-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('loupe train --data, registered', () => {
  it('warns on stderr that it may hold the frozen evaluation rows, and its record says it is not known', async () => {
    const file = join(home, 'some.csv');
    writeFileSync(file, readFileSync(loupePaths().referenceData, 'utf8').split('\n').slice(0, 401).join('\n'));
    const {
      status,
      stdout: out,
      stderr: err,
    } = await loupeInProcess(['train', '--kind', 'hedonic', '--data', file, '--home', home, '--json']);
    expect(status).toBe(0);
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

describe('loupe train refuses what it cannot train on in one line, not a stack trace', () => {
  it('fewer valid rows than training needs: exit 1, saying how many there were and the minimum', async () => {
    const file = join(home, 'few.csv');
    const lines = readFileSync(loupePaths().referenceData, 'utf8').split('\n');
    // 20 valid rows and 5 that fail validation: only the valid ones count
    const bad = Array<string>(5).fill('x,Ideal,G,VS2,61.8,57,4100,6.2,6.24,3.84');
    writeFileSync(file, [...lines.slice(0, 21), ...bad].join('\n'));
    const r = await loupeInProcess(['train', '--kind', 'hedonic', '--data', file, '--out', join(home, 'few.json')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('loupe: need at least 50 valid appraisals to train and calibrate, got 20\n');
  });

  it.each(['4294967296', '-1', '2.5', '0x7', 'Infinity', ''])(
    '--seed %j: a usage error (exit 2) naming the range allowed',
    async (seed) => {
      const args = ['train', '--kind', 'hedonic', '--seed', seed, '--home', home, '--out', join(home, 'x.json')];
      const r = await loupeInProcess(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`loupe: --seed must be a whole number from 0 to 4294967295, got "${seed}"\n`);
    },
  );
});
