/**
 * `loupe features`: an input that cannot be read is one line (no stack trace, nothing written), and with --out a
 * file that fails part-way leaves no half-written features file behind — the file appears whole or not at all.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { FEATURE_NAMES } from '../../src/model/feature-names.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-features-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const reference = readFileSync(loupePaths().referenceData, 'utf8').trimEnd().split('\n');
const HEADER = `${[...FEATURE_NAMES, 'log_price', 'price', 'line'].join(',')}`;

describe('loupe features', () => {
  it('writes the header and a line per valid row, to --out once it is complete', async () => {
    const input = join(dir, 'some.csv');
    writeFileSync(input, `${reference.slice(0, 101).join('\n')}\n`);
    const out = join(dir, 'some-features.csv');
    const r = await loupeInProcess(['features', input, '--out', out, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 100, skipped: 0, out });
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(101);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('says in one line that the input is missing, and writes nothing', async () => {
    const out = join(dir, 'none.csv');
    for (const args of [[], ['--out', out]]) {
      const r = await loupeInProcess(['features', join(dir, 'nowhere.csv'), ...args]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('loupe: nowhere.csv: no such file\n');
    }
    expect(existsSync(out)).toBe(false);
  });

  it('leaves no --out file when the input fails part-way (a quote never closed)', async () => {
    const input = join(dir, 'broken.csv');
    // Thousands of good rows first, so that rows were written when the bad record is reached.
    const rows = Array.from({ length: 4 }, () => reference.slice(1)).flat();
    // The quote runs on over a line holding text, so the record cannot be cut into its lines again: the file fails.
    writeFileSync(input, `${reference[0]}\n${rows.join('\n')}\n1.0,"Ideal${'x'.repeat(70_000)}\nmore text\n`);
    const out = join(dir, 'broken-features.csv');
    const r = await loupeInProcess(['features', input, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^loupe: broken\.csv: the record starting on line \d+ is longer than 65,536 characters/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('refuses --out naming the input itself (exit 2), and leaves the input as it was', async () => {
    const input = join(dir, 'own.csv');
    const text = `${reference.slice(0, 11).join('\n')}\n`;
    writeFileSync(input, text);
    const r = await loupeInProcess(['features', input, '--out', input]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `loupe: --out ${input} is the input file ${input}: writing it would replace the appraisals being read; name another file\n`,
    );
    expect(readFileSync(input, 'utf8')).toBe(text);
  });

  it('refuses --json without --out (exit 2, one line): the summary would end up inside the CSV', async () => {
    const input = join(dir, 'json.csv');
    writeFileSync(input, `${reference.slice(0, 11).join('\n')}\n`);
    const r = await loupeInProcess(['features', input, '--json']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('loupe: --json needs --out FILE: without it the CSV itself goes to standard output\n');
  });

  it('says in one line that --out cannot be written (a folder that does not exist), and does not hang', async () => {
    const input = join(dir, 'rows.csv');
    writeFileSync(input, `${reference.slice(0, 3001).join('\n')}\n`); // more than the stream's buffer holds
    const r = await loupeInProcess(['features', input, '--out', join(dir, 'missing', 'out.csv')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^loupe: ENOENT: no such file or directory, open '.*\/missing\/out\.csv\.partial-\d+'\n$/);
  });
});
