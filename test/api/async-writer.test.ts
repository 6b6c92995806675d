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
    expect(w.backlog).toEqual({ queued: 5, dropped: 3 });
    down = false;
    const closed = await w.close();
    expect(written).toEqual([4, 5, 6, 7, 8]);
    expect(closed).toEqual({ lost: 0, dropped: 3 });
    expect(events[1]).toMatchObject({ type: 'recovered', dropped: 3 });
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
});
