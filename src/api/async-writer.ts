/**
 * Writing rows through an async store function in batches, off the request's path: what `loupe serve` uses on
 * PostgreSQL, where the driver is asynchronous and needs no thread of its own (on SQLite, writer threads do this).
 * Rows wait in memory and go in batches of up to `chunk`, one at a time, in the order given. A batch the database
 * refuses (PostgreSQL restarting, the network) stays first in line and is tried again after a pause that grows
 * from 250 ms to 4 s, so the writer reconnects by itself; while it fails, at most `maxQueued` rows wait and the
 * oldest beyond are dropped and counted (none are dropped when `maxQueued` is Infinity: stored valuations, which
 * the server keeps answering from memory meanwhile).
 */

export type WriterEvent =
  | { type: 'failing'; message: string }
  | { type: 'recovered'; dropped: number; failedMs: number };

export interface AsyncWriterOptions {
  /** Most rows waiting while writes fail (default 20,000); the oldest beyond are dropped. */
  maxQueued?: number;
  /** Most rows per write (default 1,000). */
  chunk?: number;
  onEvent?(event: WriterEvent): void;
  /** The next `count` rows given (in order) are committed. */
  onWritten?(count: number): void;
  /** How long close() keeps trying to write what is left, in ms (default 10 s). */
  closeTimeoutMs?: number;
}

export interface AsyncWriter<T> {
  write(rows: readonly T[]): void;
  /** Resolves once the rows given before it are committed, or at once while writes fail. */
  committed(): Promise<void>;
  readonly backlog: { queued: number; dropped: number };
  /** Writes what is left (trying for closeTimeoutMs) and stops; resolves with the rows not written. */
  close(): Promise<{ lost: number; dropped: number }>;
}

const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 4000;

export function asyncBatchWriter<T>(
  write: (rows: readonly T[]) => Promise<void>,
  options: AsyncWriterOptions = {},
): AsyncWriter<T> {
  const maxQueued = options.maxQueued ?? 20_000;
  const chunk = options.chunk ?? 1000;
  let queue: T[] = [];
  let given = 0; // rows given since start
  let done = 0; // rows written or dropped since start
  let dropped = 0;
  let droppedSinceFailing = 0;
  let failingSince: number | null = null;
  let pause = FIRST_PAUSE_MS;
  let running: Promise<void> | null = null;
  let closing = false;
  let waiters: { upTo: number; resolve: () => void }[] = [];
  let wake: (() => void) | null = null;

  const settle = () => {
    waiters = waiters.filter((w) => {
      if (done < w.upTo && failingSince === null) return true;
      w.resolve();
      return false;
    });
  };

  /** Drops the oldest waiting rows beyond the bound. */
  const trim = () => {
    const over = queue.length - maxQueued;
    if (over <= 0) return;
    queue = queue.slice(over);
    done += over;
    dropped += over;
    droppedSinceFailing += over;
  };

  async function pump(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, chunk);
      try {
        await write(batch);
      } catch (error) {
        queue = batch.concat(queue); // first in line again
        trim();
        if (failingSince === null) {
          failingSince = Date.now();
          droppedSinceFailing = 0;
          options.onEvent?.({ type: 'failing', message: (error as Error).message });
        }
        settle();
        if (closing) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pause);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
        continue;
      }
      done += batch.length;
      options.onWritten?.(batch.length);
      pause = FIRST_PAUSE_MS;
      if (failingSince !== null) {
        options.onEvent?.({ type: 'recovered', dropped: droppedSinceFailing, failedMs: Date.now() - failingSince });
        failingSince = null;
      }
      settle();
    }
  }

  const start = () => {
    running ??= pump().finally(() => {
      running = null;
      if (queue.length > 0 && !closing) start();
    });
  };

  return {
    write(rows) {
      if (rows.length === 0) return;
      for (const row of rows) queue.push(row);
      given += rows.length;
      trim(); // only while writes fail does the queue grow this long
      start();
    },
    committed() {
      if (done >= given || failingSince !== null) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ upTo: given, resolve }));
    },
    get backlog() {
      return { queued: queue.length, dropped };
    },
    async close() {
      const deadline = Date.now() + (options.closeTimeoutMs ?? 10_000);
      while (queue.length > 0 && Date.now() < deadline) {
        wake?.();
        start();
        await running;
        if (queue.length > 0) await new Promise((r) => setTimeout(r, 100));
      }
      closing = true;
      wake?.();
      await running;
      for (const w of waiters) w.resolve();
      return { lost: queue.length, dropped };
    },
  };
}
