import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { cliArgv } from '../helpers/cli-js.js';
import { FRESH, HEADER, REFERENCE, ROW_A, tempHome, type TempHome } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');

/**
 * Runs the loupe command line in a child process, as a user would (not on a terminal: no progress bar): for the
 * tests of what the process boundary shows (its exit status, stdout and stderr); the others run the same program
 * in this process.
 */
function loupeProcess(args: string[], home: string) {
  const r = spawnSync(process.execPath, cliArgv(...args), {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, LOUPE_HOME: home },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same program in this process (test/helpers/cli-in-process.ts), on LOUPE_HOME `home`. */
async function loupe(args: string[], home: string) {
  const r = await loupeInProcess(args, { LOUPE_HOME: home });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Some tests start Node processes; on a loaded machine that alone takes seconds.
vi.setConfig({ testTimeout: 180_000 });

let home: TempHome;
beforeAll(() => {
  home = tempHome();
});
afterAll(() => home.cleanup());

describe('loupe ingest', () => {
  it('prints a human summary by reason and exits 0', () => {
    const r = loupeProcess(['ingest', REFERENCE], home.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('diamonds.csv: ingested');
    expect(r.stdout).toContain('5,000 rows read: 4,984 accepted (0 with grades normalised), 16 rejected');
    expect(r.stdout).toContain('rejected by reason: out_of_range 11, implausible_geometry 4, duplicate 1');
    expect(r.stderr).toBe('');
  });

  it('--json: one summary per file; a failed file gives exit 1 while the others proceed; --home wins over LOUPE_HOME', async () => {
    const other = tempHome();
    try {
      const bad = home.file('bad.csv', 'carat,cut\n1,Ideal\n');
      const r = await loupe(['ingest', '--json', '--home', other.dir, FRESH('2026-11'), bad, REFERENCE], home.dir);
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as { files: Array<Record<string, unknown>> };
      expect(out.files.map((f) => [f.file, f.status])).toEqual([
        ['2026-11.csv', 'ingested'],
        ['bad.csv', 'failed'],
        ['diamonds.csv', 'ingested'],
      ]);
      expect(out.files[0]).toEqual({
        file: '2026-11.csv',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        status: 'ingested',
        rowsRead: 2006,
        accepted: 1972,
        rejected: 34,
        byReason: {
          not_a_number: 5,
          unknown_grade: 5,
          out_of_range: 9,
          missing: 8,
          implausible_geometry: 1,
          duplicate: 6,
        },
        normalised: 14,
      });
      expect(out.files[1].message).toMatch(/required columns color, clarity, depth, table, price, x, y, z missing/);
      // The November rows equal to reference rows came first this time, so two reference rows are the duplicates.
      expect(out.files[2]).toMatchObject({ accepted: 4982, rejected: 18 });
    } finally {
      other.cleanup();
    }
  });

  it('says "already ingested on <date>" and adds nothing the second time', async () => {
    const r = await loupe(['ingest', REFERENCE], home.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /diamonds\.csv: already ingested on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(file #1\); nothing added/,
    );
  });

  it('exits 1 with a clear message for a binary file, and 2 for a usage error', () => {
    const bin = home.file('photo.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    const r = loupeProcess(['ingest', bin], home.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/photo\.csv: FAILED — is binary, not CSV text: a NUL byte at byte 8/);
    expect(loupeProcess(['ingest'], home.dir).code).toBe(2);
    expect(loupeProcess(['ingest', '--bogus', REFERENCE], home.dir).code).toBe(2);
  });

  it('--json still prints JSON when a file ends before its first row (header only, BOM only)', async () => {
    const headerOnly = home.file('header-only.csv', HEADER);
    const bomOnly = home.file('bom-only.csv', '\uFEFF');
    const r = await loupe(['ingest', '--json', headerOnly, bomOnly], home.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { files: Array<Record<string, unknown>> };
    expect(out.files.map((f) => [f.file, f.status])).toEqual([
      ['header-only.csv', 'failed'],
      ['bom-only.csv', 'failed'],
    ]);
    expect(out.files[0].message).toMatch(/header but no rows/);
  });

  it('--help shows an example', async () => {
    const r = await loupe(['ingest', '--help'], home.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Example:\n\s+\$ loupe ingest /);
  });
});

describe('loupe rejects', () => {
  it('lists rejects of one file, as text and as JSON', async () => {
    const text = await loupe(['rejects', 'list', '--file', 'diamonds.csv'], home.dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('diamonds.csv line 333  [out_of_range]  Price -1 is a placeholder');
    expect(text.stdout).toContain('16 rejected rows in 1 of 1 file');
    const json = JSON.parse((await loupe(['rejects', 'list', '--json'], home.dir)).stdout) as Array<
      Record<string, unknown>
    >;
    expect(json).toHaveLength(16);
    expect(json[0]).toMatchObject({
      fileName: 'diamonds.csv',
      line: 333,
      dataRow: 331,
      reason: 'out_of_range',
      reasons: [{ field: 'price', code: 'out_of_range' }],
    });
  });

  it('exits 1 for an unknown file', async () => {
    const r = await loupe(['rejects', 'list', '--file', 'nope.csv'], home.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no ingested file is named "nope\.csv"; ingested files: diamonds\.csv/);
  });

  it('exports raw rows plus a reasons column; the fixed export ingests', async () => {
    const own = tempHome();
    try {
      const path = own.file('batch.csv', `${HEADER}\n${ROW_A}\n"1,29",Ideal,H,SI1,62.6,56.0,6424,6.96,6.93,4.35\n`);
      expect((await loupe(['ingest', path], own.dir)).code).toBe(0);
      const out = join(own.dir, 'fix.csv');
      const r = await loupe(['rejects', 'export', '--file', 'batch.csv', '--out', out], own.dir);
      expect(r.code).toBe(0);
      const exported = readFileSync(out, 'utf8');
      expect(exported).toBe(
        `${HEADER},reasons\n"1,29",Ideal,H,SI1,62.6,56.0,6424,6.96,6.93,4.35,` +
          '"Carat ""1,29"" is not a number; probably meant 1.29 (with a decimal point instead of a comma)."\n',
      );
      const fixed = own.file('fixed.csv', exported.replace('"1,29"', '1.29'));
      const again = JSON.parse((await loupe(['ingest', '--json', fixed], own.dir)).stdout) as {
        files: Array<Record<string, unknown>>;
      };
      expect(again.files[0]).toMatchObject({ status: 'ingested', rowsRead: 1, accepted: 1, rejected: 0 });
    } finally {
      own.cleanup();
    }
  });
});
