/**
 * `loupe serve` on a filesystem that is really full (a tmpfs filled to the last byte, test/helpers/full-disk.ts):
 * valuations go on being answered (they need only the model), a quote answered meanwhile is found, recording an
 * appraisal is refused as 507 storage-full (nothing stored), /metrics counts what waits and what was written as it
 * is, and once space is freed everything is stored and the server stops cleanly. No step waits a fixed time: each
 * waits for the server to say what happened.
 */
import { spawn } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgv } from '../helpers/cli-js.js';
import { fullDiskSkip, truncateWal, withFullDisk } from '../helpers/full-disk.js';
import { prepareSmallFirstModelHome, smallFirstModelHome } from '../helpers/prepared-home.js';
import { smallReference } from '../helpers/small-data.js';
import { STONE } from './helpers.js';

/** The copies of the prepared home each test starts from: removed after the file. */
const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => prepareSmallFirstModelHome(), 120_000);

async function until<T>(what: string, get: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The value of one unlabelled series of a Prometheus text answer. */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

describe('loupe serve on a full disk', () => {
  it.skipIf(fullDiskSkip !== undefined)(
    'values, keeps quotes, refuses appraisals with 507, tells the truth in /metrics, and recovers',
    async () => {
      const source = await smallFirstModelHome('loupe-full-disk-serve-');
      copies.push(source);
      await withFullDisk(16 * 1024 * 1024, async (disk) => {
        const home = join(disk.dir, 'home');
        cpSync(source, home, { recursive: true });
        const child = spawn(process.execPath, cliArgv('serve', '--open', '--port', '0', '--home', home), {
          env: { ...process.env, LOUPE_DATA: smallReference(), LOUPE_VALUATION_THREADS: '1', LOG_LEVEL: 'info' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        const said = (pattern: RegExp) => until(String(pattern), () => pattern.exec(out) ?? undefined);
        try {
          const [, url] = await said(/ready: open (http:\/\/127\.0\.0\.1:\d+) /);
          const post = (path: string, body: unknown) =>
            fetch(`${url}${path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            });
          const scrape = async () => (await fetch(`${url}/metrics`)).text();
          truncateWal(join(home, 'loupe.db'));
          disk.fill();

          const ids: string[] = [];
          for (let i = 0; i < 20; i++) {
            const r = await post('/v1/valuations', STONE);
            expect(r.status).toBe(200);
            ids.push(((await r.json()) as { id: string }).id);
          }
          expect((await fetch(`${url}/v1/valuations/${ids[0]}`)).status).toBe(200);
          const refused = await post('/v1/appraisals', { ...STONE, price: 4400 });
          expect(refused.status).toBe(507);
          expect(await refused.json()).toMatchObject({
            type: '/problems/storage-full',
            detail: expect.stringMatching(/disk is full.*nothing of it was stored/),
          });
          expect((await fetch(`${url}/readyz`)).status).toBe(200);

          await said(/the request log cannot be written/);
          const before = await scrape();
          expect(metric(before, 'loupe_request_log_pending')).toBeGreaterThanOrEqual(20);
          // The 20 stored valuations wait too, and are counted as waiting, not as written.
          await said(/valuations could not be stored/);
          const quotesBefore = await scrape();
          expect(metric(quotesBefore, 'loupe_valuation_store_pending')).toBeGreaterThanOrEqual(20);
          const storedBefore = metric(quotesBefore, 'loupe_valuation_store_written_total');
          await post('/v1/valuations', STONE);
          const after = await scrape();
          expect(metric(after, 'loupe_request_log_written_total')).toBe(
            metric(before, 'loupe_request_log_written_total'),
          );

          disk.free();
          await said(/the request log is written again/);
          await said(/valuations are stored again/);
          // What waited is written now: the entries of the 20 valuations at least.
          const held = metric(after, 'loupe_request_log_written_total');
          await until('the waiting entries written', async () =>
            metric(await scrape(), 'loupe_request_log_written_total') >= held + 20 ? true : undefined,
          );
          await until('the waiting valuations written', async () => {
            const text = await scrape();
            return metric(text, 'loupe_valuation_store_written_total') >= storedBefore + 20 &&
              metric(text, 'loupe_valuation_store_pending') === 0
              ? true
              : undefined;
          });
          expect(metric(await scrape(), 'loupe_valuation_store_dropped_total')).toBe(0);
          expect((await fetch(`${url}/v1/valuations/${ids.at(-1)}`)).status).toBe(200);
          expect((await post('/v1/appraisals', { ...STONE, price: 4400 })).status).toBe(201);
          child.kill('SIGTERM');
          expect(await exited).toBe(0);
        } finally {
          if (child.exitCode === null) {
            child.kill('SIGKILL');
            await exited;
          }
        }
      });
    },
    180_000,
  );
});
