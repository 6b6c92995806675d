/**
 * `loupe pipeline run` with a landing folder named on purpose (--incoming, LOUPE_INCOMING) that is not one: a usage
 * error naming it (exit 2), before any run starts — not an empty folder made at a mistyped path, nor a CSV file
 * given in its place failing as a folder that cannot be made.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-landing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, 'home');

describe('pipeline run with a landing folder that is not one', () => {
  it('--incoming that does not exist: exit 2, and no folder made there', async () => {
    const typo = join(dir, 'incomming');
    const r = await loupeInProcess(['pipeline', 'run', '--home', home, '--incoming', typo]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `loupe: --incoming ${typo}: no such folder (the landing folder, where new appraisal files are put)\n`,
    );
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(home)).toBe(false); // no run started
  });

  it('--incoming naming a CSV file: exit 2, saying it names a folder', async () => {
    const file = join(dir, 'batch.csv');
    writeFileSync(file, 'carat,cut\n');
    const r = await loupeInProcess(['pipeline', 'run', '--home', home, '--incoming', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^loupe: --incoming ${file} is not a folder: it names the landing folder`));
  });

  it('LOUPE_INCOMING that does not exist: the same, naming the variable', async () => {
    const r = await loupeInProcess(['pipeline', 'run', '--home', home], { LOUPE_INCOMING: join(dir, 'nope') });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^loupe: LOUPE_INCOMING .*nope: no such folder/);
  });
});
