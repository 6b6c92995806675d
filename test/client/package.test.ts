/**
 * The client package as a partner installs it: built (JS + .d.ts), packed with `npm pack`, installed from the
 * tarball into a scratch project with no registry (`npm install --offline`: it has no dependencies), type-checked
 * as a consumer's TypeScript, and run against a listening server — valuations, a batch with refs, the stored quote,
 * similar stones, models, a problem as LoupeError, and a 429 retried after its Retry-After.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/store/keys.js';
import { STONE, testApp, testHome, type TestApp, type TestHome } from '../api/helpers.js';

const run = promisify(execFile);
const CLIENT = fileURLToPath(new URL('../../client/', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

let home: TestHome;
let t: TestApp;
let scratch: string;

beforeAll(async () => {
  home = await testHome();
  t = await testApp(home, { open: false });
  scratch = mkdtempSync(join(tmpdir(), 'loupe-client-'));
}, 120_000);
afterAll(async () => {
  await t?.app.close();
  home?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const CONSUMER = `
import { LoupeClient, LoupeError, type Stone } from 'loupe-client';

const statuses: number[] = [];
const counting: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  statuses.push(res.status);
  return res;
};
const client = new LoupeClient({ baseUrl: process.env.LOUPE_URL!, apiKey: process.env.LOUPE_KEY });
const stone: Stone = JSON.parse(process.env.STONE!);
const one = await client.value(stone);
const batch = await client.valueBatch([{ ...stone, ref: 'lot-17' }, { ...stone, carat: 90 }], { explain: false });
const quote = await client.valuation(one.id!);
const similar = await client.similar({ carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2', n: 3 });
const model = await client.currentModel();
let problem: unknown;
try {
  await client.value({ ...stone, carat: 12 });
} catch (e) {
  problem = e instanceof LoupeError ? { status: e.status, field: e.problem.errors?.[0]?.field } : String(e);
}
const slow = new LoupeClient({ baseUrl: process.env.LOUPE_URL!, apiKey: process.env.SLOW_KEY, fetch: counting });
// Its 60 tokens a minute (one back each second) are used up by the 61st call or a little later, which is refused
// (429) and retried after Retry-After.
const prices: number[] = [];
while (!statuses.includes(429) && statuses.length < 200) prices.push((await slow.value(stone, { explain: false })).price);
console.log(JSON.stringify({
  price: one.price,
  steps: one.explanation?.steps.length,
  refs: batch.results.map((r) => r.ref ?? null),
  oks: batch.results.map((r) => r.ok),
  sameQuote: quote.valuation.price === one.price && quote.valuation.id === one.id,
  similar: similar.stones.length,
  model: model.version,
  problem,
  retry: { refused: statuses.filter((s) => s === 429).length, last: statuses.at(-1), calls: prices.length, prices: new Set(prices).size },
}));
`;

describe('the client package, installed from its tarball', () => {
  it('builds, packs, installs offline, type-checks and calls a running server (retrying a 429)', async () => {
    await run('npm', ['run', 'build'], { cwd: CLIENT });
    const packed = join(scratch, 'packed');
    mkdirSync(packed);
    await run('npm', ['pack', '--pack-destination', packed], { cwd: CLIENT });
    const [tarball] = readdirSync(packed);
    expect(tarball).toMatch(/^loupe-client-.*\.tgz$/);

    const project = join(scratch, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'partner-app', private: true, type: 'module' }),
    );
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(packed, tarball!)], { cwd: project });
    writeFileSync(join(project, 'consumer.ts'), CONSUMER);
    // A consumer's strict TypeScript against the installed .d.ts; a wrong call would not compile (tsc exits
    // non-zero on any error, and on an unused @ts-expect-error). The same compilation writes consumer.js, run below.
    // TypeScript's own lib files (es2023, dom) are not checked again (--skipDefaultLibCheck: a third of the
    // compile's CPU); the package's .d.ts files and @types/node are.
    writeFileSync(
      join(project, 'wrong.ts'),
      "import { LoupeClient } from 'loupe-client';\n// @ts-expect-error carat is a number\nnew LoupeClient({ baseUrl: '' }).value({ carat: '0.9', cut: 'Ideal', color: 'G', clarity: 'VS2' });\n",
    );
    await run(
      process.execPath,
      [
        TSC,
        '--outDir',
        '.',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--lib',
        'es2023,dom',
        '--types',
        'node',
        '--typeRoots',
        fileURLToPath(new URL('../../node_modules/@types', import.meta.url)),
        '--skipDefaultLibCheck',
        'consumer.ts',
        'wrong.ts',
      ],
      { cwd: project },
    );

    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const key = createKey(home.db, { name: 'partner', scopes: ['valuations'] }).secret;
    const slow = createKey(home.db, { name: 'slow', scopes: ['valuations'], ratePerMinute: 60 }).secret;
    const { stdout } = await run(process.execPath, ['consumer.js'], {
      cwd: project,
      env: { ...process.env, LOUPE_URL: base, LOUPE_KEY: key, SLOW_KEY: slow, STONE: JSON.stringify(STONE) },
    });
    const out = JSON.parse(stdout);
    expect(out.price).toBeGreaterThan(0);
    expect(out.steps).toBe(5);
    expect(out.refs).toEqual(['lot-17', null]);
    expect(out.oks).toEqual([true, false]);
    expect(out.sameQuote).toBe(true);
    expect(out.similar).toBe(3);
    expect(out.model).toBe('v0001');
    expect(out.problem).toEqual({ status: 400, field: 'carat' });
    // The call that was refused (429, Retry-After: 1) was retried and answered, so every call returned a price.
    // The 61st call is refused only if the first 60 took under a second: a token comes back each second, so on a
    // busy machine a later call is the refused one.
    expect(out.retry).toMatchObject({ refused: 1, last: 200, prices: 1 });
    expect(out.retry.calls).toBeGreaterThanOrEqual(61);
  }, 240_000);
});
