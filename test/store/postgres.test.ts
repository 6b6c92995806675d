/**
 * What only PostgreSQL has: migrations applied once when servers start together (advisory lock), clear messages
 * for a wrong URL or credentials (never the password), and a pool that comes back after the server restarts.
 */
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatabaseConfigError,
  DatabaseUnavailable,
  openPostgres,
  postgresMigrationStatus,
  redactUrl,
} from '../../src/store/postgres/connect.js';
import { PG_MIGRATIONS } from '../../src/store/postgres/schema.js';
import { beginTransaction } from '../../src/store/postgres/transaction.js';
import { valuationWrite } from '../../src/store/quotes.js';
import { postgresStore } from '../../src/store/postgres/store.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { PG_PASSWORD, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { requestLogEntry } from '../helpers/request-log-entry.js';

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

describe('PostgreSQL migrations', () => {
  it('are applied once when four processes start at once, and status lists them', async () => {
    const url = server.newDatabase('together');
    const pools = await Promise.all(Array.from({ length: 4 }, () => openPostgres(url, { max: 2 })));
    const status = await postgresMigrationStatus(pools[0]);
    expect(status.map((m) => m.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    expect(status.every((m) => m.appliedAt !== null)).toBe(true);
    const rows = await pools[0].query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows.rows[0].n).toBe(PG_MIGRATIONS.length);
    await Promise.all(pools.map((p) => p.end()));
  });
});

describe('a database migrated by a newer Loupe', () => {
  // It was used as it was: this Loupe's statements ran against tables a later migration may have changed.
  it('is refused at start, naming the migration this Loupe does not know; status lists it', async () => {
    const url = server.newDatabase('newer');
    const pool = await openPostgres(url);
    const known = Math.max(...PG_MIGRATIONS.map((m) => m.version));
    await pool.query("INSERT INTO schema_migrations VALUES ($1, 'from a later Loupe', '2027-01-01T00:00:00Z')", [
      known + 1,
    ]);
    const error = await openPostgres(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseConfigError);
    expect((error as Error).message).toMatch(new RegExp(`migration ${known + 1} .*newer Loupe.*up to ${known}`));
    expect((error as Error).message).not.toContain(PG_PASSWORD);
    const status = await postgresMigrationStatus(pool);
    expect(status.at(-1)).toMatchObject({ version: known + 1, name: 'from a later Loupe' });
    await pool.end();
    const migrate = await loupeInProcess(['db', 'migrate'], { LOUPE_DATABASE_URL: url });
    expect(migrate.status).toBe(1);
    expect(migrate.stderr).toMatch(
      /^loupe: cannot use the PostgreSQL database postgres:\/\/loupe:\*\*\*@.*newer Loupe/,
    );
    expect(migrate.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('a user that may not create tables', () => {
  // `loupe db migrate` ended with a stack trace ("permission denied for schema public" from pg's internals).
  it('`loupe db migrate` says so in one line, exit 1', async () => {
    const url = server.newDatabase('not_ours');
    const admin = await openPostgres(url, { migrate: false });
    await admin.query("CREATE ROLE guest LOGIN PASSWORD 'guest-pass-77'");
    await admin.end();
    const guest = url.replace(`loupe:${PG_PASSWORD}@`, 'guest:guest-pass-77@');
    const r = await loupeInProcess(['db', 'migrate'], { LOUPE_DATABASE_URL: guest });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^loupe: cannot use the PostgreSQL database postgres:\/\/guest:\*\*\*@.*permission denied/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.out).not.toContain('guest-pass-77');
  });
});

describe('a database that cannot be used', () => {
  const expectRefused = async (url: string, why: RegExp) => {
    const error = await openPostgres(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseConfigError);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).not.toContain(PG_PASSWORD);
    expect((error as Error).message).not.toContain('wrong-pass');
  };

  it('says which, without the password: wrong password, no such database, nothing listening', async () => {
    const base = new URL(server.url);
    await expectRefused(server.url.replace(PG_PASSWORD, 'wrong-pass'), /user name or password was refused/);
    await expectRefused(server.url.replace(/\/loupe$/, '/nowhere'), /database does not exist/);
    await expectRefused(`postgres://loupe:${PG_PASSWORD}@127.0.0.1:1/loupe`, /nothing accepts connections/);
    expect(redactUrl(server.url)).toBe(`postgres://loupe:***@127.0.0.1:${base.port}/loupe`);
  });

  // A server that is not PostgreSQL (here one answering as HTTP does and closing) was "Connection terminated
  // unexpectedly"; a setting PostgreSQL refused whose name held "timeout" was "no answer within 5 s".
  it("says when the server is not PostgreSQL, and gives PostgreSQL's own reason for a refused setting", async () => {
    const http = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = http.address() as AddressInfo;
      await expectRefused(
        `postgres://loupe:${PG_PASSWORD}@127.0.0.1:${port}/loupe`,
        /closed the connection without answering as PostgreSQL does \(is that host and port a PostgreSQL server's\?\)/,
      );
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
    await expectRefused(
      `${server.url}?options=-c%20statement_timeout%3Dsoon`,
      /invalid value for parameter "statement_timeout": "soon"/,
    );
  });

  // `pg` takes the password from the query too (libpq's form); it was shown in clear in `db status` and every log.
  it('hides a password given as a query parameter, as in the user part', async () => {
    const inQuery = `postgres://loupe@127.0.0.1:${new URL(server.url).port}/nowhere?sslmode=disable&password=${PG_PASSWORD}`;
    expect(redactUrl(inQuery)).not.toContain(PG_PASSWORD);
    expect(redactUrl(inQuery)).toMatch(/password=\*\*\*$/);
    expect(redactUrl('postgres://h/db?PASSWORD=secret')).toBe('postgres://h/db?PASSWORD=***');
    expect(redactUrl('postgres://loupe@host/db?password=a%20b&x=1')).toBe('postgres://loupe@host/db?password=***&x=1');
    expect(redactUrl('postgres://lo upe@host/db?password=secret x')).not.toContain('secret');
    await expectRefused(inQuery, /database does not exist/);
  });
});

describe('the request log on PostgreSQL', () => {
  it('keeps to its retention: rows older than the age limit go, then the oldest beyond the size limit', async () => {
    const store = postgresStore(await openPostgres(server.newDatabase('retention')), { home: '/nonexistent' });
    const day = 86_400_000;
    const now = Date.parse('2026-12-04T12:00:00Z');
    const entry = (i: number, at: number) =>
      requestLogEntry({
        at,
        route: '/v1/models',
        url: '/v1/models',
        responseBody: 'x'.repeat(200),
        requestId: `r${i}`,
      });
    await store.writeRequests([
      ...Array.from({ length: 10 }, (_, i) => entry(i, now - 40 * day)),
      ...Array.from({ length: 90 }, (_, i) => entry(10 + i, now - day)),
    ]);
    expect(await store.pruneRequestLog({ maxAgeDays: 30, maxBytes: 1e9 }, now, 3)).toBe(10);
    expect(await store.countRequests()).toBe(90);
    // About 50 rows' worth of bytes: the oldest go, the newest stay.
    const [{ requestId: newest }] = (await store.listRequests({ limit: 1 })).requests;
    const deleted = await store.pruneRequestLog({ maxAgeDays: 30, maxBytes: 50 * 260 }, now);
    expect(deleted).toBeGreaterThan(30);
    expect(deleted).toBeLessThan(60);
    expect((await store.listRequests({ limit: 1 })).requests[0].requestId).toBe(newest);
    await store.close();
  });
});

describe('batches written with COPY', () => {
  it('keep every value as it was (NUL as U+FFFD): separators, backslashes, text like \\N, unicode, nulls', async () => {
    const store = postgresStore(await openPostgres(server.newDatabase('copy_values')), { home: '/nonexistent' });
    const tricky = [
      'tab\there',
      'line\nbreak\r\n',
      'back\\slash \\N \\t',
      '\\N',
      'carat 1½ — “ok” 💎',
      '',
      '"quoted",comma',
      'nul\u0000byte',
    ];
    await store.writeRequests(
      tricky.map((text, i) => ({
        at: Date.parse('2026-12-04T12:00:00Z') + i,
        method: 'POST',
        route: '/v1/valuations',
        url: `/v1/valuations?q=${i}`,
        status: 200 + i,
        latencyMs: 0.1 + i / 3,
        keyId: i % 2 === 0 ? null : i,
        keyName: i % 2 === 0 ? null : text,
        modelVersion: null,
        requestBody: text,
        responseBody: i === 3 ? null : text,
        requestId: `r${i}`,
      })),
    );
    const rows = (await store.listRequests({ limit: 100 })).requests.reverse();
    // PostgreSQL's text holds no NUL: it is kept as U+FFFD rather than refusing the batch.
    const stored = tricky.map((t) => t.replace('\u0000', '\uFFFD'));
    expect(rows.map((r) => r.requestBody)).toEqual(stored);
    expect(rows.map((r) => r.responseBody)).toEqual(stored.map((t, i) => (i === 3 ? null : t)));
    expect(rows.map((r) => r.keyName)).toEqual(stored.map((t, i) => (i % 2 === 0 ? null : t)));
    expect(rows.map((r) => r.latencyMs)).toEqual(tricky.map((_, i) => 0.1 + i / 3));
    expect(rows[6]).toMatchObject({ at: '2026-12-04T12:00:00.006Z', status: 206, keyId: null, modelVersion: null });
    await store.close();
  });

  it('write a retried batch of valuations once: the rows already there stay, the others are added', async () => {
    const store = postgresStore(await openPostgres(server.newDatabase('copy_retry')), { home: '/nonexistent' });
    const at = Date.parse('2026-12-04T12:00:00Z');
    const write = (id: string, answer: string) =>
      valuationWrite({
        id,
        at,
        keyId: null,
        modelVersion: 'v0001',
        stone: '{"carat":1}',
        ref: `ref\u0000${id}`,
        answer,
      });
    await store.writeQuotes([write('val_1', '{"n":1}'), write('val_2', '{"n":2}')]);
    // The same batch again (its commit was not acknowledged), with a row that was not in it.
    await store.writeQuotes([
      write('val_1', '{"n":"again"}'),
      write('val_2', '{"n":"again"}'),
      write('val_3', '{"n":3}'),
    ]);
    expect((await store.findValuation('val_1'))?.answer).toBe('{"n":1}');
    expect(await store.findValuation('val_3')).toMatchObject({ answer: '{"n":3}', ref: 'ref\uFFFDval_3' });
    expect((await store.findValuation('val_1'))?.ref).toBe('ref\uFFFDval_1');
    const [{ n }] = (await store.pool.query('SELECT count(*)::int AS n FROM valuations')).rows;
    expect(n).toBe(3);
    await store.close();
  });
});

describe('a connection in use that fails', () => {
  // Before the pool gave every client an 'error' listener, this ended the test process with an uncaught error (seen
  // as "write EPIPE" from a COPY while PostgreSQL stopped); vitest fails a run with an uncaught error.
  it('fails its transaction as unavailable and does not end the process', async () => {
    const pool = await openPostgres(server.newDatabase('in-use'), { max: 2 });
    const tx = await beginTransaction(pool);
    const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // Ended from another connection while this one sits inside its transaction: PostgreSQL sends it a FATAL error
    // and closes it, with no statement of its own in progress.
    const ended = new Promise((resolve) => tx.client.once('end', resolve));
    await pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await ended;
    const error = await tx.query('SELECT 1').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseUnavailable);
    await tx.rollback().catch(() => {});
    // The pool goes on with a new connection.
    expect((await pool.query('SELECT 2 AS n')).rows[0].n).toBe(2);
    await pool.end();
  });
});

describe('a database that does not answer in time', () => {
  // A request whose statement waited on a lock another session held (psql: LOCK TABLE models) waited for as long
  // as the lock was held, its connection taken from the pool meanwhile: enough of them and the pool was empty.
  it("fails a statement blocked by another session's lock as unavailable, at the pool's statement timeout", async () => {
    const url = server.newDatabase('locked');
    const store = postgresStore(await openPostgres(url, { statementTimeoutMs: 300 }), { home: '/nonexistent' });
    const other = await openPostgres(url, { migrate: false, max: 1 });
    const holder = await beginTransaction(other);
    await holder.query('LOCK TABLE models IN ACCESS EXCLUSIVE MODE');
    try {
      const error = await store.listModels().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatabaseUnavailable);
      expect((error as Error).message).toMatch(
        /did not finish in time \(canceling statement due to statement timeout\)/,
      );
      await expect(store.ping()).resolves.toBeUndefined(); // the pool goes on
    } finally {
      await holder.rollback();
      await other.end();
    }
    expect(await store.listModels()).toEqual([]);
    await store.close();
  }, 60_000);

  // Every connection taken (here by a statement waiting on a lock): a query waited 5 s, then the message said the
  // database was "not answering (timeout exceeded when trying to connect)", sending the operator to a database
  // that was up.
  it('says the pool is full, not that the database is away, when no connection is free within 5 s', async () => {
    const url = server.newDatabase('full');
    const store = postgresStore(await openPostgres(url, { max: 1, statementTimeoutMs: 60_000 }), {
      home: '/nonexistent',
    });
    const other = await openPostgres(url, { migrate: false, max: 1 });
    const holder = await beginTransaction(other);
    await holder.query('LOCK TABLE models IN ACCESS EXCLUSIVE MODE');
    const blocked = store.listModels().catch((e: unknown) => e);
    try {
      // The one connection is taken once the blocked statement waits on the lock.
      for (;;) {
        const [{ n }] = await holder.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'full'",
        );
        if (n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const error = await store.ping().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatabaseUnavailable);
      expect((error as Error).message).toMatch(/all 1 connection\(s\) of this server's pool stayed in use for 5 s/);
    } finally {
      await holder.rollback();
      await other.end();
    }
    expect(await blocked).toEqual([]);
    await store.close();
  }, 60_000);

  // /readyz waited without end on a database that accepted connections but no longer answered (a host frozen, a
  // network partition), here one server process stopped with SIGSTOP.
  it('fails a ping as unavailable when the server process stops answering, and the pool goes on after', async () => {
    const store = postgresStore(await openPostgres(server.newDatabase('frozen'), { max: 1 }), { home: '/nonexistent' });
    const [{ pid }] = (await store.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    process.kill(pid, 'SIGSTOP');
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(DatabaseUnavailable);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  }, 60_000);
});

describe('PostgreSQL restarting', () => {
  it('makes queries fail as unavailable while it is down, and the same store answers once it is back', async () => {
    const pool = await openPostgres(server.newDatabase('restart'));
    const store = postgresStore(pool, { home: '/nonexistent' });
    await store.ping();
    server.stopServer(true);
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(DatabaseUnavailable);
      await expect(store.championVersion()).rejects.toBeInstanceOf(DatabaseUnavailable);
    } finally {
      server.startServer();
    }
    await expect(store.ping()).resolves.toBeUndefined();
    expect(await store.championVersion()).toBeUndefined();
    await store.close();
  });
});
