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
    const { stdout } = await run('bash', ['-e', '-c', block], { env });
    // Each answer printed by curl -i starts with its status line (right after the previous body, which may not end
    // with a line break); split the output at them.
    const answers = stdout.split(/(?=HTTP\/1\.1 \d{3} )/).filter((a) => a.startsWith('HTTP/1.1'));
    expect(answers.map((a) => Number(a.slice(9, 12)))).toEqual(expected.map((e) => e.status));
    expected.forEach((e, i) => {
      if (e.with) expect(answers[i]!.toLowerCase()).toContain(e.with.toLowerCase());
    });
  });
});
