/**
 * The request log's writer: entries wait in memory and are written in one transaction every flush interval (or
 * sooner when many are waiting), so a request never waits for the disk. While writes fail, at most maxPending
 * entries wait (the oldest beyond are dropped and counted); the first failure and the recovery, with the number
 * lost, are reported once each, not on every retry. close() writes whatever is left; the server calls it after
 * the last request in flight has been answered.
 */
import type { RequestLogEntry } from '../store/requests.js';
import { DEFAULT_CLOSE_HANDOVER_MS, offerUntilTaken } from './hand-over.js';

export interface RequestLogOptions {
  /** Write at least this often, in ms (default 250). */
  flushIntervalMs?: number;
  /** Write as soon as this many entries wait (default 1000). */
  maxBatch?: number;
  /** Most entries kept while the database refuses writes (default 20,000); beyond it the oldest are dropped and counted. */
  maxPending?: number;
  /** The first failed write of a series. */
  onError?(error: unknown): void;
  /** The first successful write after failures, with the entries dropped meanwhile. */
  onRecovered?(dropped: number): void;
  /** Resolves once what was written is committed (a writer on another thread commits later). */
  committed?(): Promise<void>;
  /** How long settle() waits for that commit at most, in ms (default 1,000). */
  settleTimeoutMs?: number;
  /** On close, how long entries a writer refuses (it is behind) keep being offered, in ms (default 5,000). */
  closeHandoverMs?: number;
  /**
   * Called by close() after the last flush (e.g. to wait for a writer thread to finish), with the entries never
   * handed to the writer: they are not written.
   */
  onClose?(notHandedOver: number): Promise<unknown> | undefined;
  /**
   * The writer's own counts, when it keeps entries past write() (a writer thread, an async batch writer): what it
   * holds is still waiting, what it drops is lost and only what it commits is written. Without them an entry handed
   * over would count as written, and a full disk would show nothing waiting and nothing dropped.
   */
  writer?: { readonly backlog: { inFlight?: number; queued: number; dropped: number; written: number } };
}

export class RequestLog {
  #queue: RequestLogEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #scheduled = false;
  #written = 0;
  #dropped = 0;
  #failing = false;
  #droppedWhileFailing = 0;
  readonly #maxBatch: number;
  readonly #maxPending: number;

  constructor(
    private readonly write: (entries: readonly RequestLogEntry[]) => void,
    private readonly options: RequestLogOptions = {},
  ) {
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#maxPending = options.maxPending ?? 20_000;
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

  /** Writes the waiting entries, at most maxBatch per write; what a failed write held waits for the next flush. */
  flush(): void {
    while (this.#queue.length > 0) {
      const batch = this.#queue.length > this.#maxBatch ? this.#queue.slice(0, this.#maxBatch) : this.#queue;
      try {
        this.write(batch);
      } catch (error) {
        this.#failed(error);
        return;
      }
      this.#queue = batch === this.#queue ? [] : this.#queue.slice(batch.length);
      this.#written += batch.length;
      if (this.#failing) {
        this.#failing = false;
        this.options.onRecovered?.(this.#droppedWhileFailing);
        this.#droppedWhileFailing = 0;
      }
    }
  }

  #failed(error: unknown): void {
    const excess = this.#queue.length - this.#maxPending;
    if (excess > 0) {
      this.#queue.splice(0, excess);
      this.#dropped += excess;
      this.#droppedWhileFailing += excess;
    }
    if (!this.#failing) {
      this.#failing = true;
      this.options.onError?.(error);
    }
  }

  /**
   * Flushes and waits (at most `timeoutMs`) until the entries pushed so far are committed, so that a reader sees
   * the requests answered just before; a log that cannot write does not hold the reader up longer than that.
   */
  async settle(timeoutMs = this.options.settleTimeoutMs ?? 1000): Promise<void> {
    this.flush();
    if (!this.options.committed) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.options.committed(), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Entries written (committed), waiting (here and in the writer) and dropped (here and in the writer). */
  get stats(): { written: number; pending: number; dropped: number } {
    const writer = this.options.writer?.backlog;
    if (!writer) return { written: this.#written, pending: this.#queue.length, dropped: this.#dropped };
    return {
      written: writer.written,
      pending: this.#queue.length + (writer.inFlight ?? 0) + writer.queued,
      dropped: this.#dropped + writer.dropped,
    };
  }

  /**
   * Stops the timer and writes what is left (the last flush happens before close() first yields). Entries a writer
   * refuses because it is behind are offered again until it takes them (its thread takes what is on its way within
   * milliseconds) or closeHandoverMs pass; onClose hears how many were never handed over.
   */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.flush();
    const ms = this.options.closeHandoverMs ?? DEFAULT_CLOSE_HANDOVER_MS;
    await offerUntilTaken(
      () => this.#queue.length,
      () => this.flush(),
      ms,
    );
    await this.options.onClose?.(this.#queue.length);
  }
}
