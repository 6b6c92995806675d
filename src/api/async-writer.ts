/**
 * Writing rows through an async store function in batches, off the request's path: what `loupe serve` uses on
 * PostgreSQL, where the driver is asynchronous and needs no thread of its own (on SQLite, writer threads do this).
 * Rows wait in memory and go in batches of up to `chunk`, one at a time, in the order given. A batch the database
 * refuses (PostgreSQL restarting, the network) stays first in line and is tried again after a pause that grows
 * from 250 ms to 4 s, so the writer reconnects by itself; while it fails, at most `maxQueued` rows wait and the
 * oldest beyond are dropped and counted. Rows leave in the order given, written or dropped, and the writer says
 * which (onWritten, onDropped), so a caller that keeps them in memory until they are settled can let them go in
 * order. Rows that arrive beyond the bound while a batch is being written (a database that hangs rather than
 * refuses) drop the oldest waiting rows at once; should that batch then fail, it is the oldest of all and is
 * dropped too, so that the order holds.
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
  /** The next `count` rows given (in order) were dropped: more than maxQueued waited. */
  onDropped?(count: number): void;
  /** How long close() keeps trying to write what is left, in ms (default 10 s). */
  closeTimeoutMs?: number;
}

export interface AsyncWriter<T> {
  write(rows: readonly T[]): void;
  /** Resolves once the rows given before it are committed, or at once while writes fail. */
  committed(): Promise<void>;
  /** Rows waiting, rows dropped and rows committed since start. */
  readonly backlog: { queued: number; dropped: number; written: number };
  /** Writes what is left (trying for closeTimeoutMs) and stops; resolves with the rows not written. */
  close(): Promise<{ lost: number; dropped: number }>;
}

const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 4000;
/** While closing, the pause between tries. */
const CLOSING_PAUSE_MS = 100;

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
  let written = 0;
  let droppedSinceFailing = 0;
  let failingSince: number | null = null;
  let pause = FIRST_PAUSE_MS;
  let running: Promise<void> | null = null;
  let closing = false;
  /** Set by close(): tries end at this time, whether or not the rows went. */
  let closeBy: number | null = null;
  const pastCloseBy = () => closeBy !== null && Date.now() >= closeBy;
  let waiters: { upTo: number; resolve: () => void }[] = [];
  let wake: (() => void) | null = null;

  const settle = () => {
    waiters = waiters.filter((w) => {
      if (done < w.upTo && failingSince === null) return true;
      w.resolve();
      return false;
    });
  };

  /** Rows dropped while a batch was being written: they come right after that batch, and settle after it. */
  let droppedBehindBatch = 0;
  let writing = false;
  /** Rows of the batch being written. */
  let inFlight = 0;

  const drop = (count: number): void => {
    done += count;
    dropped += count;
    droppedSinceFailing += count;
  };

  /** Drops the oldest waiting rows beyond the bound. */
  const trim = () => {
    const over = queue.length - maxQueued;
    if (over <= 0) return;
    queue = queue.slice(over);
    drop(over);
    if (writing) droppedBehindBatch += over;
    else options.onDropped?.(over);
  };

  async function pump(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, chunk);
      writing = true;
      inFlight = batch.length;
      const startedAt = Date.now();
      let failure: unknown = null;
      try {
        await write(batch);
      } catch (error) {
        failure = error ?? new Error('the write failed');
      }
      writing = false;
      inFlight = 0;
      const behind = droppedBehindBatch;
      droppedBehindBatch = 0;
      if (failure !== null) {
        if (behind > 0) {
          // Newer rows went while it was written: the batch, older still, goes too.
          drop(batch.length);
          options.onDropped?.(batch.length + behind);
        } else queue = batch.concat(queue); // first in line again
        trim();
        if (failingSince === null) {
          failingSince = Date.now();
          droppedSinceFailing = 0;
          options.onEvent?.({ type: 'failing', message: (failure as Error).message });
        }
        settle();
        if (closing || pastCloseBy()) return;
        const wait = closeBy === null ? pause : Math.min(CLOSING_PAUSE_MS, closeBy - Date.now());
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
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
      written += batch.length;
      options.onWritten?.(batch.length);
      if (behind > 0) options.onDropped?.(behind);
      pause = FIRST_PAUSE_MS;
      // A write that hung and then went through: say what was dropped meanwhile, as after a failure.
      if (failingSince === null && behind > 0) failingSince = startedAt;
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
      if (queue.length > 0 && !closing && !pastCloseBy()) start();
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
      return { queued: queue.length, dropped, written };
    },
    async close() {
      // The writer keeps trying (every CLOSING_PAUSE_MS) until the rows are written or the time is up; neither a
      // database that refuses every try nor a write that never answers holds the close beyond it.
      closeBy = Date.now() + (options.closeTimeoutMs ?? 10_000);
      wake?.();
      if (queue.length > 0) start();
      let timer: NodeJS.Timeout | undefined;
      const timeUp = new Promise<'time up'>((resolve) => {
        timer = setTimeout(() => resolve('time up'), Math.max(0, closeBy! - Date.now()));
      });
      let hung = 0;
      while (running) {
        if ((await Promise.race([running, timeUp])) === 'time up') {
          hung = inFlight;
          break;
        }
      }
      clearTimeout(timer);
      closing = true;
      wake?.();
      for (const w of waiters) w.resolve();
      return { lost: queue.length + hung, dropped };
    },
  };
}
