/**
 * REST API benchmark: POST /v1/valuations with the explanation, autocannon with 50 connections for 20 s, once with
 * the request log on and once with it off (same run, same model, same machine), so the log's cost is measured.
 * The stones are the reference split's 998 test stones, cycled (see `requests` below), not one repeated stone.
 *
 *   npm run bench:api                         # 50 connections × 20 s per mode
 *   npm run bench:api -- --duration 5         # a quicker look
 *   npm run bench:api -- --backends           # SQLite against PostgreSQL, request log on in both
 *   npm run bench:api -- --storage            # stored valuations on against off, request log on in both
 *   npm run bench:api -- --compare metrics    # metrics on (the default) against LOUPE_METRICS=off
 *   npm run bench:api -- --against ../old     # this checkout against another one (before/after a change)
 *   npm run bench:api -- --against ../old --against-home DIR   # the other checkout on its own home
 *   npm run bench:api -- --home DIR           # keep the bootstrapped home in DIR and reuse it next time
 *   npm run bench:api -- --profile DIR        # the server runs under node --cpu-prof, one profile per round in DIR
 *
 * The server runs in a child process (`loupe serve`, keyless on loopback) on an empty LOUPE_HOME in the OS temp
 * dir, which it bootstraps (ingest + train). Server and load share this 2-core machine; --pin puts the server on
 * core 0 and the load on core 1 (taskset).
 * Targets: ≥ 5,000 requests/s, p99 < 25 ms, zero errors, logging costs < 20 % of throughput.
 * Writes bench/results/api.json (read by scripts/capacity.ts).
 *
 * --backends compares the stores instead of the log: rounds alternate between SQLite and PostgreSQL (a temporary
 * PostgreSQL 15, test/helpers/postgres.ts, holding a `loupe db copy` of the bootstrapped home), request log and
 * stored valuations on in both. Target: PostgreSQL within 15 % of SQLite. Writes bench/results/api-backends.json.
 * Beside the Loupe server's CPU per request it prints the PostgreSQL server's own (its processes, from /proc).
 *
 * --storage compares storing every valuation (the default) with LOUPE_STORE_VALUATIONS=0, rounds alternating, the
 * request log on in both; it counts the valuations stored (warm-up included). Target: storing costs < 15 % of throughput. Writes
 * bench/results/api-storage.json.
 *
 * --compare metrics alternates the default (GET /metrics and its per-request hooks on) with LOUPE_METRICS=off,
 * request log and stored valuations on in both; it reads loupe_valuations_total after each metrics-on round to
 * show they counted. Target: metrics cost < 5 % of throughput. Writes bench/results/api-metrics.json.
 *
 * --against DIR alternates this checkout's server with the one in DIR (another checkout of Loupe with its own
 * node_modules), defaults in both: before against after a change, in one run. Writes
 * bench/results/api-against.json. With --against-home the other checkout runs on its own home (kept in DIR, as
 * --home): an older checkout may not read the models a newer one trained, nor the other way round. On a busy machine compare the server CPU per request: requests/s then says
 * more about the other load than about the server.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loupePaths } from '../src/config/index.js';
import { exampleStone } from '../src/diamond/index.js';
import { readReferenceSplitRows } from '../src/ingest/index.js';
import { openDatabase } from '../src/store/db.js';
import { openPostgres } from '../src/store/postgres/connect.js';
import { copySqliteToPostgres } from '../src/store/postgres/copy.js';
import { postgresStore } from '../src/store/postgres/store.js';
import { countRequests } from '../src/store/requests.js';
import { startPostgres, type TestPostgres } from '../test/helpers/postgres.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    port: { type: 'string', default: '3917' },
    pin: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
    backends: { type: 'boolean', default: false },
    storage: { type: 'boolean', default: false },
    compare: { type: 'string', default: 'log' },
    against: { type: 'string' },
    'against-home': { type: 'string' },
    home: { type: 'string' },
    profile: { type: 'string' },
  },
});
/** What the two alternating variants differ in. */
const compare = args.backends ? 'backends' : args.storage ? 'storage' : args.against ? 'against' : args.compare;
if (!['log', 'storage', 'backends', 'metrics', 'against'].includes(compare))
  throw new Error(`--compare takes log, storage, metrics or backends, not "${compare}"`);
const duration = Number(args.duration);
const connections = Number(args.connections);
const warmup = Number(args.warmup);
const port = Number(args.port);
const rounds = Number(args.rounds);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Pinning (--pin) puts the server (and its log-writer thread) on core 0 and the load on core 1; by default the
// OS schedules both over both cores, as a deployment would give the server the whole machine.
const canPin = Boolean(args.pin) && existsSync('/usr/bin/taskset') && cpus().length >= 2;

/** What a round runs: the request log on or off, on SQLite or (with a URL) PostgreSQL. */
interface Variant {
  label: string;
  requestLog: boolean;
  databaseUrl?: string;
  /** LOUPE_STORE_VALUATIONS (default on). */
  storeValuations?: boolean;
  /** LOUPE_METRICS (default admin: keyless on this open server). */
  metrics?: 'off';
  /** The checkout whose server runs (default this one). */
  root?: string;
  /** Its LOUPE_HOME (default the run's). */
  home?: string;
}

function startServer(
  home: string,
  variant: Variant,
  profileDir?: string,
): Promise<{ child: ChildProcess; url: string }> {
  const cmd = [
    process.execPath,
    ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
    '--import',
    'tsx',
    'src/cli/main.ts',
    'serve',
    '--open',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ];
  const [file, ...rest] = canPin ? ['taskset', '-c', '0', ...cmd] : cmd;
  const child = spawn(file, rest, {
    cwd: variant.root ?? ROOT,
    env: {
      ...process.env,
      LOUPE_HOME: variant.home ?? home,
      LOUPE_REQUEST_LOG: variant.requestLog ? '1' : '0',
      LOUPE_STORE_VALUATIONS: variant.storeValuations === false ? '0' : '1',
      ...(variant.databaseUrl ? { LOUPE_DATABASE_URL: variant.databaseUrl } : {}),
      ...(variant.metrics ? { LOUPE_METRICS: variant.metrics } : {}),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 180_000;
    const poll = async (): Promise<void> => {
      if (child.exitCode !== null) return reject(new Error(`server exited ${child.exitCode}:\n${out}`));
      try {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (r.status === 200) return resolve({ child, url: `http://127.0.0.1:${port}` });
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) return reject(new Error(`server not ready after 180 s:\n${out}`));
      setTimeout(poll, 200);
    };
    void poll();
  });
}

async function stopServer(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

/**
 * The stones sent: the 998 test stones of the reference split, each connection cycling through them, so the
 * model works on stones as varied as real traffic (one repeated stone would keep the same few rows of the
 * explainer's tables in cache and flatter the numbers). Prices are dropped: a client asks for them.
 */
const reference = loupePaths().referenceData;
const { test: testStones } = await readReferenceSplitRows(
  reference,
  join(dirname(reference), 'diamonds.reference-split.txt'),
);
const requests = testStones.map(({ price: _price, ...stone }) => ({
  method: 'POST',
  path: '/v1/valuations',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(stone),
}));

async function load(url: string, seconds: number): Promise<AutocannonResult> {
  return autocannon({ url, requests, connections, duration: seconds });
}

interface Row {
  mode: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
  cpuUsPerRequest: number;
  /** Of which the server's main thread (the rest: valuation and writer threads, GC helpers). */
  mainCpuUsPerRequest: number;
  /** CPU µs per request by thread name (threadCpu): main, valuation, row-writer, …, other (V8's and libuv's). */
  threads: Record<string, number>;
  /** The PostgreSQL cluster's CPU per request, from the load's start to the server's stop (its last writes). */
  pgCpuUsPerRequest?: number;
  /** The same by kind of PostgreSQL process. */
  pgCpuByKind?: Record<PgKind, number>;
  /** This process's CPU per request during the load: autocannon, the load generator (and the /proc sampling). */
  loadCpuUsPerRequest: number;
  logged?: number;
  /** Valuations stored during the round (--storage). */
  stored?: number;
  /** Valuations counted by loupe_valuations_total at the round's end (--compare metrics, metrics on). */
  counted?: number;
}

/**
 * CPU time (user + system) a process has used, in µs, from /proc (Linux); undefined elsewhere. With `thread`, that
 * thread's only (the process id is its main thread: HTTP, hooks, routes; the rest is worker threads and V8's).
 */
function cpuMicros(pid: number, thread?: number): number | undefined {
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return (ticks / 100) * 1e6; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system) of each of a process's threads, in µs, summed by thread name: `main` for the process's
 * own thread, the OS name the server gives its worker threads (ts-worker.ts: valuation, row-writer, similar), and
 * `other` for the unnamed ones (V8's compiler and GC helpers, libuv's pool). Empty where /proc is not.
 */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const name = Number(tid) === pid ? 'main' : comm === 'node' || comm.startsWith('V8') ? 'other' : comm;
      byName.set(name, (byName.get(name) ?? 0) + (cpuMicros(pid, Number(tid)) ?? 0));
    } catch {
      // ended meanwhile
    }
  }
  return byName;
}

/** A /proc/<pid>/stat's fields after the command name (field 3 on), or undefined once the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** What a PostgreSQL process does, from the title it sets (`postgres: walwriter`, `postgres: loupe bench …`). */
type PgKind = 'backends' | 'walWriter' | 'checkpointer' | 'autovacuum' | 'other';
const PG_KINDS: readonly PgKind[] = ['backends', 'walWriter', 'checkpointer', 'autovacuum', 'other'];
function pgKind(pid: number): PgKind {
  let title = '';
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return 'other';
  }
  if (/walwriter/.test(title)) return 'walWriter';
  if (/checkpointer|background writer/.test(title)) return 'checkpointer';
  if (/autovacuum/.test(title)) return 'autovacuum';
  if (/postgres: \S+ \S+ \d|\(\d+\)/.test(title)) return 'backends';
  return 'other';
}

/**
 * CPU time (user + system) of a PostgreSQL cluster over a stretch of time, in µs, by kind of process: client
 * backends, WAL writer, checkpointer and background writer, autovacuum (launcher and workers), other (the
 * postmaster itself and the rest). Live children are listed from /proc/<postmaster>/task/<postmaster>/children and
 * sampled (`sample()` every 250 ms), so a process that ends meanwhile (an autovacuum worker) keeps the kind and the
 * CPU last seen; what ended processes used after their last sample, known from the postmaster's reaped-children
 * time, counts as `other`.
 */
class ClusterCpu {
  readonly #postmaster: number;
  readonly #first = new Map<number, number>(); // pid → ticks at its first sample
  readonly #last = new Map<number, { kind: PgKind; ticks: number }>();
  #reaped0 = 0;
  #self0 = 0;
  #reaped1 = 0;
  #self1 = 0;
  #live = new Set<number>();
  constructor(postmaster: number) {
    this.#postmaster = postmaster;
    const f = statFields(postmaster);
    this.#self0 = f ? Number(f[11]) + Number(f[12]) : 0;
    this.#reaped0 = f ? Number(f[13]) + Number(f[14]) : 0;
    this.sample(true);
  }
  sample(first = false): void {
    let children: number[] = [];
    try {
      const pm = this.#postmaster;
      children = readFileSync(`/proc/${pm}/task/${pm}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      // gone
    }
    this.#live = new Set(children);
    for (const pid of children) {
      const f = statFields(pid);
      if (!f) continue;
      const ticks = Number(f[11]) + Number(f[12]);
      if (!this.#first.has(pid)) this.#first.set(pid, first ? ticks : 0); // born during the stretch: from 0
      const known = this.#last.get(pid);
      this.#last.set(pid, { kind: known?.kind ?? pgKind(pid), ticks });
    }
    const f = statFields(this.#postmaster);
    if (f) {
      this.#self1 = Number(f[11]) + Number(f[12]);
      this.#reaped1 = Number(f[13]) + Number(f[14]);
    }
  }
  /** µs by kind since construction (call sample() first). */
  micros(): Record<PgKind, number> {
    const ticks: Record<PgKind, number> = { backends: 0, walWriter: 0, checkpointer: 0, autovacuum: 0, other: 0 };
    const ended: Record<PgKind, number> = { backends: 0, walWriter: 0, checkpointer: 0, autovacuum: 0, other: 0 };
    for (const [pid, { kind, ticks: t }] of this.#last) {
      const used = t - (this.#first.get(pid) ?? 0);
      ticks[kind] += used;
      if (!this.#live.has(pid)) ended[kind] += used;
    }
    ticks.other += this.#self1 - this.#self0;
    // What ended processes used after their last sample (the server's backends' last batch, as it stops) goes to
    // the kind that ended with the most CPU.
    const unsampled = this.#reaped1 - this.#reaped0 - PG_KINDS.reduce((n, k) => n + ended[k], 0);
    const endedMost = PG_KINDS.reduce((a, b) => (ended[b] > ended[a] ? b : a), 'other' as PgKind);
    ticks[endedMost] += Math.max(0, unsampled);
    const us = (n: number) => (n / 100) * 1e6; // USER_HZ is 100 on Linux
    return Object.fromEntries(PG_KINDS.map((k) => [k, us(ticks[k])])) as Record<PgKind, number>;
  }
}

if (canPin) execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
const loadAtStart = loadavg()[0];
// A home given with --home is kept (bootstrapped by the first run that uses it); otherwise a temporary one.
const home = args.home ?? mkdtempSync(join(tmpdir(), 'loupe-bench-api-'));
mkdirSync(home, { recursive: true });
if (args['against-home']) mkdirSync(args['against-home'], { recursive: true });
const rows: Row[] = [];
let modelKind = 'unknown';
let modelVersion = 'unknown';
let postgres: TestPostgres | undefined;
const variants: Variant[] =
  compare === 'storage'
    ? [
        { label: 'valuations stored', requestLog: true },
        { label: 'valuations not stored', requestLog: true, storeValuations: false },
      ]
    : compare === 'metrics'
      ? [
          { label: 'metrics on', requestLog: true },
          { label: 'metrics off', requestLog: true, metrics: 'off' },
        ]
      : compare === 'against'
        ? [
            { label: 'this checkout', requestLog: true },
            { label: `${args.against}`, requestLog: true, root: args.against, home: args['against-home'] },
          ]
        : [
            { label: compare === 'backends' ? 'SQLite' : 'request log on', requestLog: true },
            { label: 'request log off', requestLog: false },
          ];
/** The valuations loupe_valuations_total has counted so far (all versions and outcomes). */
async function countedValuations(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('loupe_valuations_total{')) n += Number(line.split(' ').pop());
  return n;
}
/** Valuations stored so far (SQLite). */
function storedCount(): number {
  const db = openDatabase(join(home, 'loupe.db'));
  try {
    return (db.prepare('SELECT count(*) AS n FROM valuations').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
/** Requests logged so far, from the variant's database. */
async function loggedCount(variant: Variant): Promise<number> {
  if (variant.databaseUrl) {
    const store = postgresStore(await openPostgres(variant.databaseUrl, { migrate: false }), { home });
    try {
      return await store.countRequests();
    } finally {
      await store.close();
    }
  }
  // read only: opening to write would migrate another checkout's home to this one's schema
  const db = openDatabase(join(variant.home ?? home, 'loupe.db'), { readonly: variant.home !== undefined });
  try {
    return countRequests(db);
  } finally {
    db.close();
  }
}
try {
  if (compare === 'backends') {
    // The SQLite home is bootstrapped by a first start, then copied into a fresh PostgreSQL.
    await stopServer((await startServer(home, variants[0])).child);
    postgres = await startPostgres();
    const databaseUrl = postgres.newDatabase('bench');
    const pool = await openPostgres(databaseUrl);
    const db = openDatabase(join(home, 'loupe.db'));
    await copySqliteToPostgres(db, pool);
    db.close();
    // The copy's own vacuum and statistics now, not by autovacuum during the first round: a server is not
    // measured right after a bulk load. The vacuums the rounds' inserts start still count (the autovacuum column).
    await pool.query('VACUUM (ANALYZE)');
    await pool.end();
    variants[1] = { label: 'PostgreSQL', requestLog: true, databaseUrl };
  }
  // The two variants alternate (on, off, on, off, …) so that a change in the machine's other load hits both alike.
  for (let round = 0; round < rounds * 2; round++) {
    const variant = variants[round % 2];
    const logging = variant.requestLog;
    const profileDir = args.profile
      ? join(args.profile, `round-${round + 1}-${variant.label.replace(/\W+/g, '-')}`)
      : undefined;
    const { child, url } = await startServer(home, variant, profileDir);
    const current = (await (await fetch(`${url}/v1/models/current`)).json()) as { kind: string; version: string };
    modelKind = current.kind;
    modelVersion = current.version;
    const check = await fetch(`${url}/v1/valuations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(exampleStone()),
    });
    const body = (await check.json()) as { explanation?: { steps: unknown[] } };
    if (check.status !== 200 || !body.explanation)
      throw new Error(`the valuation to measure does not work: ${check.status} ${JSON.stringify(body)}`);
    const before = await loggedCount(variant);
    const storedBefore = compare === 'storage' ? storedCount() : 0;
    if (warmup > 0) await load(url, warmup);
    const postmaster = variant.databaseUrl && postgres ? postgres.serverPid() : undefined;
    const cluster = postmaster === undefined ? undefined : new ClusterCpu(postmaster);
    const sampler = cluster && setInterval(() => cluster.sample(), 250);
    const cpu0 = cpuMicros(child.pid!);
    const main0 = cpuMicros(child.pid!, child.pid!);
    const threads0 = threadCpu(child.pid!);
    const bench0 = process.cpuUsage();
    const r = await load(url, duration);
    const bench1 = process.cpuUsage(bench0);
    const cpu1 = cpuMicros(child.pid!);
    const main1 = cpuMicros(child.pid!, child.pid!);
    const threads1 = threadCpu(child.pid!);
    const counted = compare === 'metrics' && !variant.metrics ? await countedValuations(url) : undefined;
    const code = await stopServer(child);
    clearInterval(sampler);
    cluster?.sample();
    const pg = cluster?.micros();
    if (code !== 0) throw new Error(`server exited with ${code}`);
    const logged = (await loggedCount(variant)) - before;
    const stored = compare === 'storage' ? storedCount() - storedBefore : undefined;
    rows.push({
      mode: `${variant.label}, round ${Math.floor(round / 2) + 1}`,
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors + r.timeouts + r.non2xx,
      total: r.requests.total,
      // The server's own CPU per request: what a free core would give, whatever else runs on the machine.
      cpuUsPerRequest: cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) / r.requests.total : NaN,
      mainCpuUsPerRequest: main0 !== undefined && main1 !== undefined ? (main1 - main0) / r.requests.total : NaN,
      threads: Object.fromEntries(
        [...threads1].map(([name, us]) => [name, (us - (threads0.get(name) ?? 0)) / r.requests.total]),
      ),
      loadCpuUsPerRequest: (bench1.user + bench1.system) / r.requests.total,
      ...(pg
        ? {
            pgCpuUsPerRequest: PG_KINDS.reduce((n, k) => n + pg[k], 0) / r.requests.total,
            pgCpuByKind: Object.fromEntries(PG_KINDS.map((k) => [k, pg[k] / r.requests.total])) as Record<
              PgKind,
              number
            >,
          }
        : {}),
      ...(logging ? { logged } : {}),
      ...(stored !== undefined ? { stored } : {}),
      ...(counted !== undefined ? { counted } : {}),
    });
  }
} finally {
  postgres?.stop();
  if (!args.home) rmSync(home, { recursive: true, force: true });
}

/** Requests over all rounds of a mode, latencies the worst round's (a conservative p99). */
function combine(mode: string, of: Row[]): Row {
  const total = of.reduce((n, r) => n + r.total, 0);
  return {
    mode,
    rps: of.reduce((n, r) => n + r.rps, 0) / of.length,
    p50: Math.max(...of.map((r) => r.p50)),
    p99: Math.max(...of.map((r) => r.p99)),
    errors: of.reduce((n, r) => n + r.errors, 0),
    total,
    cpuUsPerRequest: of.reduce((n, r) => n + r.cpuUsPerRequest * r.total, 0) / total,
    mainCpuUsPerRequest: of.reduce((n, r) => n + r.mainCpuUsPerRequest * r.total, 0) / total,
    threads: Object.fromEntries(
      [...new Set(of.flatMap((r) => Object.keys(r.threads)))].map((name) => [
        name,
        of.reduce((n, r) => n + (r.threads[name] ?? 0) * r.total, 0) / total,
      ]),
    ),
    loadCpuUsPerRequest: of.reduce((n, r) => n + r.loadCpuUsPerRequest * r.total, 0) / total,
    ...(of[0].pgCpuUsPerRequest !== undefined
      ? {
          pgCpuUsPerRequest: of.reduce((n, r) => n + (r.pgCpuUsPerRequest ?? 0) * r.total, 0) / total,
          pgCpuByKind: Object.fromEntries(
            PG_KINDS.map((k) => [k, of.reduce((n, r) => n + (r.pgCpuByKind?.[k] ?? 0) * r.total, 0) / total]),
          ) as Record<PgKind, number>,
        }
      : {}),
    ...(of[0].logged !== undefined ? { logged: of.reduce((n, r) => n + (r.logged ?? 0), 0) } : {}),
    ...(of[0].stored !== undefined ? { stored: of.reduce((n, r) => n + (r.stored ?? 0), 0) } : {}),
    ...(of[0].counted !== undefined ? { counted: of.reduce((n, r) => n + (r.counted ?? 0), 0) } : {}),
  };
}
const on = combine(
  `${variants[0].label} (all rounds)`,
  rows.filter((_, i) => i % 2 === 0),
);
const off = combine(
  `${variants[1].label} (all rounds)`,
  rows.filter((_, i) => i % 2 === 1),
);
if (rounds > 1) rows.push(on, off);
const cost = (1 - on.rps / off.rps) * 100;
const fmt = (n: number, d = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
process.stdout.write(
  `\nPOST /v1/valuations with explanation, ${requests.length} different stones — ${connections} connections × ${duration} s per round, ${rounds} rounds per mode, model ${modelVersion} (${modelKind}), load average ${fmt(loadAtStart, 1)} at start, ${fmt(loadavg()[0], 1)} at the end` +
    `${canPin ? ', server pinned to core 0, load to core 1' : ''}\n\n`,
);
/** What the counted column shows: valuations stored, valuations the metrics counted, or requests logged. */
const countedColumn = compare === 'storage' ? 'stored' : compare === 'metrics' ? 'counted by metrics' : 'logged';
const countedOf = (r: Row): number | undefined =>
  compare === 'storage' ? r.stored : compare === 'metrics' ? r.counted : r.logged;
// --backends: the PostgreSQL server's own CPU per request too (its processes, from /proc), beside Loupe's.
const pgColumn = compare === 'backends';
process.stdout.write(
  `| mode | requests/s | p50 ms | p99 ms | errors | requests | ${countedColumn} | server CPU µs/request | of which main thread | ${pgColumn ? 'PostgreSQL CPU µs/request | ' : ''}one free core, requests/s |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ${pgColumn ? '---: | ' : ''}---: |\n`,
);
for (const r of rows) {
  const counted = countedOf(r);
  const pg = pgColumn ? `${r.pgCpuUsPerRequest === undefined ? '—' : fmt(r.pgCpuUsPerRequest)} | ` : '';
  process.stdout.write(
    `| ${r.mode} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.errors} | ${fmt(r.total)} | ${counted === undefined ? '—' : fmt(counted)} | ` +
      `${fmt(r.cpuUsPerRequest)} | ${fmt(r.mainCpuUsPerRequest)} | ${pg}${fmt(1e6 / r.cpuUsPerRequest)} |\n`,
  );
}
// Where the server's CPU went, thread by thread (a thread that ended during the load is missing from the sum).
const threadNames = [...new Set(rows.flatMap((r) => Object.keys(r.threads)))].sort((a, b) =>
  a === 'main' ? -1 : b === 'main' ? 1 : a === 'other' ? 1 : b === 'other' ? -1 : a.localeCompare(b),
);
process.stdout.write(
  `\nserver CPU µs/request by thread\n\n| mode | ${threadNames.join(' | ')} |\n| --- |${threadNames.map(() => ' ---: |').join('')}\n`,
);
for (const r of rows)
  process.stdout.write(
    `| ${r.mode} | ${threadNames.map((n) => (r.threads[n] === undefined ? '—' : fmt(r.threads[n]))).join(' | ')} |\n`,
  );
/** Every process's CPU per request: Loupe's server, PostgreSQL's (when it runs) and the load generator's. */
const allCpu = (r: Row): number => r.cpuUsPerRequest + (r.pgCpuUsPerRequest ?? 0) + r.loadCpuUsPerRequest;
if (compare === 'backends') {
  // Where each request's CPU goes: on this machine the three share the cores, so the sum bounds requests/s.
  const cores = cpus().length;
  process.stdout.write(
    `\nwhere the CPU goes, µs per request (all ${cores} cores ÷ all processes' CPU per request = the requests/s the CPU allows)\n\n` +
      '| mode | Loupe main thread | Loupe other threads | PostgreSQL backends | WAL writer | checkpointer, bgwriter | autovacuum | PostgreSQL other | load generator | all | CPU allows, requests/s | measured requests/s |\n' +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n',
  );
  for (const r of rows) {
    const k = r.pgCpuByKind;
    const pg = PG_KINDS.map((kind) => (k ? fmt(k[kind]) : '—')).join(' | ');
    process.stdout.write(
      `| ${r.mode} | ${fmt(r.mainCpuUsPerRequest)} | ${fmt(r.cpuUsPerRequest - r.mainCpuUsPerRequest)} | ${pg} | ` +
        `${fmt(r.loadCpuUsPerRequest)} | ${fmt(allCpu(r))} | ${fmt((cores * 1e6) / allCpu(r))} | ${fmt(r.rps)} |\n`,
    );
  }
}
const cpuCost = (1 - off.cpuUsPerRequest / on.cpuUsPerRequest) * 100;
// Round to round this machine's speed varies by up to 30%; the two variants of a round pair run back to back, so
// the spread of the pairs' costs says how far one run's total can be trusted.
const costByRound = Array.from({ length: rounds }, (_, k) => (1 - rows[2 * k].rps / rows[2 * k + 1].rps) * 100);
if (rounds > 1) {
  const sorted = [...costByRound].sort((a, b) => a - b);
  const median = (sorted[(rounds - 1) >> 1] + sorted[rounds >> 1]) / 2;
  process.stdout.write(
    `
round by round, the first variant costs ${costByRound.map((c) => fmt(c, 1)).join(', ')} % of the second's throughput (median ${fmt(median, 1)} %)
`,
  );
}
/** A mode's figures as the result files keep them. */
const figures = (r: Row) => ({
  requestsPerSecond: Math.round(r.rps),
  p50Ms: r.p50,
  p99Ms: r.p99,
  errors: r.errors,
  sent: r.total,
  serverCpuMicrosPerRequest: Math.round(r.cpuUsPerRequest),
  mainThreadCpuMicrosPerRequest: Math.round(r.mainCpuUsPerRequest),
  threadCpuMicrosPerRequest: Object.fromEntries(Object.entries(r.threads).map(([n, us]) => [n, Math.round(us)])),
  loadGeneratorCpuMicrosPerRequest: Math.round(r.loadCpuUsPerRequest),
});
/** What every comparison's result file says about the run. */
const runFacts = () => ({
  cores: cpus().length,
  // Every mode sends the same `requests` (valuations with their explanation), as partners call the API.
  explain: true,
  connections,
  durationSeconds: duration,
  rounds,
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: loadavg()[0],
  costByRoundPercent: costByRound.map((c) => Math.round(c * 10) / 10),
  modelKind,
  modelVersion,
  date: new Date().toISOString(),
});
/** Writes a result file under bench/results and ends the run. */
function writeResultAndExit(name: string, result: object): never {
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', name), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`wrote bench/results/${name}\n`);
  process.exit(0);
}
if (compare === 'backends') {
  // off is PostgreSQL here: how far its throughput is below SQLite's.
  const behind = (1 - off.rps / on.rps) * 100;
  process.stdout.write(
    `\nPostgreSQL: ${fmt(off.rps)} requests/s against SQLite's ${fmt(on.rps)} (${fmt(behind, 1)} % behind; target: within 15 %); ` +
      `server CPU ${fmt(off.cpuUsPerRequest)} µs/request against ${fmt(on.cpuUsPerRequest)}, ` +
      `and the PostgreSQL server's own ${fmt(off.pgCpuUsPerRequest ?? Number.NaN)} µs/request\n`,
  );
  const backends = {
    sqlite: { ...figures(on), logged: on.logged },
    postgres: {
      ...figures(off),
      logged: off.logged,
      postgresServerCpuMicrosPerRequest: Math.round(off.pgCpuUsPerRequest ?? Number.NaN),
      postgresCpuMicrosPerRequestByProcess: Object.fromEntries(
        PG_KINDS.map((k) => [k, Math.round((off.pgCpuByKind?.[k] ?? Number.NaN) * 10) / 10]),
      ),
    },
    allCpuMicrosPerRequest: { sqlite: Math.round(allCpu(on)), postgres: Math.round(allCpu(off)) },
    postgresBehindPercent: Math.round(behind * 10) / 10,
    ...runFacts(),
  };
  writeResultAndExit('api-backends.json', backends);
}
if (compare === 'metrics' || compare === 'against') {
  // on is the default (metrics on) or this checkout; off is metrics off or the other checkout.
  const what = compare === 'metrics' ? 'metrics cost' : `this checkout against ${args.against}: it costs`;
  process.stdout.write(
    `\n${what} ${fmt(cost, 1)} % of throughput (${fmt(cpuCost, 1)} % of the server's CPU per request)${compare === 'metrics' ? '; target < 5 %' : ''}\n`,
  );
  const [onName, offName] = compare === 'metrics' ? ['metricsOn', 'metricsOff'] : ['thisCheckout', 'against'];
  writeResultAndExit(compare === 'metrics' ? 'api-metrics.json' : 'api-against.json', {
    [onName]: figures(on),
    [offName]: { ...figures(off), ...(compare === 'against' ? { checkout: args.against } : {}) },
    costPercent: Math.round(cost * 10) / 10,
    cpuCostPercent: Math.round(cpuCost * 10) / 10,
    ...(compare === 'metrics' ? { valuationsCounted: on.counted } : {}),
    ...runFacts(),
  });
}
if (compare === 'storage') {
  // on stores every valuation, off stores none: what storing costs.
  const storageCost = (1 - on.rps / off.rps) * 100;
  const storageCpuCost = (1 - off.cpuUsPerRequest / on.cpuUsPerRequest) * 100;
  process.stdout.write(
    `\nstoring valuations costs ${fmt(storageCost, 1)} % of throughput (${fmt(storageCpuCost, 1)} % of the server's CPU per request); target < 15 %\n`,
  );
  const storage = {
    stored: { ...figures(on), valuationsStored: on.stored },
    notStored: figures(off),
    storageCostPercent: Math.round(storageCost * 10) / 10,
    storageCpuCostPercent: Math.round(storageCpuCost * 10) / 10,
    ...runFacts(),
  };
  writeResultAndExit('api-storage.json', storage);
}
process.stdout.write(
  `\nlogging costs ${fmt(cost, 1)} % of throughput (${fmt(cpuCost, 1)} % of the server's CPU per request); target < 20 %\n` +
    'targets: ≥ 5,000 req/s, p99 < 25 ms, 0 errors\n',
);

const result = {
  requestsPerSecond: Math.round(on.rps),
  p50Ms: on.p50,
  p99Ms: on.p99,
  errors: on.errors,
  cores: cpus().length,
  connections,
  durationSeconds: duration,
  roundsPerMode: rounds,
  explain: true,
  loggingCostPercent: Math.round(cost * 10) / 10,
  loggingCpuCostPercent: Math.round(cpuCost * 10) / 10,
  serverCpuMicrosPerRequest: Math.round(on.cpuUsPerRequest),
  threadCpuMicrosPerRequest: Object.fromEntries(Object.entries(on.threads).map(([n, us]) => [n, Math.round(us)])),
  oneFreeCoreRequestsPerSecond: Math.round(1e6 / on.cpuUsPerRequest),
  loadAverageAtStart: loadAtStart,
  costByRoundPercent: costByRound.map((c) => Math.round(c * 10) / 10),
  withoutLogging: { requestsPerSecond: Math.round(off.rps), p50Ms: off.p50, p99Ms: off.p99, errors: off.errors },
  requestsLogged: on.logged,
  requestsSent: on.total,
  modelKind,
  modelVersion,
  pinned: canPin,
  date: new Date().toISOString(),
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'api.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write('wrote bench/results/api.json\n');
