/**
 * `loupe pipeline runs --limit`: a whole number from 1 to 1,000. Anything else is a usage error (exit 2): "abc" and
 * 0 used to list 20, −1 and 1e9 the whole history, and 2.5 ended in a database error's stack trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const home = mkdtempSync(join(tmpdir(), 'loupe-runs-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('pipeline runs --limit', () => {
  it.each(['abc', '0', '-1', '2.5', '1e9', '1001'])('refuses %s', async (limit) => {
    const r = await loupeInProcess(['pipeline', 'runs', '--home', home, '--limit', limit]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`loupe: --limit ${limit} is not a whole number from 1 to 1000\n`);
  });

  it('takes 1 to 1000', async () => {
    for (const limit of ['1', '1000']) {
      const r = await loupeInProcess(['pipeline', 'runs', '--home', home, '--limit', limit]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('no runs yet\n');
    }
  });
});
