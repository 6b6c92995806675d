/**
 * The request log's writer: entries wait in memory and are written in one transaction every flush interval (or
 * sooner when many are waiting), so a request never waits for the disk. close() writes whatever is left; the
 * server calls it after the last request in flight has been answered.
 */
import type { RequestLogEntry } from '../store/requests.js';

export interface RequestLogOptions {
  /** Write at least this often, in ms (default 250). */
  flushIntervalMs?: number;
  /** Write as soon as this many entries wait (default 1000). */
  maxBatch?: number;
  /** Most entries kept while the database refuses writes; beyond it the oldest are dropped and counted. */
  maxPending?: number;
  onError?(error: unknown): void;
  /** Called by close() after the last flush (e.g. to wait for a writer thread to finish). */
  onClose?(): Promise<unknown> | undefined;
}

export class RequestLog {
  #queue: RequestLogEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #scheduled = false;
  #written = 0;
  #dropped = 0;
  readonly #maxBatch: number;
  readonly #maxPending: number;

  constructor(private readonly write: (entries: readonly RequestLogEntry[]) => void, private readonly options: RequestLogOptions = {}) {
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#maxPending = options.maxPending ?? 100_000;
    this.#timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 250);
    this.#timer.unref();
  }

  push(entry: RequestLogEntry): void {
    this.#queue.push(entry);
    if (this.#queue.length >= this.#maxBatch && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes every waiting entry in one transaction; on failure they wait for the next flush. */
  flush(): void {
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    try {
      this.write(batch);
      this.#written += batch.length;
    } catch (error) {
      this.#queue = batch.concat(this.#queue);
      const excess = this.#queue.length - this.#maxPending;
      if (excess > 0) {
        this.#queue.splice(0, excess);
        this.#dropped += excess;
      }
      this.options.onError?.(error);
    }
  }

  get pending(): number {
    return this.#queue.length;
  }

  get stats(): { written: number; pending: number; dropped: number } {
    return { written: this.#written, pending: this.#queue.length, dropped: this.#dropped };
  }

  /** Stops the timer and writes what is left (the last flush happens before close() first yields). */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.flush();
    await this.options.onClose?.();
  }
}
