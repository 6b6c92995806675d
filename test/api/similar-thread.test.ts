/**
 * Similar-stone searches on SQLite run on a thread of their own (src/api/similar-thread.ts): the same answers as
 * the store's search, the HTTP thread free while one runs, and a bounded queue that refuses with 503 busy.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { ModelSource } from '../../src/api/model-source.js';
import { threadedSimilarSearch, type SimilarSearchThread } from '../../src/api/similar-thread.js';
import type { Stone } from '../../src/diamond/index.js';
import { ingestFile } from '../../src/ingest/index.js';
import { similarFinder } from '../../src/store/similar.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import { writeSyntheticFile } from '../../bench/synthetic-appraisals.js';
import { testHome, type TestHome } from './helpers.js';

/** Far from every stored stone: the window grows to the whole table, the slowest search there is. */
const FAR: Stone = {
  carat: 4.5,
  cut: 'Fair',
  color: 'D',
  clarity: 'IF',
  depth: 70,
  table: 70,
  x: 9.1,
  y: 9.0,
  z: 6.3,
};
const TYPICAL: Stone = {
  carat: 0.9,
  cut: 'Ideal',
  color: 'G',
  clarity: 'VS2',
  depth: 62,
  table: 56,
  x: 6.18,
  y: 6.21,
  z: 3.84,
};

let home: TestHome;
let thread: SimilarSearchThread;
beforeAll(async () => {
  home = await testHome({ promote: false });
  // 40,000 more stones, so that a search far from all of them takes a while
  const csv = join(home.dir, 'more.csv');
  await writeSyntheticFile(csv, 40_000, 11);
  await ingestFile(home.db, csv);
  thread = threadedSimilarSearch(home.paths.database);
}, 120_000);
afterAll(async () => {
  await thread?.close();
  home?.cleanup();
});

/** How many turns the event loop makes while `work` is pending (a synchronous search allows none). */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let done = false;
  const spin = (): void => {
    if (done) return;
    turns++;
    setImmediate(spin);
  };
  const pending = work();
  setImmediate(spin);
  await pending;
  done = true;
  return turns;
}

describe('similar stones on their own thread', () => {
  it('answers what the store answers, in both modes', async () => {
    const finder = similarFinder(home.db);
    for (const stone of [TYPICAL, FAR])
      for (const mode of ['grades', 'all'] as const)
        expect(await thread.similarStones(stone, 7, mode)).toEqual(finder.find(stone, 7, mode));
  });

  it('leaves the HTTP thread free while it searches, where the store held it for the whole search', async () => {
    await thread.similarStones(TYPICAL, 1, 'all'); // the thread has started
    const store = sqliteStore(home.db);
    const onStore = await turnsDuring(() => store.similarStones(FAR, 50, 'all'));
    const onThread = await turnsDuring(() => thread.similarStones(FAR, 50, 'all'));
    expect(onStore).toBe(0);
    expect(onThread).toBeGreaterThan(0);
  });

  it('refuses searches beyond its queue with 503 busy and Retry-After, and answers those it took', async () => {
    const small = threadedSimilarSearch(home.paths.database, { maxWaiting: 2 });
    try {
      const asked = Array.from({ length: 5 }, () => small.similarStones(FAR, 5, 'all'));
      const settled = await Promise.allSettled(asked);
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(2);
      const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      expect(refused).toHaveLength(3);
      for (const r of refused) {
        expect(r.reason).toMatchObject({ slug: 'busy', status: 503, headers: { 'retry-after': '1' } });
        expect(String(r.reason.message)).toMatch(/at most 2/);
      }
      expect(small.waiting).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('serves GET /v1/diamonds/similar through the thread, a refusal as problem+json', async () => {
    const small = threadedSimilarSearch(home.paths.database, { maxWaiting: 1 });
    const app = await buildApp({
      store: sqliteStore(home.db),
      similar: small,
      models: new ModelSource({ version: async () => undefined, load: async () => undefined }),
      open: true,
      host: '127.0.0.1',
      requestLog: null,
    });
    try {
      const q = new URLSearchParams(
        Object.fromEntries([...Object.entries(FAR).map(([k, v]) => [k, String(v)]), ['mode', 'all']]),
      );
      const [first, second] = await Promise.all([
        app.inject({ url: `/v1/diamonds/similar?${q}` }),
        app.inject({ url: `/v1/diamonds/similar?${q}` }),
      ]);
      const statuses = [first.statusCode, second.statusCode].sort();
      expect(statuses).toEqual([200, 503]);
      const busy = first.statusCode === 503 ? first : second;
      expect(busy.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(busy.headers['retry-after']).toBe('1');
      expect(busy.json()).toMatchObject({ type: '/problems/busy', status: 503 });
    } finally {
      await app.close();
      await small.close();
    }
  });
});
