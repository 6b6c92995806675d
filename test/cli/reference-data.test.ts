/**
 * A reference data file that cannot be read — missing, or not appraisals — is the operator's to fix: `loupe serve` on
 * an empty home, `loupe pipeline run` and `loupe train --data` say which file and what is wrong in one line, with no
 * stack trace, and serve and pipeline run name LOUPE_DATA and --data, which both take (exit 2, as a usage error).
 * So is a readable reference that is not the one the home stored (exit 2, naming both).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { prepareSmallFirstModelHome, smallFirstModelHome } from '../helpers/prepared-home.js';
import { smallReference } from '../helpers/small-data.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-reference-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const missing = join(dir, 'nowhere.csv');
const notCsv = join(dir, 'notes.txt');
writeFileSync(notCsv, 'a shopping list\nnot appraisals\n');

/** stderr is one line starting "loupe: ", without the lines of a stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^loupe: /);
  return lines[0];
}

describe('a reference data file that cannot be read', () => {
  it('pipeline run --data: which file, what is wrong, and how to point at another', async () => {
    const home = join(dir, 'pipeline');
    const r = await loupeInProcess(['pipeline', 'run', '--home', home, '--data', missing], { LOUPE_DATA: undefined });
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe(
      `loupe: the reference data ${missing} could not be ingested: no such file; set LOUPE_DATA (or --data) to the reference appraisals' CSV`,
    );
  });

  it('serve on an empty home with LOUPE_DATA on a file that is not CSV: stops before it listens', async () => {
    const home = join(dir, 'serve');
    const r = await loupeInProcess(['serve', '--home', home, '--port', '0'], { LOUPE_DATA: notCsv });
    expect(r.status).toBe(2);
    const line = oneLine(r.stderr);
    expect(line).toContain(`the reference data ${notCsv} could not be ingested: required columns`);
    expect(line).toContain('this does not look like a CSV file');
    expect(line).toMatch(/set LOUPE_DATA \(or --data\) to the reference appraisals' CSV$/);
  });

  it('train --data: the file and its problem', async () => {
    const r = await loupeInProcess(['train', '--home', join(dir, 'train'), '--data', missing]);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toBe('loupe: nowhere.csv: no such file');
  });
});

describe('a reference other than the one the home stored', () => {
  beforeAll(prepareSmallFirstModelHome);

  it('pipeline run --data: exit 2, one line naming both, nothing stored', async () => {
    const home = await smallFirstModelHome('loupe-other-reference-');
    try {
      const other = join(dir, 'other', 'diamonds.csv');
      mkdirSync(join(dir, 'other'));
      const lines = readFileSync(smallReference(), 'utf8').split('\n');
      writeFileSync(other, `${lines.slice(0, 1001).join('\n')}\n`);
      copyFileSync(
        smallReference().replace(/\.csv$/, '.reference-split.txt'),
        other.replace(/\.csv$/, '.reference-split.txt'),
      );
      const r = await loupeInProcess(['pipeline', 'run', '--home', home, '--data', other, '--kinds', 'hedonic'], {
        LOUPE_DATA: undefined,
        LOUPE_LOG_FORMAT: 'json',
      });
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(
        new RegExp(
          `^loupe: the reference data ${other} \\(sha256 [0-9a-f]{12}…\\) is not the reference this home stored, ${smallReference()} \\(sha256 [0-9a-f]{12}…, recorded in ${join(home, 'reference.json')}\\): .*set LOUPE_DATA \\(or --data\\) to that file or a copy of it$`,
        ),
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
