/**
 * A real PostgreSQL for tests: a fresh cluster in a temporary folder, started on a free loopback port (pg_ctl),
 * with a user and password, removed by stop(). Its data folder is a copy of one initdb made once per test run (in
 * test/helpers/prepared-root.ts's folder): initdb takes seconds (about 9 s on a busy machine), a copy under one. PostgreSQL refuses to run as root, so when the tests run
 * as root (CI) the cluster belongs to the `postgres` user and its commands run through runuser. The binaries are
 * Debian's (`postgresql` package, installed by scripts/setup.sh), found under /usr/lib/postgresql/<version>/bin,
 * or in LOUPE_PG_BIN.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '../../src/store/postgres/connect.js';
import { PIPELINE_LOCK } from '../../src/store/postgres/pipeline.js';
import { preparedRoot } from './prepared-root.js';

export const PG_USER = 'loupe';
export const PG_PASSWORD = 'test-secret-Zq81';

function binDir(): string | undefined {
  if (process.env.LOUPE_PG_BIN) return process.env.LOUPE_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(root, versions[0], 'bin');
}

/** Whether a PostgreSQL server can be started here (tests that need one are skipped, saying so, when not). */
export const postgresAvailable = (): boolean => binDir() !== undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestPostgres {
  /** postgres://loupe:…@127.0.0.1:PORT/loupe */
  url: string;
  port: number;
  /** A URL to a database of its own (created now): one per test file or case keeps them apart. */
  newDatabase(name: string): string;
  /**
   * A URL to a new database `name` made as a copy of `template` (CREATE DATABASE … TEMPLATE: a file copy, far
   * cheaper than building it again); nothing may be connected to `template` meanwhile.
   */
  copyDatabase(template: string, name: string): string;
  /** The PID of the server's main process (the postmaster, parent of every backend), from postmaster.pid. */
  serverPid(): number;
  /** Stops the server (immediately, like a crash, when `immediate`) and starts it again on the same port. */
  stopServer(immediate?: boolean): void;
  startServer(): void;
  /** Stops the server and removes its folder. */
  stop(): void;
}

/**
 * The data folder initdb made (user PG_USER with PG_PASSWORD, scram-sha-256, UTF8), once per test run: built into a
 * folder of its own and renamed into place only when complete; when two processes build it at once, the first
 * rename wins and the other's is dropped. Never started itself: each cluster runs on a copy.
 */
function initialisedData(bin: string, asRoot: boolean): string {
  const target = join(preparedRoot(), 'pg-data');
  if (existsSync(target)) return target;
  const work = mkdtempSync(join(tmpdir(), 'loupe-pg-initdb-'));
  try {
    const pwfile = join(work, 'pw');
    writeFileSync(pwfile, PG_PASSWORD);
    const data = join(work, 'data');
    const args = ['-D', data, '-U', PG_USER, '--pwfile', pwfile, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync'];
    if (asRoot) {
      const [uid, gid] = postgresIds();
      chownSync(work, uid, gid);
      chownSync(pwfile, uid, gid);
      chmodSync(work, 0o700);
    }
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, 'initdb'), ...args]]
      : [join(bin, 'initdb'), args];
    execFileSync(file, argv, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      renameSync(data, target);
    } catch (err) {
      if (!existsSync(target)) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}

function postgresIds(): [number, number] {
  return [
    Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
  ];
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql; or set LOUPE_PG_BIN)');
  const asRoot = userInfo().uid === 0;
  const template = initialisedData(bin, asRoot);
  const root = mkdtempSync(join(tmpdir(), 'loupe-pg-'));
  const data = join(root, 'data');
  const run = (cmd: string, args: string[]): string => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]]
      : [join(bin, cmd), args];
    return execFileSync(file, argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  };
  if (asRoot) {
    const [uid, gid] = postgresIds();
    chownSync(root, uid, gid);
    chmodSync(root, 0o700);
  }
  // cp -a keeps the owner (postgres, when root copies) and the 0700 mode PostgreSQL insists on.
  execFileSync('cp', ['-a', template, data], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await freePort();
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const startServer = () => {
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(root, 'log'), '-w', '-t', '60', 'start']);
  };
  const stopServer = (immediate = false) => {
    run('pg_ctl', ['-D', data, '-m', immediate ? 'immediate' : 'fast', '-w', 'stop']);
  };
  startServer();
  const url = (db: string) => `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${db}`;
  const psql = (sql: string) =>
    execFileSync(join(bin, 'psql'), ['-X', '-q', '-d', url('postgres'), '-c', sql], { stdio: 'ignore' });
  psql(`CREATE DATABASE ${PG_USER}`);
  return {
    url: url(PG_USER),
    port,
    newDatabase(name) {
      psql(`CREATE DATABASE "${name}"`);
      return url(name);
    },
    serverPid: () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    copyDatabase(template, name) {
      psql(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return url(name);
    },
    stopServer,
    startServer,
    stop() {
      try {
        stopServer(true);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Waits until no session holds the pipeline's run lock (a session-level advisory lock, src/store/postgres/pipeline.ts)
 * on the database at `url`, up to `ms`. A process killed while holding it does not free it itself: its server
 * process (backend) sees the connection close and frees the lock as it exits, which on a loaded machine can come
 * after the killed process is gone (measured: a run started then, with the backend not yet run, failed with
 * "another pipeline run holds the lock"). A test of what the next run does after a kill waits for this first.
 */
export async function waitForRunLockFree(url: string, ms = 60_000): Promise<void> {
  const pool = await openPostgres(url, { migrate: false, max: 1 });
  try {
    const deadline = Date.now() + ms;
    for (;;) {
      // A bigint advisory key is held as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
      const { rows } = await pool.query<{ held: number }>(
        `SELECT count(*)::int AS held FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND objsubid = 1
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND classid::bigint * 4294967296 + objid::bigint = $1`,
        [PIPELINE_LOCK],
      );
      if (rows[0].held === 0) return;
      if (Date.now() > deadline) throw new Error(`the run lock on ${url} was still held after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await pool.end();
  }
}
