/**
 * Benchmark of the request log when the disk is full: the writer as `loupe serve` runs it (a RequestLog on the
 * HTTP thread handing entries to the writer thread) takes a flood of entries at a fixed rate while SQLite refuses
 * every write (its connection's `max_page_count` is the file's size: a full disk without mounting anything), then
 * space returns (a 40 MB table is dropped) and the flood goes on. Printed per phase: entries offered, the peak RSS
 * of the process (both threads), entries waiting (HTTP thread / in flight / writer thread), entries dropped, the
 * HTTP thread's event-loop delay (p99, max: what an answer would wait) and, after space returns, how long until
 * the writer reports its recovery and the rows stored.
 *
 *   npm run bench:request-log   (BENCH_RATE=entries per second, default 20,000; BENCH_SECONDS per phase, default 5)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RequestLog } from '../src/api/request-log.js';
import { threadedRequestLogWriter } from '../src/api/request-log-thread.js';
import type { FromWriter } from '../src/store/row-writer-worker.js';
import { openDatabase } from '../src/store/db.js';
import { countRequests, type RequestLogEntry } from '../src/store/requests.js';

const rate = Number(process.env.BENCH_RATE ?? 20_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const home = mkdtempSync(join(tmpdir(), 'loupe-bench-log-'));
const file = join(home, 'loupe.db');
const db = openDatabase(file);
db.exec(
  'CREATE TABLE filler (b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) INSERT INTO filler SELECT zeroblob(4000) FROM n',
);
const pages = db.pragma('page_count', { simple: true }) as number;

const events: { at: number; event: FromWriter }[] = [];
const writer = threadedRequestLogWriter(file, {
  pragmas: [`max_page_count = ${pages}`],
  onEvent: (event) => events.push({ at: performance.now(), event }),
});
const log = new RequestLog((e) => writer.write(e), {
  flushIntervalMs: 50,
  committed: () => writer.committed(),
  onClose: () => writer.close(),
});
await writer.committed();

// A request with a stone in and a summary out, about the size of a logged valuation.
const entry = (): RequestLogEntry => ({
  at: Date.now(),
  method: 'POST',
  route: '/v1/valuations',
  url: '/v1/valuations',
  status: 200,
  latencyMs: 0.4,
  keyId: 1,
  keyName: 'ACME',
  modelVersion: 'v0001',
  requestBody:
    '{"carat":0.9,"cut":"Ideal","color":"G","clarity":"VS2","depth":61.8,"table":57,"x":6.2,"y":6.24,"z":3.84}'.padEnd(
      400,
    ),
  responseBody:
    '{"price":4530,"currency":"USD","range":{"low":3940,"high":5210,"coverage":0.9},"modelVersion":"v0001"'.padEnd(200),
  requestId: 'req-00000000000000000000',
});

interface Phase {
  name: string;
  offered: number;
  peakRssMb: number;
  waiting: string;
  dropped: number;
  p99Ms: number;
  maxMs: number;
  extra: string;
}
const rows: Phase[] = [];

async function flood(name: string): Promise<Phase> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let offered = 0;
  let peak = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    for (; offered < due; offered++) log.push(entry());
    peak = Math.max(peak, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 5));
  }
  delay.disable();
  const b = writer.backlog;
  const dropped = log.stats.dropped + b.dropped;
  return {
    name,
    offered,
    peakRssMb: Math.round(peak / 2 ** 20),
    waiting: `${log.pending} / ${b.inFlight} / ${b.queued}`,
    dropped,
    p99Ms: Math.round(delay.percentile(99) / 1e5) / 10,
    maxMs: Math.round(delay.max / 1e5) / 10,
    extra: '',
  };
}

const load0 = loadavg()[0];
const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);
rows.push(await flood('disk full'));
const freedAt = performance.now();
db.exec('DROP TABLE filler');
const after = await flood('space returned');
const recovered = events.find((e) => e.event.type === 'recovered');
after.extra = recovered
  ? `recovered ${Math.round(recovered.at - freedAt)} ms after space returned, ${(recovered.event as { dropped: number }).dropped} dropped meanwhile`
  : 'no recovery reported';
rows.push(after);
await log.close();
const stored = countRequests(db);
db.close();
rmSync(home, { recursive: true, force: true });

console.log(
  `request log under a full disk: ${rate} entries/s for ${seconds} s per phase; RSS before ${rssBefore} MB; load ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
);
console.log(
  '| phase | offered | peak RSS MB | waiting (HTTP / in flight / writer) | dropped so far | loop delay p99 ms | max ms |',
);
console.log('| --- | ---: | ---: | --- | ---: | ---: | ---: |');
for (const r of rows)
  console.log(`| ${r.name} | ${r.offered} | ${r.peakRssMb} | ${r.waiting} | ${r.dropped} | ${r.p99Ms} | ${r.maxMs} |`);
console.log(`${after.extra}; ${stored} rows stored at the end`);
