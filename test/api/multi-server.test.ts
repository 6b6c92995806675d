/**
 * Two `loupe serve` processes on one PostgreSQL (a real one, test/helpers/postgres.ts), the way a fleet runs: an
 * SQLite home is moved in with `loupe db copy`; a quote made on one server is read on the other; a promotion made
 * with `loupe models promote`, a `loupe models rollback` and a promotion by `loupe pipeline run` are served by both; a key revoked with `loupe keys revoke` is refused by both;
 * PostgreSQL restarting costs the requests that need it a 503 (with Retry-After) while valuations go on, and what
 * was answered meanwhile is stored (and logged) once it is back; killing one server loses nothing the other
 * acknowledged. A refused connection, a URL that is not one and wrong credentials stop a server with one line. The
 * password of the database appears in no output and not in the request log.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgv } from '../helpers/cli-js.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { trainModel } from '../../src/model/index.js';
import { registerModel } from '../../src/registry/index.js';
import { listAppraisals } from '../../src/store/diamonds.js';
import { createKey } from '../../src/store/keys.js';
import { openPostgres } from '../../src/store/postgres/connect.js';
import { postgresStore } from '../../src/store/postgres/store.js';
import { PG_PASSWORD, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { smallFresh } from '../helpers/small-data.js';
import { STONE, testHome, type TestHome } from './helpers.js';

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

let home: TestHome;
let pg: TestPostgres;
let databaseUrl: string;
let admin: string;
let partner: string;
const servers: Server[] = [];
const env = () => ({ ...process.env, LOUPE_HOME: home.dir, LOUPE_DATABASE_URL: databaseUrl });

/**
 * A `loupe` command on the shared database, run in this process (test/helpers/cli-in-process.ts): the servers, the
 * pipeline run and the refusals below are processes of their own.
 */
const loupe = (...args: string[]) => loupeInProcess(args, { LOUPE_HOME: home.dir, LOUPE_DATABASE_URL: databaseUrl });

async function startServer(extraEnv: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, cliArgv('serve'), {
    env: { ...env(), HOST: '127.0.0.1', PORT: '0', LOUPE_POLL_MS: '200', LOUPE_VALUATION_THREADS: '0', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const m = /ready: open (http:\/\/127\.0\.0\.1:\d+) /.exec(out);
    if (m) return { child, url: m[1], output: () => out, exited };
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const call = (server: Server, path: string, key: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** Retries `probe` until it returns a value (not undefined), at most `ms`. */
async function eventually<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  home = await testHome(); // v0001, promoted
  registerModel(home.db, home.paths, trainModel(listAppraisals(home.db).slice(0, 2000), { kind: 'hedonic', seed: 9 }), {
    durationMs: 1,
  }); // v0002, registered only
  admin = createKey(home.db, { name: 'ops', scopes: ['admin'] }).secret;
  partner = createKey(home.db, { name: 'ACME', scopes: ['valuations'] }).secret;
  home.db.close();
  pg = await startPostgres();
  databaseUrl = pg.newDatabase('fleet');
  const copied = await loupe('db', 'copy', '--from', `sqlite:${join(home.dir, 'loupe.db')}`, '--to', databaseUrl);
  expect(copied.out).toMatch(/counts equal on both sides/);
  expect(copied.status).toBe(0);
  // Started at once, as a fleet starts: each migrates and finds the champion the copy brought. One that started
  // is kept (and killed after) even when the other did not.
  const started = await Promise.allSettled([startServer(), startServer()]);
  for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
  for (const s of started) if (s.status === 'rejected') throw s.reason;
}, 180_000);

afterAll(async () => {
  for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  pg?.stop();
  home?.cleanup();
});

// A server or a pipeline run is a process of its own (several seconds on a busy machine): the tests get room.
describe('two servers on one PostgreSQL', { timeout: 180_000 }, () => {
  it('a server given wrong credentials says so in one line, without the password or a stack, and exits 1', async () => {
    const wrong = databaseUrl.replace(PG_PASSWORD, 'not-the-password');
    const child = spawnSync(process.execPath, cliArgv('serve'), {
      env: { ...env(), LOUPE_DATABASE_URL: wrong, PORT: '0', LOG_LEVEL: 'error' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const out = `${child.stdout}${child.stderr}`;
    expect(child.status).toBe(1);
    expect(out).toMatch(
      /cannot use the PostgreSQL database postgres:\/\/loupe:\*\*\*@127\.0\.0\.1:\d+\/fleet: the user name or password was refused/,
    );
    expect(out).not.toContain('not-the-password');
    expect(out).not.toMatch(/^\s+at /m);
  });

  it('a refused connection or a URL that is not one: one line naming the URL without its password, exit 1', () => {
    for (const [url, why] of [
      [`postgres://loupe:${PG_PASSWORD}@127.0.0.1:1/fleet`, /nothing accepts connections at that host and port/],
      [`postgres://loupe:${PG_PASSWORD}@127.0.0.1:notaport/fleet`, /it is not a valid URL \(postgres:\/\/user:/],
    ] as const) {
      const child = spawnSync(process.execPath, cliArgv('serve'), {
        env: { ...env(), LOUPE_DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'error' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      const out = `${child.stdout}${child.stderr}`;
      expect(child.status).toBe(1);
      expect(out).toMatch(/cannot use the PostgreSQL database postgres:\/\/loupe:\*\*\*@127\.0\.0\.1:/);
      expect(out).toMatch(why);
      expect(out).not.toContain(PG_PASSWORD);
      expect(out).not.toMatch(/^\s+at /m);
    }
  });

  it('read a quote made on the other', async () => {
    const [a, b] = servers;
    const made = await call(a, '/v1/valuations', partner, STONE);
    expect(made.status).toBe(200);
    const answer = await made.text();
    const { id } = JSON.parse(answer) as { id: string };
    const read = await eventually(async () => {
      const r = await call(b, `/v1/valuations/${id}`, partner);
      return r.status === 200 ? ((await r.json()) as { valuation: unknown }) : undefined;
    });
    expect(read.valuation).toEqual(JSON.parse(answer));
  });

  it('both serve a model promoted with `loupe models promote`', async () => {
    const promoted = await loupe('models', 'promote', 'v0002', '--reason', 'fleet test');
    expect(promoted.out).toMatch(/v0002 is now the champion \(was v0001\)/);
    for (const server of servers) {
      await eventually(async () => {
        const r = (await (await call(server, '/v1/valuations', partner, STONE)).json()) as { modelVersion: string };
        return r.modelVersion === 'v0002' ? true : undefined;
      }, 5000);
    }
  });

  it('`loupe models list` reads the shared registry, and both serve a `loupe models rollback`', async () => {
    const listed = JSON.parse((await loupe('models', 'list', '--json')).out);
    expect(listed.champion).toBe('v0002');
    expect(listed.promotions.map((p: { version: string }) => p.version)).toEqual(['v0001', 'v0002']);
    const rolled = await loupe('models', 'rollback', '--reason', 'fleet test');
    expect(rolled.status, rolled.out).toBe(0);
    expect(rolled.out).toMatch(/v0001 is the champion again \(was v0002\)/);
    expect(JSON.parse((await loupe('models', 'show', 'champion', '--json')).out).version).toBe('v0001');
    for (const server of servers) {
      await eventually(async () => {
        const r = (await (await call(server, '/v1/valuations', partner, STONE)).json()) as { modelVersion: string };
        return r.modelVersion === 'v0001' ? true : undefined;
      }, 5000);
    }
    // v0001 is the first champion: nothing earlier to roll back to, said in one line.
    const again = await loupe('models', 'rollback');
    expect(again.status).toBe(1);
    expect(again.out).toMatch(/no earlier one to roll back to/);
  });

  it('both serve a model promoted by `loupe pipeline run` on the same database', async () => {
    const incoming = join(home.dir, 'incoming');
    mkdirSync(incoming, { recursive: true });
    // The month's first 400 rows (test/helpers/small-data.ts): any new rows make the run train and, at this
    // tolerance, promote; fewer make its training shorter.
    copyFileSync(smallFresh('2026-10'), join(incoming, '2026-10.csv'));
    // One quick kind; a challenger up to 100% worse is promoted, so that this run promotes.
    const run = spawnSync(process.execPath, cliArgv('pipeline', 'run', '--json'), {
      env: { ...env(), LOUPE_MODEL_KINDS: 'hedonic', LOUPE_TUNE_TRIALS: '1', LOUPE_PROMOTE_TOLERANCE: '1' },
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { champion: string; trained: { version: string; promoted: boolean }[] };
    expect(result.trained).toEqual([expect.objectContaining({ version: 'v0003', promoted: true })]);
    expect(result.champion).toBe('v0003');
    for (const server of servers) {
      await eventually(async () => {
        const r = (await (await call(server, '/v1/valuations', partner, STONE)).json()) as { modelVersion: string };
        return r.modelVersion === 'v0003' ? true : undefined;
      }, 5000);
    }
  });

  it('both refuse a key revoked with `loupe keys revoke`', async () => {
    const created = await loupe('keys', 'create', '--name', 'short-lived', '--json');
    const { key } = JSON.parse(created.out) as { key: string };
    for (const server of servers) expect((await call(server, '/v1/models/current', key)).status).toBe(200);
    expect((await loupe('keys', 'revoke', 'short-lived')).status).toBe(0);
    for (const server of servers) {
      await eventually(
        async () => ((await call(server, '/v1/models/current', key)).status === 401 ? true : undefined),
        3000,
      );
    }
  });

  it('while PostgreSQL restarts: valuations are answered, reads get 503 with Retry-After, and nothing answered is lost', async () => {
    const [a, b] = servers;
    const loggedValuations = async () => {
      const store = postgresStore(await openPostgres(databaseUrl, { migrate: false }), { home: home.dir });
      try {
        const { requests: rows } = await store.listRequests({ limit: 10_000, route: '/v1/valuations' });
        return rows.filter((r) => r.status === 200).length;
      } finally {
        await store.close();
      }
    };
    await new Promise((r) => setTimeout(r, 1000)); // what was answered before is written
    const loggedBefore = await loggedValuations();
    pg.stopServer(true);
    const ids: string[] = [];
    try {
      for (const server of [a, b, a, b]) {
        const r = await call(server, '/v1/valuations', partner, STONE);
        expect(r.status).toBe(200);
        ids.push(((await r.json()) as { id: string }).id);
      }
      const models = await call(b, '/v1/models', partner);
      expect(models.status).toBe(503);
      expect(models.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(models.headers.get('retry-after')).toBe('5');
      expect(((await models.json()) as { detail: string }).detail).toMatch(/database is not answering/);
    } finally {
      pg.startServer();
    }
    // Answered during the outage, written once PostgreSQL is back: the other server reads each from the database.
    for (const [i, id] of ids.entries()) {
      const other = servers[(i + 1) % 2];
      await eventually(
        async () => ((await call(other, `/v1/valuations/${id}`, admin)).status === 200 ? true : undefined),
        15_000,
      );
    }
    // The request-log writers kept the four entries through the outage and wrote them once it was back.
    await eventually(async () => ((await loggedValuations()) >= loggedBefore + 4 ? true : undefined), 15_000);
  });

  it('lose nothing one acknowledged when the other is killed', async () => {
    const [a, b] = servers;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await call(b, '/v1/valuations', partner, STONE);
      expect(r.status).toBe(200);
      ids.push(((await r.json()) as { id: string }).id);
    }
    a.child.kill('SIGKILL');
    await a.exited;
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const pool = await openPostgres(databaseUrl, { migrate: false });
    const store = postgresStore(pool, { home: home.dir });
    try {
      for (const id of ids) expect(await store.findValuation(id)).toBeDefined();
      const { requests: logged } = await store.listRequests({ limit: 1000, route: '/v1/valuations' });
      expect(logged.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(40);
      expect(JSON.stringify(await store.listRequests({ limit: 10_000 }))).not.toContain(PG_PASSWORD);
    } finally {
      await store.close();
    }
    for (const s of servers) expect(s.output()).not.toContain(PG_PASSWORD);
  });

  // A request blocked by a lock another session held (psql: LOCK TABLE models) waited as long as the lock was held.
  it("a request blocked by another session's lock gets 503 with Retry-After at the statement timeout", async () => {
    const server = await startServer({ LOUPE_PG_STATEMENT_TIMEOUT_MS: '500' });
    servers.push(server);
    const other = await openPostgres(databaseUrl, { migrate: false, max: 1 });
    const holder = await other.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE models IN ACCESS EXCLUSIVE MODE');
    try {
      const r = await fetch(`${server.url}/v1/models`, {
        headers: { authorization: `Bearer ${partner}` },
        signal: AbortSignal.timeout(60_000),
      });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect((await call(server, '/v1/valuations', partner, STONE)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
      await other.end();
    }
    expect((await call(server, '/v1/models', partner)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  // It used to wait, with the database away, until PostgreSQL came back: its writers retried without end.
  it('a server given SIGTERM while PostgreSQL is down exits, saying what it could not write', async () => {
    const server = await startServer();
    servers.push(server);
    // The partner's key is in the server's memory once it has been used: valuations need no database after that.
    expect((await call(server, '/v1/valuations', partner, STONE)).status).toBe(200);
    pg.stopServer(true);
    try {
      expect((await call(server, '/v1/valuations', partner, STONE)).status).toBe(200);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { detail: string }).detail).toMatch(
        /^The database is not usable now: the database is not answering \(connect ECONNREFUSED/,
      );
      server.child.kill('SIGTERM');
      const code = await Promise.race([
        server.exited,
        new Promise((r) => setTimeout(() => r('still running after 120 s'), 120_000).unref()),
      ]);
      expect(code).toBe(0);
    } finally {
      pg.startServer();
    }
    expect(server.output()).toMatch(/request log entries could not be written/);
    expect(server.output()).toMatch(/stored valuations could not be written/);
    expect(server.output()).not.toContain(PG_PASSWORD);
  });
});
