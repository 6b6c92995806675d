/**
 * docs/integrating.md is true: every `sh` block is run with bash against a listening server (a keyed server with a
 * CORS origin), and the HTTP statuses its curl commands get must be the `# → NNN` lines of the block, in order;
 * `# → NNN with Name` also needs that header (or media type) in the answer.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/store/keys.js';
import { testApp, testHome, type TestApp, type TestHome } from '../api/helpers.js';

const run = promisify(execFile);
const GUIDE = readFileSync(new URL('../../docs/integrating.md', import.meta.url), 'utf8');
const BLOCKS = [...GUIDE.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
const PYTHON = [...GUIDE.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** Debian's Python, which sees Debian's python3-requests (scripts/setup.sh installs it). */
const DEBIAN_PYTHON = '/usr/bin/python3';

let home: TestHome;
let t: TestApp;
let env: Record<string, string>;

beforeAll(async () => {
  home = await testHome();
  t = await testApp(home, { open: false, corsOrigins: ['https://shop.example'] });
  const key = createKey(home.db, { name: 'ACME', scopes: ['valuations'] }).secret;
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LOUPE_URL: url, LOUPE_KEY: key };
});
afterAll(async () => {
  await t?.app.close();
  home?.cleanup();
});

describe('docs/integrating.md', () => {
  it('has examples for every topic it promises', () => {
    expect(BLOCKS.length).toBeGreaterThanOrEqual(9);
  });

  it.each(BLOCKS.map((b, i) => [i + 1, b] as const))('block %i answers as it says', async (_i, block) => {
    const expected = [...block.matchAll(/^# → (\d{3})(?: with (.+))?$/gm)].map((m) => ({
      status: Number(m[1]),
      with: m[2],
    }));
    // --norc: bash reads ~/.bashrc when its stdin is a socket (as Node's pipes are) and SHLVL is unset (this clean
    // environment), taken for a remote shell; a shell setup there (pyenv's init: ~1.5 s of CPU) ran before every block.
    const { stdout } = await run('bash', ['--norc', '-e', '-c', block], { env });
    // Each answer printed by curl -i starts with its status line (right after the previous body, which may not end
    // with a line break); split the output at them.
    const answers = stdout.split(/(?=HTTP\/1\.1 \d{3} )/).filter((a) => a.startsWith('HTTP/1.1'));
    expect(answers.map((a) => Number(a.slice(9, 12)))).toEqual(expected.map((e) => e.status));
    expected.forEach((e, i) => {
      if (e.with) expect(answers[i]!.toLowerCase()).toContain(e.with.toLowerCase());
    });
  });

  it('has a Python example, and it answers as it says (each print of a status, in order)', async () => {
    expect(PYTHON).toHaveLength(1);
    const script = PYTHON[0]!;
    const expected = [...script.matchAll(/print\(answer\.status_code\)\s*# → (\d{3})/g)].map((m) => Number(m[1]));
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const { stdout } = await run(DEBIAN_PYTHON, ['-c', script], { env });
    const statuses = stdout
      .split('\n')
      .filter((line) => /^\d{3}$/.test(line))
      .map(Number);
    expect(statuses).toEqual(expected);
    // the prints after each status: a price and a range, a problem naming carat, each batch result
    expect(stdout).toMatch(/^\d+ \{'low': \d+, 'high': \d+, 'coverage': 0\.9\} val_/m);
    expect(stdout).toMatch(/^carat Carat 12 ct is out of range/m);
    expect(stdout).toMatch(/^lot-17 \d+$/m);
    expect(stdout).toMatch(/^None Cut "Excellent" is not/m);
  });
});
