/**
 * Where valuations are computed. In process (tests, small deployments), or on worker threads (`loupe serve`):
 * an explained valuation is a few hundred µs of CPU, and on the thread that parses requests and writes answers
 * it would hold every other request up. The pool gathers the valuations asked for while the event loop turns
 * (everything parsed in one round of I/O) into one message per thread, and the answers come back the same way,
 * so a busy server pays one message per batch, not per request; the HTTP thread meanwhile parses the next
 * requests and writes answers, and the machine's second core does model work.
 *
 * Models reach the threads as artifact text, once per version, before the first batch that needs them (a
 * thread handles its messages in order). A request keeps the model it started with: a batch names its version,
 * and a thread keeps the previous champion beside the new one.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { StoneToValue } from '../diamond/index.js';
import { serializeArtifact, type LoadedModel, type Valuation, type ValuationOptions } from '../model/index.js';
import { startTsWorker } from './ts-worker.js';

export interface Valuations {
  /** Values one stone with `model`. */
  value(model: LoadedModel, stone: StoneToValue, options?: ValuationOptions): Promise<Valuation>;
  /** Values many stones with `model`; a stone that cannot be valued rejects the whole call. */
  valueMany(model: LoadedModel, stones: readonly StoneToValue[], options?: ValuationOptions): Promise<Valuation[]>;
  /** Stops the threads (after the last request was answered). */
  close(): Promise<void>;
}

/** Valuations on the calling thread. */
export const inProcessValuations: Valuations = {
  value: async (model, stone, options) => model.value(stone, options),
  valueMany: async (model, stones, options) => model.valueMany(stones, options),
  close: async () => undefined,
};

/** Messages to a valuation thread. */
export type PoolRequest =
  | { type: 'load'; version: string; text: string }
  | { type: 'value'; id: number; version: string; explain: boolean; stones: StoneToValue[] };

/** A thread's answer to a 'value' message: one result per stone, in order. */
export interface PoolReply {
  type: 'valued';
  id: number;
  results: ({ ok: true; valuation: Valuation } | { ok: false; message: string })[];
}

interface Waiting {
  model: LoadedModel;
  stones: readonly StoneToValue[];
  explain: boolean;
  resolve(valuations: Valuation[]): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  /** Versions sent to it, oldest first. */
  versions: string[];
  /** Batches sent and not answered yet, by id: the requests of each. */
  inFlight: Map<number, Waiting[]>;
  /** Stones sent and not answered yet (to pick the least busy thread). */
  load: number;
  /** It stopped or failed: no more batches go to it. */
  dead: boolean;
}

export interface ValuationPoolOptions {
  /** Number of threads (default: the machine's cores less one for HTTP, at least 1). */
  threads?: number;
  onError?(error: Error): void;
}

/** The default number of valuation threads: one core is left for the thread that answers HTTP. */
export function defaultValuationThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class ValuationPool implements Valuations {
  readonly #threads: Thread[];
  #waiting: Waiting[] = [];
  #scheduled = false;
  #nextId = 1;
  #closed = false;
  readonly #onError: (error: Error) => void;

  constructor(options: ValuationPoolOptions = {}) {
    const count = options.threads ?? defaultValuationThreads();
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`a valuation pool needs at least one thread, not ${count}`);
    this.#onError = options.onError ?? (() => undefined);
    this.#threads = Array.from({ length: count }, () => {
      const worker = startTsWorker(new URL('./valuation-worker.ts', import.meta.url));
      const thread: Thread = { worker, versions: [], inFlight: new Map(), load: 0, dead: false };
      worker.on('message', (reply: PoolReply) => this.#answered(thread, reply));
      worker.on('error', (error) => this.#failed(thread, error));
      worker.on('exit', (code) => {
        if (!this.#closed) this.#failed(thread, new Error(`a valuation thread stopped (exit code ${code})`));
      });
      return thread;
    });
  }

  value(model: LoadedModel, stone: StoneToValue, options: ValuationOptions = {}): Promise<Valuation> {
    return this.valueMany(model, [stone], options).then((v) => v[0]);
  }

  valueMany(model: LoadedModel, stones: readonly StoneToValue[], options: ValuationOptions = {}): Promise<Valuation[]> {
    if (this.#closed) return Promise.reject(new Error('the valuation pool is closed'));
    return new Promise((resolve, reject) => {
      this.#waiting.push({ model, stones, explain: options.explain ?? true, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // after this round of I/O: every request parsed in it joins the batch
        setImmediate(() => this.#send());
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.map((t) => t.worker.terminate()));
  }

  #send(): void {
    this.#scheduled = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    // one batch per model version and explain flag (a batch is valued by one model, one way)
    const batches = new Map<string, Waiting[]>();
    for (const w of waiting) {
      const key = `${w.explain ? 1 : 0}${w.model.version}`;
      const list = batches.get(key);
      if (list) list.push(w);
      else batches.set(key, [w]);
    }
    for (const requests of batches.values()) {
      const { model, explain } = requests[0];
      const stones = requests.flatMap((r) => r.stones);
      const live = this.#threads.filter((t) => !t.dead);
      if (live.length === 0) {
        // every thread failed (reported through onError): value here rather than fail the requests
        valueHere(requests);
        continue;
      }
      const thread = live.reduce((a, b) => (b.load < a.load ? b : a));
      if (!thread.versions.includes(model.version)) {
        thread.worker.postMessage({
          type: 'load',
          version: model.version,
          text: serializeArtifact(model.artifact),
        } satisfies PoolRequest);
        thread.versions.push(model.version);
        if (thread.versions.length > 2) thread.versions.shift();
      }
      const id = this.#nextId++;
      thread.inFlight.set(id, requests);
      thread.load += stones.length;
      thread.worker.postMessage({
        type: 'value',
        id,
        version: model.version,
        explain,
        stones: stones as StoneToValue[],
      } satisfies PoolRequest);
    }
  }

  #answered(thread: Thread, reply: PoolReply): void {
    const requests = thread.inFlight.get(reply.id);
    if (!requests) return;
    thread.inFlight.delete(reply.id);
    let at = 0;
    for (const r of requests) {
      const results = reply.results.slice(at, at + r.stones.length);
      at += r.stones.length;
      thread.load -= r.stones.length;
      const failed = results.find((x) => !x.ok);
      if (failed && !failed.ok) r.reject(new Error(failed.message));
      else r.resolve(results.map((x) => (x as { valuation: Valuation }).valuation));
    }
  }

  #failed(thread: Thread, error: Error): void {
    if (thread.dead) return;
    thread.dead = true;
    this.#onError(error);
    // what the thread had not answered is valued here: a failed thread costs time, not answers
    for (const requests of thread.inFlight.values()) valueHere(requests);
    thread.inFlight.clear();
    thread.load = 0;
  }
}

/** Values waiting requests on this thread (when no valuation thread can). */
function valueHere(requests: readonly Waiting[]): void {
  for (const r of requests) {
    try {
      r.resolve(r.model.valueMany(r.stones, { explain: r.explain }));
    } catch (error) {
      r.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
