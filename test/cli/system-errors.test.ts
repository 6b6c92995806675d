/**
 * When the machine refuses a call (here: --home names a file, so its database folder cannot be made), a command says
 * so in one line — the call, the reason and the path — instead of a stack trace (src/cli/run.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-system-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an error of the operating system', () => {
  it('is one line naming the call and the path', async () => {
    const home = join(dir, 'a-file');
    writeFileSync(home, 'not a folder');
    const r = await loupeInProcess(['models', 'list', '--home', home]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`loupe: EEXIST: file already exists, mkdir '${home}'\n`);
  });
});
