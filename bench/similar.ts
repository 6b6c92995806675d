/**
 * Benchmark of GET /v1/diamonds/similar?mode=all at a million stored stones, three ways in the same run: the
 * whole-table scan it was, the window it reads (src/store/similar.ts) on the HTTP thread, and the same window on
 * the similar-stones thread (src/api/similar-thread.ts), as `loupe serve` runs it on SQLite. A server (buildApp, open, no model needed) takes
 * 4 clients asking for similar stones back to back while a probe asks /healthz every 50 ms; printed per variant:
 * similar calls answered, their latency (p50, max) and /healthz's (p50, max) — what every other request waits.
 *
 *   npm run bench:similar   (BENCH_ROWS, default 1,000,000; BENCH_SECONDS per variant, default 8)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/api/app.js';
import { threadedSimilarSearch } from '../src/api/similar-thread.js';
import { ModelSource } from '../src/api/model-source.js';
import { ingestFile } from '../src/ingest/index.js';
import { openDatabase } from '../src/store/db.js';
import { similarFinder } from '../src/store/similar.js';
import { sqliteStore } from '../src/store/sqlite-store.js';
import { prng, syntheticRow, writeSyntheticFile } from './synthetic-appraisals.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const home = mkdtempSync(join(tmpdir(), 'loupe-bench-similar-'));
const load = () => loadavg()[0].toFixed(2);

try {
  const csv = join(home, 'stones.csv');
  const t = performance.now();
  await writeSyntheticFile(csv, rows, 7);
  const db = openDatabase(join(home, 'loupe.db'));
  const summary = await ingestFile(db, csv);
  console.log(
    `stored ${summary.accepted.toLocaleString('en-US')} stones in ${((performance.now() - t) / 1000).toFixed(0)} s (load ${load()})`,
  );
  const finder = similarFinder(db);
  console.log(`window query plan: ${finder.windowPlan().join('; ')}`);

  // The stones asked about: like those stored, from another seed.
  const random = prng(99);
  const queries = Array.from({ length: 50 }, () => {
    const [carat, cut, color, clarity, depth, table, , x, y, z] = syntheticRow(random).split(',');
    return new URLSearchParams({ carat, cut, color, clarity, depth, table, x, y, z, n: '5', mode: 'all' }).toString();
  });

  const pct = (list: number[], p: number) => {
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  };
  const table: string[] = [];
  const variants = ['scan, HTTP thread', 'window, HTTP thread', 'window, own thread (now)'];
  for (const variant of [...variants, ...variants]) {
    const scan = variant.startsWith('scan');
    const thread = variant.includes('own thread') ? threadedSimilarSearch(join(home, 'loupe.db')) : undefined;
    const store = sqliteStore(db);
    const app = await buildApp({
      store,
      similar: thread ?? { similarStones: async (stone, n, mode) => finder.find(stone, n, mode, { scan }) },
      models: new ModelSource({ version: async () => undefined, load: async () => undefined }),
      open: true,
      host: '127.0.0.1',
      requestLog: null,
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    // The thread starts and takes the table's spreads (a pass over it) before it searches, as it does at a
    // server's start; the HTTP-thread variants share a finder that has them already.
    if (thread) await (await fetch(`${url}/v1/diamonds/similar?${queries[0]}`)).arrayBuffer();
    const similar: number[] = [];
    const health: number[] = [];
    const until = performance.now() + seconds * 1000;
    const client = async (k: number) => {
      for (let i = k; performance.now() < until; i += 4) {
        const start = performance.now();
        const r = await fetch(`${url}/v1/diamonds/similar?${queries[i % queries.length]}`);
        if (r.status !== 200) throw new Error(`similar answered ${r.status}: ${await r.text()}`);
        await r.arrayBuffer();
        similar.push(performance.now() - start);
      }
    };
    const probe = async () => {
      while (performance.now() < until) {
        const start = performance.now();
        await (await fetch(`${url}/healthz`)).arrayBuffer();
        health.push(performance.now() - start);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const loadBefore = load();
    await Promise.all([client(0), client(1), client(2), client(3), probe()]);
    await app.close();
    await thread?.close();
    table.push(
      `| ${variant} | ${similar.length.toLocaleString('en-US')} | ${pct(similar, 50).toFixed(1)} | ${Math.max(...similar).toFixed(1)} | ${pct(health, 50).toFixed(1)} | ${Math.max(...health).toFixed(1)} | ${loadBefore} → ${load()} |`,
    );
  }
  console.log(
    `\n${rows.toLocaleString('en-US')} stones stored, 4 clients asking mode=all (n=5) for ${seconds} s each:\n`,
  );
  console.log(
    '| variant | similar calls | similar p50 ms | similar max ms | /healthz p50 ms | /healthz max ms | load |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const line of table) console.log(line);
  db.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
