/**
 * What PostgreSQL spends per row written: the store's request-log and stored-valuation writes (one COPY a batch,
 * src/store/postgres/copy-in.ts) against the multi-row `INSERT … SELECT * FROM unnest($1::text[], …)` they
 * replaced, on rows taken from a benchmark home (`npm run bench:api -- --backends --home DIR` fills one).
 *
 *   npx tsx bench/pg-writes.ts --home DIR [--batch 700] [--rounds 3]
 *
 * Each way writes the same rows, a batch at a time, into a fresh database of a temporary cluster (test/helpers/
 * postgres.ts, autovacuum off for the table so that only the writes count); the figure is the CPU of all the
 * cluster's processes (from /proc, 10 ms ticks) divided by the rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { openDatabase } from '../src/store/db.js';
import { openPostgres } from '../src/store/postgres/connect.js';
import { postgresStore } from '../src/store/postgres/store.js';
import { valuationWrite, type QuoteWrite } from '../src/store/quotes.js';
import type { RequestLogEntry } from '../src/store/requests.js';
import { startPostgres } from '../test/helpers/postgres.js';

const { values: args } = parseArgs({
  options: {
    home: { type: 'string' },
    batch: { type: 'string', default: '700' },
    rounds: { type: 'string', default: '3' },
  },
});
if (!args.home)
  throw new Error('--home DIR: a benchmark home whose loupe.db holds stored valuations and a request log');
const batch = Number(args.batch);
const db = openDatabase(join(args.home, 'loupe.db'));
type Raw = Record<string, string | number | null>;
const valuations = (db.prepare('SELECT * FROM valuations ORDER BY rowid DESC LIMIT 10000').all() as Raw[]).map((r) =>
  valuationWrite({
    id: r.id as string,
    at: Date.parse(r.at as string),
    keyId: r.key_id as number | null,
    modelVersion: r.model_version as string,
    stone: r.stone as string,
    ref: r.ref as string | null,
    answer: r.answer as string,
  }),
);
const requests: RequestLogEntry[] = (
  db.prepare('SELECT * FROM request_log ORDER BY id DESC LIMIT 10000').all() as Raw[]
).map((r) => ({
  at: Date.parse(r.at as string),
  method: r.method as string,
  route: r.route as string,
  url: r.url as string,
  status: r.status as number,
  latencyMs: r.latency_ms as number,
  keyId: r.key_id as number | null,
  keyName: r.key_name as string | null,
  modelVersion: r.model_version as string | null,
  requestBody: r.request_body as string | null,
  responseBody: r.response_body as string | null,
  requestId: r.request_id as string | null,
}));
db.close();

const cluster = await startPostgres();
/** CPU ticks (10 ms) of the cluster: the postmaster, the children it reaped and every live child. */
function clusterTicks(): number {
  const pm = cluster.serverPid();
  const fields = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
  };
  const f = fields(pm);
  let ticks = f[11] + f[12] + f[13] + f[14];
  for (const child of readFileSync(`/proc/${pm}/task/${pm}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
    try {
      const c = fields(Number(child));
      ticks += c[11] + c[12];
    } catch {
      // ended meanwhile (counted in the postmaster's reaped time)
    }
  }
  return ticks;
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** The statements the store used before COPY (d460663), for the comparison. */
async function insertValuations(pool: pg.Pool, rows: readonly QuoteWrite[]): Promise<void> {
  const column = (i: number) => rows.map((r) => (i === 2 ? iso(r[i] as number) : r[i]));
  await pool.query(
    `INSERT INTO valuations (id, at, key_id, model_version, stone, ref, answer)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
     ON CONFLICT DO NOTHING`,
    [1, 2, 3, 4, 5, 6, 7].map(column),
  );
}
async function insertRequests(pool: pg.Pool, entries: readonly RequestLogEntry[]): Promise<void> {
  const pick = <K extends keyof RequestLogEntry>(k: K) => entries.map((e) => e[k]);
  await pool.query(
    `INSERT INTO request_log (at, method, route, url, status, latency_ms, key_id, key_name, model_version,
       request_body, response_body, request_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::float8[], $7::bigint[],
       $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])`,
    [
      entries.map((e) => iso(e.at)),
      ...(['method', 'route', 'url', 'status', 'latencyMs', 'keyId', 'keyName', 'modelVersion'] as const).map(pick),
      ...(['requestBody', 'responseBody', 'requestId'] as const).map(pick),
    ],
  );
}

let databases = 0;
async function perRow<T>(
  table: string,
  rows: readonly T[],
  write: (store: ReturnType<typeof postgresStore>, rows: readonly T[]) => Promise<void>,
): Promise<number> {
  const pool = await openPostgres(cluster.newDatabase(`w${databases++}`));
  const store = postgresStore(pool, { home: args.home! });
  await pool.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
  const t0 = clusterTicks();
  for (let i = 0; i < rows.length; i += batch) await write(store, rows.slice(i, i + batch));
  const t1 = clusterTicks();
  await store.close();
  return ((t1 - t0) * 10_000) / rows.length; // µs a row
}

const load0 = loadavg()[0];
const results: Record<string, number[]> = {};
const add = (name: string, us: number): void => {
  results[name] = [...(results[name] ?? []), us];
};
try {
  for (let round = 0; round < Number(args.rounds); round++) {
    add(
      'stored valuation, INSERT … unnest',
      await perRow('valuations', valuations, (s, r) => insertValuations(s.pool, r)),
    );
    add('stored valuation, COPY', await perRow('valuations', valuations, (s, r) => s.writeQuotes(r)));
    add('request-log row, INSERT … unnest', await perRow('request_log', requests, (s, r) => insertRequests(s.pool, r)));
    add('request-log row, COPY', await perRow('request_log', requests, (s, r) => s.writeRequests(r)));
  }
} finally {
  cluster.stop();
}
process.stdout.write(
  `\nPostgreSQL CPU per row, ${valuations.length} valuations and ${requests.length} request-log rows from ${args.home}, ` +
    `batches of ${batch}, load average ${loadavg()[0].toFixed(1)} (${load0.toFixed(1)} at start)\n\n| write | µs a row, by round |\n| --- | --- |\n`,
);
for (const [name, us] of Object.entries(results))
  process.stdout.write(`| ${name} | ${us.map((u) => u.toFixed(1)).join(', ')} |\n`);
