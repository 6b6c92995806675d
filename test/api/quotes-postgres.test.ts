/**
 * Stored valuations on PostgreSQL while the database is away: the writer keeps at most maxQueued rows (the oldest
 * dropped, counted, and gone from memory too), the server's memory stays bounded, and once PostgreSQL is back what
 * waits is written; every valuation is accounted for (written, or dropped and counted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WriterEvent } from '../../src/api/async-writer.js';
import { asyncQuoteStore } from '../../src/api/quote-store.js';
import { openPostgres } from '../../src/store/postgres/connect.js';
import { postgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { numberedValuation, valuationIdOf } from './helpers.js';

let server: TestPostgres;
let store: PostgresStore;
beforeAll(async () => {
  server = await startPostgres();
  store = postgresStore(await openPostgres(server.newDatabase('quotes')), { home: '/nonexistent' });
}, 60_000);
afterAll(async () => {
  await store?.close();
  server?.stop();
});

const until = async (done: () => boolean, what: string): Promise<void> => {
  for (let n = 0; !done(); n++) {
    if (n > 1500) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('stored valuations on PostgreSQL, the database away', () => {
  it('keeps a bounded queue (oldest dropped and counted) and writes what waits once the database is back', async () => {
    const events: WriterEvent[] = [];
    const quotes = asyncQuoteStore(store, {
      maxQueued: 1000,
      maxWaiting: 1000,
      flushIntervalMs: 10,
      onEvent: (e) => events.push(e),
    });
    const id = valuationIdOf;
    const save = (i: number) => quotes.saveValuation(numberedValuation(i));
    save(0);
    await until(() => quotes.backlog.waiting === 0, 'the first write');
    server.stopServer(true);
    const total = 10_000;
    try {
      for (let i = 1; i < total; i++) {
        save(i);
        if (i % 500 === 0) await new Promise((r) => setTimeout(r, 10));
      }
      await until(() => events.some((e) => e.type === 'failing'), 'the failure report');
      // The oldest that waited were dropped, from memory too; the newest are still found.
      // (not in memory, a valuation is looked for in the database, which refuses while it is away)
      const found = (i: number) => quotes.valuation(id(i)).catch(() => undefined);
      expect(await found(1)).toBeUndefined();
      expect(await found(total - 1)).toBeDefined();
      expect(quotes.backlog.waiting).toBeLessThanOrEqual(1000);
    } finally {
      server.startServer();
    }
    await until(() => events.some((e) => e.type === 'recovered'), 'the recovery');
    const recovered = events.find((e) => e.type === 'recovered') as Extract<WriterEvent, { type: 'recovered' }>;
    expect(recovered.dropped).toBeGreaterThan(0);
    const notWritten = await quotes.close();
    const [{ n }] = (await store.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM valuations')).rows;
    expect(n + notWritten + quotes.backlog.dropped).toBe(total);
    expect(n).toBeGreaterThanOrEqual(1000); // what waited, at most maxQueued, was written
    expect(await store.findValuation(id(total - 1))).toBeDefined();
  }, 120_000);
});
