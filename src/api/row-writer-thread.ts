/**
 * Writing rows on a worker thread with its own SQLite connection (store/row-writer-worker.ts), so that the disk
 * never blocks the thread that answers requests (better-sqlite3 is synchronous): the request log
 * (request-log-thread.ts) and stored valuations (quote-store.ts) each have one. Memory is bounded on both sides:
 * at most maxInFlight rows are on their way to the thread (beyond that write() refuses and the caller keeps them,
 * within its own bound), and the thread keeps at most maxQueued rows while the database refuses writes, dropping
 * the oldest and counting them.
 */
import type { Worker } from 'node:worker_threads';
import type { RequestLogRetention } from '../store/requests.js';
import type { FromWriter, Row, ToWriter, WriterSettings } from '../store/row-writer-worker.js';
import { startTsWorker } from './ts-worker.js';

export type { FromWriter, Row } from '../store/row-writer-worker.js';

export interface ThreadedWriterOptions {
  /** The thread's OS name (default row-writer; at most 15 characters), to tell the writers apart in /proc. */
  name?: string;
  /** The request log's retention, enforced by the thread (default none). */
  retention?: RequestLogRetention | null;
  /** Most rows waiting in the thread (default 20,000). */
  maxQueued?: number;
  /** Most rows sent but not yet taken by the thread (default 5,000). */
  maxInFlight?: number;
  /** Most rows per transaction (default 1,000). */
  chunk?: number;
  /** Retention runs this often (default 60 s) and after this many rows written (default 10,000). */
  pruneEveryMs?: number;
  pruneEveryRows?: number;
  /** Extra pragmas for the thread's connection (tests: `max_page_count = N` for a full disk). */
  pragmas?: string[];
  /** On close, how long writes that fail are retried before what is left counts as lost (default 10 s). */
  closeWaitMs?: number;
  /** What the thread reports: failures, recoveries (with the rows lost), rows deleted by retention. */
  onEvent?(event: FromWriter): void;
  /** The next `count` rows sent (in the order sent) are settled: committed, or dropped while writes failed. */
  onSettled?(count: number): void;
}

export interface ThreadedWriter<T = Row> {
  /** Sends rows to the thread; throws when too many are still on their way (the caller keeps them; none on their way: any number goes). */
  write(rows: readonly T[]): void;
  /** Resolves once everything sent before it is committed (or could not be, when writes fail). */
  committed(): Promise<void>;
  /**
   * Commits what the thread holds (when writes succeed), then resolves with the row of `statement` whose first
   * value is `key` if the thread still holds it (writes failing), else null.
   */
  find(statement: number, key: string): Promise<Row | null>;
  /** Rows sent but not yet taken, rows waiting in the thread, rows it dropped and rows it committed (as last reported). */
  readonly backlog: { inFlight: number; queued: number; dropped: number; written: number };
  /** Writes what is left and stops the thread; resolves with the entries that could not be written (-1: the thread died). */
  close(): Promise<{ lost: number; dropped: number }>;
}

export class WriterBehind extends Error {
  constructor(inFlight: number) {
    super(`the writer thread has not taken the last ${inFlight} rows yet`);
  }
}

/** A writer thread for rows of the given statements (a row: the statement's index, then its values). */
export function threadedRowWriter(
  file: string,
  statements: string[],
  options: ThreadedWriterOptions = {},
): ThreadedWriter<Row> {
  const settings: WriterSettings = {
    file,
    statements,
    retention: options.retention ?? null,
    maxQueued: options.maxQueued ?? 20_000,
    chunk: options.chunk ?? 1000,
    pruneEveryMs: options.pruneEveryMs ?? 60_000,
    pruneEveryRows: options.pruneEveryRows ?? 10_000,
    pragmas: options.pragmas ?? [],
    closeWaitMs: options.closeWaitMs ?? 10_000,
  };
  const maxInFlight = options.maxInFlight ?? 5000;
  const worker: Worker = startTsWorker(
    new URL('../store/row-writer-worker.ts', import.meta.url),
    settings,
    options.name,
  );
  worker.unref();
  const backlog = { inFlight: 0, queued: 0, dropped: 0, written: 0 };
  const syncs = new Map<number, (row: Row | null) => void>();
  let nextSync = 1;
  let closing: Promise<{ lost: number; dropped: number }> | undefined;
  let dead = false;
  const post = (m: ToWriter): void => worker.postMessage(m);
  const settleAll = (): void => {
    for (const resolve of syncs.values()) resolve(null);
    syncs.clear();
  };
  worker.on('message', (m: FromWriter) => {
    if (m.type === 'taken') {
      backlog.inFlight -= m.rows;
      backlog.queued = m.queued;
      // The oldest rows waiting went: settled, in order, before any row the thread writes after.
      if (m.dropped > backlog.dropped) options.onSettled?.(m.dropped - backlog.dropped);
      backlog.dropped = m.dropped;
    } else if (m.type === 'written') {
      // Rows leave the thread's queue as they are written: it reports its length only as it takes rows.
      backlog.queued = Math.max(0, backlog.queued - m.rows);
      backlog.written += m.rows;
      options.onSettled?.(m.rows);
    } else if (m.type === 'synced' || m.type === 'found') {
      syncs.get(m.id)?.(m.type === 'found' ? m.row : null);
      syncs.delete(m.id);
    } else {
      options.onEvent?.(m);
    }
  });
  worker.on('error', (e) => options.onEvent?.({ type: 'failing', message: e.message }));
  worker.on('exit', () => {
    dead = true;
    settleAll();
  });
  return {
    backlog,
    write(rows) {
      if (dead) throw new Error('the writer thread has stopped');
      if (backlog.inFlight > 0 && backlog.inFlight + rows.length > maxInFlight)
        throw new WriterBehind(backlog.inFlight);
      backlog.inFlight += rows.length;
      post({ type: 'rows', rows: rows as Row[] });
    },
    committed() {
      if (dead || closing) return Promise.resolve();
      const id = nextSync++;
      return new Promise<void>((resolve) => {
        syncs.set(id, () => resolve());
        post({ type: 'sync', id });
      });
    },
    find(statement, key) {
      if (dead || closing) return Promise.resolve(null);
      const id = nextSync++;
      return new Promise<Row | null>((resolve) => {
        syncs.set(id, resolve);
        post({ type: 'find', id, statement, key });
      });
    },
    close() {
      closing ??= new Promise((resolve) => {
        if (dead) return resolve({ lost: -1, dropped: 0 });
        worker.on('message', (m: FromWriter) => {
          if (m.type === 'closed') {
            void worker.terminate();
            resolve({ lost: m.lost, dropped: m.dropped });
          }
        });
        worker.on('exit', () => resolve({ lost: -1, dropped: 0 }));
        post({ type: 'close' });
      });
      return closing;
    },
  };
}
