/**
 * The async batch writer behind PostgreSQL's request log and stored valuations: rows go in order, in batches; a
 * database that refuses writes is retried until it takes them (reconnecting), with at most maxQueued rows kept
 * meanwhile (the oldest dropped and counted); close() writes what is left.
 */
import { describe, expect, it } from 'vitest';
import { asyncBatchWriter, type WriterEvent } from '../../src/api/async-writer.js';

describe('asyncBatchWriter', () => {
  it('writes every row in order, in batches of at most chunk, and reports each commit', async () => {
    const batches: number[][] = [];
    let confirmed = 0;
    const w = asyncBatchWriter<number>(async (rows) => void batches.push([...rows]), {
      chunk: 3,
      onWritten: (n) => (confirmed += n),
    });
    w.write([1, 2, 3, 4]);
    w.write([5]);
    await w.committed();
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5]);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(3);
    expect(confirmed).toBe(5);
    expect(await w.close()).toEqual({ lost: 0, dropped: 0 });
  });

  it('retries while the database is away, keeps the newest maxQueued rows, and says when it is back', async () => {
    let down = true;
    const written: number[] = [];
    const events: WriterEvent[] = [];
    const w = asyncBatchWriter<number>(
      async (rows) => {
        if (down) throw new Error('connection refused');
        written.push(...rows);
      },
      { maxQueued: 5, onEvent: (e) => events.push(e) },
    );
    w.write([1, 2, 3]);
    await new Promise((r) => setTimeout(r, 20));
    w.write([4, 5, 6, 7, 8]);
    await w.committed(); // resolves at once while writes fail
    expect(events).toEqual([{ type: 'failing', message: 'connection refused' }]);
    expect(w.backlog).toEqual({ queued: 5, dropped: 3, written: 0 });
    down = false;
    const closed = await w.close();
    expect(written).toEqual([4, 5, 6, 7, 8]);
    expect(closed).toEqual({ lost: 0, dropped: 3 });
    expect(w.backlog).toEqual({ queued: 0, dropped: 3, written: 5 });
    expect(events[1]).toMatchObject({ type: 'recovered', dropped: 3 });
  });

  it('settles rows in the order given, written or dropped, also when rows are dropped during a write that hangs', async () => {
    const settled: string[] = [];
    let release: (ok: boolean) => void = () => {};
    let hang = true;
    const written: number[] = [];
    const w = asyncBatchWriter<number>(
      async (rows) => {
        if (hang) {
          hang = false;
          if (!(await new Promise<boolean>((r) => (release = r)))) throw new Error('connection lost');
        }
        written.push(...rows);
      },
      {
        maxQueued: 3,
        chunk: 2,
        onWritten: (n) => settled.push(`written ${n}`),
        onDropped: (n) => settled.push(`dropped ${n}`),
      },
    );
    w.write([1, 2]); // the batch that hangs
    await new Promise((r) => setTimeout(r, 5));
    w.write([3, 4, 5, 6, 7]); // 3 and 4 are dropped while it hangs: more than 3 wait
    expect(w.backlog).toEqual({ queued: 3, dropped: 2, written: 0 });
    expect(settled).toEqual([]); // nothing settles before the batch ahead of them
    release(true);
    await w.committed();
    expect(written).toEqual([1, 2, 5, 6, 7]);
    expect(settled).toEqual(['written 2', 'dropped 2', 'written 2', 'written 1']);
    await w.close();

    // The same, but the hanging write fails: it is the oldest of all and goes too, before the rows dropped behind it.
    const order: string[] = [];
    let fail: () => void = () => {};
    let first = true;
    const v = asyncBatchWriter<number>(
      async () => {
        if (first) {
          first = false;
          await new Promise<void>((r) => (fail = r));
          throw new Error('connection lost');
        }
      },
      {
        maxQueued: 3,
        chunk: 2,
        onWritten: (n) => order.push(`written ${n}`),
        onDropped: (n) => order.push(`dropped ${n}`),
      },
    );
    v.write([1, 2]);
    await new Promise((r) => setTimeout(r, 5));
    v.write([3, 4, 5, 6, 7]);
    fail();
    expect(await v.close()).toEqual({ lost: 0, dropped: 4 });
    expect(order).toEqual(['dropped 4', 'written 2', 'written 1']);
  });

  it('close() gives up after its timeout and counts what it could not write', async () => {
    const w = asyncBatchWriter<number>(
      async () => {
        throw new Error('down');
      },
      { closeTimeoutMs: 300 },
    );
    w.write([1, 2]);
    expect(await w.close()).toEqual({ lost: 2, dropped: 0 });
  });

  // `loupe serve` on PostgreSQL given SIGTERM while the database was down never exited: close() waited for the
  // writer's retry loop, which only ends once the rows are written.
  it('close() gives up after its timeout when writes were already failing (the writer pausing between tries)', async () => {
    let failures = 0;
    const events: WriterEvent[] = [];
    const w = asyncBatchWriter<number>(
      async () => {
        failures++;
        await new Promise((r) => setImmediate(r));
        throw new Error('connect ECONNREFUSED');
      },
      { closeTimeoutMs: 300, onEvent: (e) => events.push(e) },
    );
    w.write([1, 2]);
    while (events.length === 0) await new Promise((r) => setTimeout(r, 5));
    const outcome = await Promise.race([
      w.close(),
      new Promise((r) => setTimeout(() => r('still closing after 20 s'), 20_000).unref()),
    ]);
    expect(outcome).toEqual({ lost: 2, dropped: 0 });
    expect(failures).toBeGreaterThan(1); // it kept trying until its timeout
  }, 30_000);

  it('close() gives up after its timeout when a write hangs (a database that stopped answering)', async () => {
    const w = asyncBatchWriter<number>(() => new Promise<void>(() => {}), { closeTimeoutMs: 300 });
    w.write([1, 2, 3]);
    const outcome = await Promise.race([
      w.close(),
      new Promise((r) => setTimeout(() => r('still closing after 20 s'), 20_000).unref()),
    ]);
    expect(outcome).toEqual({ lost: 3, dropped: 0 });
  }, 30_000);
});
