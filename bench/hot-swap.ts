/**
 * Benchmark of a hot swap: how long the thread that answers HTTP stalls while a new champion is loaded, with the
 * model built on that thread (before) against built on a new generation of valuation threads (now, ModelSource's
 * preload, as `loupe serve` does), rounds alternating in one run. A server (buildApp, open, valuations on one
 * valuation thread) takes 2 clients valuing back to back and a probe asking /healthz every 10 ms (on a thread of
 * their own, so a stall shows in their latencies); one champion is promoted per round. Printed per round, over
 * the swap (promotion until 1 s after the new model serves): /healthz and valuation latency (p50, p99, max) and
 * the event loop's longest delay, beside that delay over 1 s just before (the machine's noise).
 *
 *   npm run bench:hot-swap                  # bootstraps a home (ingest + train: a minute)
 *   npm run bench:hot-swap -- --home DIR    # copies DIR (a LOUPE_HOME with a champion) instead
 *
 * Writes bench/results/hot-swap.md.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { buildApp } from '../src/api/app.js';
import { ModelSource, registryChampions } from '../src/api/model-source.js';
import { ValuationPool } from '../src/api/valuation-pool.js';
import { loupePaths } from '../src/config/index.js';
import { exampleStone } from '../src/diamond/index.js';
import { parseArtifact } from '../src/model/index.js';
import { bootstrap } from '../src/pipeline/bootstrap.js';
import { getChampion, promoteModel, readArtifact, registerModel } from '../src/registry/index.js';
import { openDatabase } from '../src/store/db.js';
import { sqliteStore } from '../src/store/sqlite-store.js';

const { values: args } = parseArgs({
  options: { home: { type: 'string' }, rounds: { type: 'string', default: '3' } },
});
const rounds = Number(args.rounds);
const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-hot-swap-'));
const load = () => loadavg()[0].toFixed(2);
const pct = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A time comparable across threads, ms. */
const now = () => performance.timeOrigin + performance.now();
interface Timed {
  at: number;
  ms: number;
}
/** The load: 2 clients valuing back to back and a /healthz probe every 10 ms, until told to stop. */
const CLIENTS = `
const { parentPort, workerData: { url, stone } } = require('node:worker_threads');
const now = () => performance.timeOrigin + performance.now();
const health = [], valued = [], failed = [];
let stop = false;
parentPort.once('message', () => { stop = true; });
const timed = async (list, ask) => {
  const at = now();
  try {
    const r = await ask();
    if (r.status !== 200) failed.push(r.status + ' ' + (await r.text()));
    else await r.arrayBuffer();
  } catch (e) { failed.push(String(e)); }
  list.push({ at, ms: now() - at });
};
const client = async () => {
  while (!stop) await timed(valued, () => fetch(url + '/v1/valuations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stone }));
};
const probe = async () => {
  while (!stop) { await timed(health, () => fetch(url + '/healthz')); await new Promise((r) => setTimeout(r, 10)); }
};
Promise.all([client(), client(), probe()]).then(() => parentPort.postMessage({ health, valued, failed }));
`;

try {
  if (args.home) cpSync(args.home, dir, { recursive: true });
  const paths = loupePaths({}, { home: dir });
  const db = openDatabase(paths.database);
  if (!args.home) await bootstrap(db, paths, { onStage: (stage) => console.log(`bootstrap: ${stage}`) });
  // A second version of the same model: every round promotes the one not serving, so each swap loads it anew.
  const first = getChampion(db);
  if (!first) throw new Error('the home has no champion');
  const second = registerModel(db, paths, parseArtifact(readArtifact(first)), { durationMs: 1 });
  console.log(
    `models ${first.version} and ${second.version}, ${readArtifact(first).length.toLocaleString('en-US')} bytes each`,
  );

  const store = sqliteStore(db);
  const stone = JSON.stringify(exampleStone());
  const lines: string[] = [];
  const variants = Array.from({ length: rounds }, () => [
    'built on the HTTP thread (before)',
    'built on valuation threads (now)',
  ]).flat();
  for (const variant of variants) {
    const preload = variant.includes('valuation threads');
    const pool = new ValuationPool({ threads: 1 });
    const models = new ModelSource(registryChampions(store), {
      pollMs: 100,
      preload: preload ? (version, text) => pool.preload(version, text) : undefined,
    });
    await models.refresh();
    const app = await buildApp({ store, models, valuations: pool, open: true, host: '127.0.0.1', requestLog: null });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    models.start();
    // The clients run on a thread of their own: a stall of the server's thread shows in their latencies.
    const clients = new Worker(CLIENTS, { eval: true, workerData: { url, stone } });
    const results = new Promise<{ health: Timed[]; valued: Timed[]; failed: string[] }>((resolve) =>
      clients.once('message', resolve),
    );
    const quiet = monitorEventLoopDelay({ resolution: 5 });
    await sleep(1000); // warm: the valuation thread holds the model being served
    quiet.enable();
    await sleep(1000);
    quiet.disable();
    const loadBefore = load();
    const from = models.current?.version;
    const to = from === first.version ? second.version : first.version;
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const promotedAt = now();
    promoteModel(db, to, 'bench');
    while (models.current?.version !== to) await sleep(5);
    const servedAt = now();
    await sleep(1000);
    delay.disable();
    const endAt = now();
    clients.postMessage('stop');
    const { health, valued, failed } = await results;
    await clients.terminate();
    if (failed.length > 0) throw new Error(`requests failed: ${failed.slice(0, 3).join('; ')}`);
    models.stop();
    await app.close();
    await pool.close();
    const during = (list: Timed[]) => list.filter((r) => r.at + r.ms >= promotedAt && r.at <= endAt).map((r) => r.ms);
    const h = during(health);
    const v = during(valued);
    const f = (x: number) => x.toFixed(1);
    lines.push(
      `| ${variant} | ${f(servedAt - promotedAt)} | ${f(pct(h, 50))} | ${f(pct(h, 99))} | ${f(Math.max(...h))} | ${v.length} | ${f(pct(v, 50))} | ${f(pct(v, 99))} | ${f(Math.max(...v))} | ${f(delay.max / 1e6)} | ${f(quiet.max / 1e6)} | ${loadBefore} → ${load()} |`,
    );
    console.log(lines.at(-1));
  }
  db.close();
  const report = [
    `Hot swap of a ${readArtifact(first).length.toLocaleString('en-US')}-byte champion (npm run bench:hot-swap), ${new Date().toISOString().slice(0, 10)}: 2 clients valuing, /healthz every 10 ms; figures over the swap (promotion until 1 s after the new model serves).`,
    '',
    '| variant | promotion → serving ms | /healthz p50 ms | /healthz p99 ms | /healthz max ms | valuations | valuation p50 ms | valuation p99 ms | valuation max ms | event loop max delay ms | same, 1 s without a swap | load |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...lines,
  ].join('\n');
  console.log(`\n${report}`);
  writeFileSync(new URL('./results/hot-swap.md', import.meta.url), `${report}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
