/**
 * `loupe rejects list|export` read a file's rejected rows a page at a time (5,000 rows) and write them as they come:
 * a file with more than a page lists and exports every row once, in line order, as one read would.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-rejects-pages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, 'home');
const ROWS = 12_345; // two full pages and part of a third

describe('rejects of a file longer than a page', () => {
  it('are listed and exported whole, in line order', async () => {
    const file = join(dir, 'bad-grades.csv');
    const rows = Array.from(
      { length: ROWS },
      (_, i) => `${(0.3 + i / 100_000).toFixed(5)},Superb,E,VS2,61.6,56,900,4.3,4.32,2.65`,
    );
    writeFileSync(file, `carat,cut,color,clarity,depth,table,price,x,y,z\n${rows.join('\n')}\n`);
    expect((await loupeInProcess(['ingest', file, '--home', home])).status).not.toBe(2);

    const listed = await loupeInProcess(['rejects', 'list', '--home', home, '--json']);
    expect(listed.status).toBe(0);
    const rejects = JSON.parse(listed.stdout) as { line: number; reason: string }[];
    expect(rejects).toHaveLength(ROWS);
    expect(rejects.map((r) => r.line)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 2));
    expect(new Set(rejects.map((r) => r.reason))).toEqual(new Set(['unknown_grade']));

    const text = await loupeInProcess(['rejects', 'list', '--home', home]);
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(ROWS + 1);
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('12,345 rejected rows in 1 of 1 file');

    const out = join(dir, 'rejects.csv');
    const exported = await loupeInProcess(['rejects', 'export', '--home', home, '--out', out]);
    expect(exported.status).toBe(0);
    expect(exported.stderr).toBe(`wrote 12,345 rejected rows and their reasons to ${out}\n`);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[1]).toMatch(/^0\.30000,Superb,/);
    expect(lines.at(-1)).toMatch(/^0\.42344,Superb,/);
  }, 60_000);
});
