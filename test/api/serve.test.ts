/**
 * `loupe serve` as a process: with a champion in LOUPE_HOME it reports ready without training; it honours
 * HOST/PORT; on SIGTERM it answers the requests in flight and writes every logged
 * request before it exits; it refuses to run open on an address others can reach. The home is prepared in-process
 * (reference data ingested, a hedonic model promoted): bootstrapping an empty home, the pipeline run serve
 * calls, is tested in test/pipeline/recovery.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgv } from '../helpers/cli-js.js';
import { openDatabase } from '../../src/store/db.js';
import { STONE, testHome } from './helpers.js';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function serve(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, cliArgv('serve', ...args), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(output: () => string, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = pattern.exec(output());
    if (m) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${pattern}; output:\n${output()}`);
}

/**
 * Stones in each batch request of the SIGTERM test: enough that a batch is still being valued when SIGTERM comes
 * (its checks count whatever was answered, so they hold for any size); 100 where it was 1,000 (30,000 explained
 * valuations, most of the file's CPU).
 */
const BATCH = 100;

/** The first test's home (a promoted champion), reused by the tests that need one. */
let trainedHome: string | undefined;

describe('loupe serve', () => {
  it('starts on a home with a champion without training, serves, and drains and flushes the request log on SIGTERM', async () => {
    const prepared = await testHome();
    prepared.db.close();
    const home = prepared.dir;
    homes.push(home);
    trainedHome = home;
    const s = serve([], {
      LOUPE_HOME: home,
      HOST: '127.0.0.1',
      PORT: '0',
      LOUPE_OPEN: '1',
      LOUPE_MODEL_KINDS: 'hedonic',
    });
    const [, url] = await waitFor(s.output, /ready: open (http:\/\/127\.0\.0\.1:\d+) /, 120_000);
    expect(s.output()).not.toMatch(/"stage"/); // the champion was there: no pipeline step ran
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // Requests in flight when SIGTERM arrives are answered; every answered request is in the log afterwards.
    const batch = JSON.stringify({ stones: Array.from({ length: BATCH }, () => STONE) });
    const send = (i: number) =>
      fetch(`${url}/v1/valuations${i % 2 ? '/batch' : ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: i % 2 ? batch : JSON.stringify(STONE),
      })
        .then((r) => r.status)
        .catch(() => 'refused' as const);
    const first = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i)));
    expect(first.every((st) => st === 200)).toBe(true);
    const inFlight = Array.from({ length: 40 }, (_, i) => send(i));
    await new Promise((r) => setTimeout(r, 30));
    s.child.kill('SIGTERM');
    const statuses = await Promise.all(inFlight);
    expect(await s.exited).toBe(0);
    expect(s.output()).toMatch(/shutting down/);
    // Each request either was answered in full or never reached the server: none failed half-way.
    expect(statuses.filter((st) => st !== 200 && st !== 'refused')).toEqual([]);
    const answered = 20 + statuses.filter((st) => st === 200).length;
    expect(answered).toBeGreaterThan(20);

    const db = openDatabase(join(home, 'loupe.db'));
    try {
      const logged = (
        db.prepare("SELECT count(*) AS n FROM request_log WHERE route LIKE '/v1/valuations%'").get() as { n: number }
      ).n;
      expect(logged).toBe(answered);
      // Every valuation answered is stored (written by its own thread before exit): 10 single + 10 × BATCH batched
      // in the first round, and the same shape for each request answered after SIGTERM.
      const stored = (db.prepare('SELECT count(*) AS n FROM valuations').get() as { n: number }).n;
      const answeredStones = statuses.reduce(
        (sum: number, st, i) => sum + (st === 200 ? (i % 2 ? BATCH : 1) : 0),
        10 + 10 * BATCH,
      );
      expect(stored).toBe(answeredStones);
      const models = db.prepare('SELECT count(*) AS n FROM models').get() as { n: number };
      expect(models.n).toBeGreaterThanOrEqual(1);
    } finally {
      db.close();
    }
  }, 300_000);

  it('exits non-zero when it cannot listen: the port in use, a host name that does not resolve', async () => {
    expect(trainedHome).toBeDefined();
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = String((taken.address() as AddressInfo).port);
    // Both at once, on the same home: two processes on one SQLite file wait for each other's locks (busy timeout).
    const unknown = serve(['--host', 'no-such-host.invalid', '--port', '0'], {
      LOUPE_HOME: trainedHome!,
      LOUPE_VALUATION_THREADS: '1',
    });
    try {
      const inUse = serve(['--host', '127.0.0.1', '--port', port], {
        LOUPE_HOME: trainedHome!,
        LOUPE_VALUATION_THREADS: '1',
      });
      expect(await inUse.exited).toBe(1);
      expect(inUse.output()).toMatch(/cannot listen on 127\.0\.0\.1:\d+: the port is in use/);
    } finally {
      taken.close();
    }
    expect(await unknown.exited).toBe(1);
    expect(unknown.output()).toMatch(/cannot listen on no-such-host\.invalid:0: the host name does not resolve/);
  }, 120_000);

  it('refuses to run open on an address others can reach (exit 2, says why)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'loupe-serve-test-'));
    homes.push(home);
    const s = serve(['--open', '--host', '0.0.0.0', '--port', '0'], { LOUPE_HOME: home });
    expect(await s.exited).toBe(2);
    expect(s.output()).toMatch(/refusing to run open .* loopback/);
    const unresolved = serve(['--open', '--host', 'no-such-host.invalid', '--port', '0'], { LOUPE_HOME: home });
    expect(await unresolved.exited).toBe(2);
  }, 120_000);

  it('refuses a bad port as a usage error', async () => {
    const s = serve(['--port', 'eighty'], { LOUPE_HOME: join(tmpdir(), 'loupe-never-created') });
    expect(await s.exited).toBe(2);
    expect(s.output()).toMatch(/port must be a whole number/);
    const poll = serve(['--poll-ms', 'often'], { LOUPE_HOME: join(tmpdir(), 'loupe-never-created') });
    expect(await poll.exited).toBe(2);
    expect(poll.output()).toMatch(/poll interval must be a whole number/);
    // Past 2³¹ − 1 ms Node would run the timer every millisecond: at most an hour.
    const rare = serve(['--poll-ms', '9999999999'], { LOUPE_HOME: join(tmpdir(), 'loupe-never-created') });
    expect(await rare.exited).toBe(2);
    expect(rare.output()).toMatch(/poll interval must be a whole number of ms from 10 to 3600000, not "9999999999"/);
    const cors = serve([], { LOUPE_HOME: join(tmpdir(), 'loupe-never-created'), LOUPE_CORS_ORIGINS: 'shop.example' });
    expect(await cors.exited).toBe(2);
    expect(cors.output()).toMatch(/"shop.example" is not an origin/);
    const retention = serve([], {
      LOUPE_HOME: join(tmpdir(), 'loupe-never-created'),
      LOUPE_VALUATION_RETENTION_DAYS: 'forever',
    });
    expect(await retention.exited).toBe(2);
    expect(retention.output()).toMatch(/LOUPE_VALUATION_RETENTION_DAYS must be a whole number/);
  }, 120_000);
});
