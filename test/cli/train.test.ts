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
