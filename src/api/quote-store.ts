/**
 * Where answered valuations and idempotent answers go: into memory at once (so that a GET or a retry right after
 * the answer finds them), then to the database in batches, off the request's path — on a writer thread in
 * `loupe serve`, like the request log. An entry leaves memory once its batch is committed; a read looks in memory
 * first, then in the database. With a writer thread, memory keeps only the ids of valuations not yet committed:
 * a GET for one of those waits for the thread to commit what it holds, then reads the database. Holding every
 * answer's text until its commit (a quarter of a second at 5,000 valuations/s) made the garbage collector copy and
 * promote each one; that was a third of what storing cost the server. Retention: valuations are kept unless a
 * number of days is configured; idempotency records are kept 24 hours.
 */
import {
  idempotencyWrite,
  QUOTE_WRITES,
  valuationWrite,
  type FoundValuation,
  type IdempotencyRow,
  type QuoteWrite,
  type StoredValuationRow,
} from '../store/quotes.js';
import type { Store } from '../store/store.js';
import { asyncBatchWriter, type WriterEvent } from './async-writer.js';
import { DEFAULT_CLOSE_HANDOVER_MS, offerUntilTaken } from './hand-over.js';
import { threadedRowWriter, type FromWriter, type Row, type ThreadedWriterOptions } from './row-writer-thread.js';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Entries of each kind kept in memory while the database refuses writes; beyond it the oldest are only in the writer's queue. */
const MAX_UNCONFIRMED = 200_000;

/** Where a QuoteStore hands its rows; write() may refuse (throw) while the writer is behind: the rows wait here. */
export interface QuoteWriter {
  write(rows: readonly QuoteWrite[]): void;
  /** Writes what is left and stops; resolves with the number of rows that could not be written. */
  close(): Promise<number>;
  /**
   * A writer that holds its rows until they are committed, so that the QuoteStore need not keep them: commits
   * what it can, then gives back the valuation row with this id if it still holds it (writes failing), else null.
   */
  heldValuation?(id: string): Promise<QuoteWrite | null>;
  /** Rows the writer holds (queued, on their way to its thread), dropped and committed since start. */
  readonly backlog?: { queued: number; inFlight?: number; dropped: number; written: number };
}

export interface QuoteStoreOptions {
  /** Most rows waiting here while the writer refuses them (default 20,000); the oldest beyond are dropped and counted. */
  maxWaiting?: number;
  /** Hand waiting rows to the writer at least this often, in ms (default 50). */
  flushIntervalMs?: number;
  /** On close, how long rows a writer refuses (it is behind) keep being offered, in ms (default 5,000). */
  closeHandoverMs?: number;
  /** Delete valuations older than this many days (default: keep them). */
  retentionDays?: number | null;
  /** How often to delete what retention and the idempotency window let go, in ms (default 10 minutes). */
  purgeIntervalMs?: number;
  /** A purge the database refused (it is tried again at the next interval); default: nothing said. */
  onPurgeError?: (err: Error) => void;
  now?: () => number;
}

const idemKey = (keyId: number, route: string, key: string): string => `${keyId}\n${route}\n${key}`;

export class QuoteStore {
  #queue: QuoteWrite[] = [];
  /** In the order sent to the writer, each waiting for its commit: a valuation id or an idempotency key. */
  #unconfirmed: string[] = [];
  #head = 0;
  readonly #valuations = new Map<string, StoredValuationRow>();
  /** With a writer that holds its rows (heldValuation): the ids of valuations not yet committed. */
  readonly #pendingIds = new Set<string>();
  readonly #idempotent = new Map<string, IdempotencyRow>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #now: () => number;
  readonly #retentionDays: number | null;
  readonly #maxWaiting: number;
  readonly #closeHandoverMs: number;
  #dropped = 0;
  /** Rows committed through the store itself (without a writer). */
  #written = 0;

  /**
   * `writer`: a writer thread made by threadedQuoteWriter (its commits confirmed through confirm()); without
   * one, batches are written through the store.
   */
  constructor(
    private readonly store: Pick<Store, 'findValuation' | 'findIdempotent' | 'writeQuotes' | 'purgeQuotes'>,
    private readonly writer: QuoteWriter | null = null,
    options: QuoteStoreOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#maxWaiting = options.maxWaiting ?? 20_000;
    this.#closeHandoverMs = options.closeHandoverMs ?? DEFAULT_CLOSE_HANDOVER_MS;
    this.#retentionDays = options.retentionDays ?? null;
    const flush = setInterval(() => void this.flush(), options.flushIntervalMs ?? 50);
    // A purge the database refuses (a lock held too long, a full disk) is tried again at the next interval.
    const onPurgeError = options.onPurgeError ?? (() => {});
    const purge = setInterval(
      () => void this.purge().catch((err: Error) => onPurgeError(err)),
      options.purgeIntervalMs ?? 10 * 60 * 1000,
    );
    for (const t of [flush, purge]) t.unref();
    this.#timers.push(flush, purge);
  }

  saveValuation(row: StoredValuationRow): void {
    if (this.writer?.heldValuation) this.#pendingIds.add(row.id);
    else this.#valuations.set(row.id, row);
    this.#enqueue(row.id, valuationWrite(row));
  }

  saveIdempotent(row: IdempotencyRow): void {
    const key = idemKey(row.keyId, row.route, row.idempotencyKey);
    this.#idempotent.set(key, row);
    this.#enqueue(key, idempotencyWrite(row));
  }

  #enqueue(key: string, write: QuoteWrite): void {
    this.#queue.push(write);
    this.#unconfirmed.push(key);
    // While the database refuses writes, memory keeps the newest entries only (the writer still holds every row).
    for (const held of [this.#valuations, this.#idempotent, this.#pendingIds]) {
      if (held.size > MAX_UNCONFIRMED) held.delete(held.keys().next().value as string);
    }
  }

  /** Forgets an entry that is settled (committed, or dropped): whichever kind it is. */
  #forget(key: string): void {
    if (!this.#pendingIds.delete(key) && !this.#valuations.delete(key)) this.#idempotent.delete(key);
  }

  async valuation(id: string): Promise<FoundValuation | undefined> {
    if (this.#pendingIds.has(id)) {
      // Not committed yet: still here (the writer was behind), or held by the writer until its next commit.
      const here = this.#queue.find((w) => w[0] === 0 && w[1] === id);
      if (here) return foundFromWrite(here);
      const held = await this.writer?.heldValuation?.(id);
      return held ? foundFromWrite(held) : this.store.findValuation(id);
    }
    const waiting = this.#valuations.get(id);
    if (waiting)
      return {
        id,
        at: new Date(waiting.at).toISOString(),
        keyId: waiting.keyId,
        stone: waiting.stone,
        ref: waiting.ref,
        answer: waiting.answer,
      };
    return this.store.findValuation(id);
  }

  /** The answer stored under an idempotency key within the last 24 hours, and the fingerprint of its request. */
  async idempotent(
    keyId: number,
    route: string,
    key: string,
  ): Promise<Pick<IdempotencyRow, 'fingerprint' | 'answer'> | undefined> {
    return (
      this.idempotentWaiting(keyId, route, key) ?? (await this.store.findIdempotent(keyId, route, key, this.#since()))
    );
  }

  /**
   * The same, from memory only: what was answered and is not yet committed. A caller that looked in the database
   * looks here again after its await, since an answer may have arrived meanwhile.
   */
  idempotentWaiting(
    keyId: number,
    route: string,
    key: string,
  ): Pick<IdempotencyRow, 'fingerprint' | 'answer'> | undefined {
    const waiting = this.#idempotent.get(idemKey(keyId, route, key));
    return waiting && waiting.at >= this.#since() ? waiting : undefined;
  }

  #since(): number {
    return this.#now() - IDEMPOTENCY_WINDOW_MS;
  }

  /** The next `count` entries sent are committed: they leave memory. */
  confirm(count: number): void {
    for (let i = 0; i < count && this.#head < this.#unconfirmed.length; i++) {
      this.#forget(this.#unconfirmed[this.#head++]);
    }
    if (this.#head > 4096 && this.#head * 2 > this.#unconfirmed.length) {
      this.#unconfirmed = this.#unconfirmed.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Hands every waiting row to the writer (or writes them through the store, in one transaction). */
  flush(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    const batch = this.#queue;
    this.#queue = [];
    if (this.writer) {
      try {
        this.writer.write(batch);
      } catch {
        // The writer is behind (its thread has not taken the last rows yet): the rows wait here, within a bound.
        this.#queue = batch.concat(this.#queue);
        this.#dropOldestWaiting();
      }
      return Promise.resolve();
    }
    // Batches go one after another, so that confirm() counts them in the order sent.
    this.#writing = this.#writing.then(async () => {
      try {
        await this.store.writeQuotes(batch);
        this.#written += batch.length;
        this.confirm(batch.length);
      } catch {
        // Refused (a full disk, the database restarting): the rows go back to the front and are tried again.
        this.#queue = batch.concat(this.#queue);
      }
    });
    return this.#writing;
  }

  #writing: Promise<void> = Promise.resolve();

  /** Beyond maxWaiting rows not yet handed to the writer, the oldest go: out of memory too, and counted. */
  #dropOldestWaiting(): void {
    const excess = this.#queue.length - this.#maxWaiting;
    if (excess <= 0) return;
    // The waiting rows are the last of #unconfirmed (sent rows come first), in the same order.
    const first = this.#unconfirmed.length - this.#queue.length;
    for (const key of this.#unconfirmed.splice(first, excess)) this.#forget(key);
    this.#queue = this.#queue.slice(excess);
    this.#dropped += excess;
  }

  /** Rows waiting here for the writer, and rows dropped here while it was behind (its thread counts its own). */
  get backlog(): { waiting: number; dropped: number } {
    return { waiting: this.#queue.length, dropped: this.#dropped };
  }

  /**
   * For /metrics: rows (stored valuations and idempotency records) committed since start, waiting (here and in the
   * writer) and dropped (here and in the writer) — what a full disk or a database away holds back.
   */
  get stats(): { written: number; pending: number; dropped: number } {
    const writer = this.writer?.backlog;
    if (!writer) return { written: this.#written, pending: this.#queue.length, dropped: this.#dropped };
    return {
      written: writer.written,
      pending: this.#queue.length + (writer.inFlight ?? 0) + writer.queued,
      dropped: this.#dropped + writer.dropped,
    };
  }

  /** Deletes valuations past retention and idempotency records past 24 hours. */
  purge(): Promise<{ valuations: number; idempotency: number }> {
    const now = this.#now();
    return this.store.purgeQuotes(
      this.#retentionDays === null ? null : now - this.#retentionDays * DAY_MS,
      now - IDEMPOTENCY_WINDOW_MS,
    );
  }

  /**
   * Writes what is left and stops; resolves with the number of rows that could not be written (−1: the writer's
   * thread had died). Rows a writer refuses because it is behind are offered again until it takes them (its thread
   * takes what is on its way within milliseconds) or closeHandoverMs pass; rows never handed over count as not
   * written, so that every row is written, dropped and counted, or counted here.
   */
  async close(): Promise<number> {
    for (const t of this.#timers) clearInterval(t);
    await this.flush();
    if (this.writer)
      await offerUntilTaken(
        () => this.#queue.length,
        () => this.flush(),
        this.#closeHandoverMs,
      );
    const left = this.#queue.length;
    this.#queue = [];
    if (!this.writer) return left;
    const notWritten = await this.writer.close();
    return notWritten < 0 ? notWritten : notWritten + left;
  }
}

/** A valuation row still waiting to be handed to the writer, as a read from the database would give it. */
function foundFromWrite(w: QuoteWrite): FoundValuation {
  const [, id, at, keyId, , stone, ref, answer] = w as [
    0,
    string,
    number,
    number | null,
    string,
    string,
    string | null,
    string,
  ];
  return { id, at: new Date(at).toISOString(), keyId, stone, ref, answer };
}

/**
 * A store whose batches are written on a thread of their own, with its own connection to `file`: the request
 * log's writer (row-writer-thread.ts), with the same bounds. While writes fail (a full disk) the thread keeps at
 * most `maxQueued` rows (default 20,000), dropping the oldest and counting them, writes in chunks of `chunk` rows
 * and resumes once space returns; a dropped valuation leaves memory too (GET then answers 404).
 */
export function threadedQuoteStore(
  db: Pick<Store, 'findValuation' | 'findIdempotent' | 'writeQuotes' | 'purgeQuotes'>,
  file: string,
  options: QuoteStoreOptions &
    Pick<ThreadedWriterOptions, 'maxQueued' | 'maxInFlight' | 'chunk' | 'pragmas' | 'closeWaitMs'> & {
      onEvent?: (event: FromWriter) => void;
    } = {},
): QuoteStore {
  let store: QuoteStore | undefined;
  const writer = threadedRowWriter(file, [...QUOTE_WRITES], {
    name: 'valuation-db',
    maxQueued: options.maxQueued,
    maxInFlight: options.maxInFlight,
    chunk: options.chunk,
    pragmas: options.pragmas,
    closeWaitMs: options.closeWaitMs,
    onEvent: options.onEvent,
    onSettled: (count) => store?.confirm(count),
  });
  store = new QuoteStore(
    db,
    {
      write: (rows) => writer.write(rows as Row[]),
      heldValuation: (id) => writer.find(0, id) as Promise<QuoteWrite | null>,
      get backlog() {
        return writer.backlog;
      },
      close: async () => {
        const { lost, dropped } = await writer.close();
        return lost < 0 ? lost : lost + dropped;
      },
    },
    options,
  );
  return store;
}

/** A store whose batches are written through the store's own async writes (PostgreSQL), retried until they go. */
export function asyncQuoteStore(
  store: Pick<Store, 'findValuation' | 'findIdempotent' | 'writeQuotes' | 'purgeQuotes'>,
  options: QuoteStoreOptions & { maxQueued?: number; onEvent?: (event: WriterEvent) => void } = {},
): QuoteStore {
  let quotes: QuoteStore | undefined;
  // Bounded like the writer thread's queue (default 20,000 rows): while the database is away the oldest rows are
  // dropped and counted, and a dropped valuation leaves memory too (GET then answers 404).
  const writer = asyncBatchWriter<QuoteWrite>((rows) => store.writeQuotes(rows), {
    maxQueued: options.maxQueued ?? 20_000,
    chunk: 5000,
    onEvent: options.onEvent,
    onWritten: (count) => quotes?.confirm(count),
    onDropped: (count) => quotes?.confirm(count),
  });
  quotes = new QuoteStore(
    store,
    {
      write: (rows) => writer.write(rows),
      get backlog() {
        return writer.backlog;
      },
      close: async () => {
        const { lost, dropped } = await writer.close();
        return lost + dropped;
      },
    },
    options,
  );
  return quotes;
}
