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
 *
 * A new champion is built before it is served (preload): building a model is a second or so of CPU (its trees
 * compiled, its explainer's tables), which a thread that values meanwhile would make every batch wait for. So a
 * new generation of threads builds it while the old one goes on valuing; once every new thread has it, the new
 * threads take every batch of it, and the old ones finish what they hold and stop (they stay a moment for the
 * requests that took the old model just before the swap).
 */
import type { Worker } from 'node:worker_threads';
import type { Normalisation, StoneToValue } from '../diamond/index.js';
import {
  deferredValuer,
  serializeArtifact,
  type LoadedModel,
  type ModelArtifact,
  type Valuation,
  type ValuationOptions,
} from '../model/index.js';
import { valuationAnswer, type ValuationAnswer } from './answer-text.js';
import { packStones, sparseNormalised, unpackAnswers, type PackedAnswers } from './pool-messages.js';
import { defaultValuationThreads } from './settings.js';
import { startTsWorker } from './ts-worker.js';

export interface Valuations {
  /** Values one stone with `model`. */
  value(model: LoadedModel, stone: StoneToValue, options?: ValuationOptions): Promise<Valuation>;
  /** Values many stones with `model`; a stone that cannot be valued rejects the whole call. */
  valueMany(model: LoadedModel, stones: readonly StoneToValue[], options?: ValuationOptions): Promise<Valuation[]>;
  /**
   * Values one stone (its grades read as `normalised` says) and gives the answer's text (answer-text.ts), made
   * where it was valued.
   */
  valueAnswer(
    model: LoadedModel,
    stone: StoneToValue,
    normalised: readonly Normalisation[],
    options?: ValuationOptions,
  ): Promise<ValuationAnswer>;
  /** Stops the threads (after the last request was answered). */
  close(): Promise<void>;
}

/** Valuations on the calling thread. */
export const inProcessValuations: Valuations = {
  value: async (model, stone, options) => model.value(stone, options),
  valueMany: async (model, stones, options) => model.valueMany(stones, options),
  valueAnswer: async (model, stone, normalised, options) => valuationAnswer(model.value(stone, options), normalised),
  close: async () => undefined,
};

/** Messages to a valuation thread. */
export type PoolRequest =
  | { type: 'load'; version: string; text: string /** answer with a 'loaded' reply */; ack?: boolean }
  | {
      type: 'value';
      id: number;
      version: string;
      explain: boolean;
      /** Packed (pool-messages.ts), or as objects when a stone does not fit the packed form. */
      stones: Float64Array | StoneToValue[];
      /**
       * Present: answer each stone with its answer's text (answer-text.ts), its grades read as these say (only
       * the stones read in another spelling are listed, by index).
       */
      answers?: [number, Normalisation[]][];
    };

/** A thread's answer to a 'value' message (one result per stone, in order), or to a 'load' asking for one. */
export type PoolReply =
  | {
      type: 'valued';
      id: number;
      results: ({ ok: true; valuation: Valuation } | { ok: false; message: string })[];
    }
  /** The answer to a 'value' message asking for answers' texts, packed. */
  | { type: 'answered'; id: number; answers: PackedAnswers }
  | { type: 'loaded'; version: string; summary?: ModelArtifact; error?: string };

interface Waiting {
  model: LoadedModel;
  stones: readonly StoneToValue[];
  explain: boolean;
  /** Answers asked for (valueAnswer): the stones' normalisations; null: valuations. */
  normalised: (readonly Normalisation[])[] | null;
  resolve(valuations: (Valuation | ValuationAnswer)[]): void;
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
  /** A newer generation holds the champion: it takes batches only of the versions it holds. */
  retiring: boolean;
  /** It takes no more batches and stops once it has answered those it holds. */
  stopping: boolean;
  /** Preloads waiting for this thread's 'loaded' reply, by version: it brings the artifact's summary. */
  loading: Map<string, { resolve(summary: ModelArtifact): void; reject(error: Error): void }>;
}

/** How long a retired generation of threads stays for requests that took the old model just before a swap. */
export const RETIRE_AFTER_MS = 2000;

export interface ValuationPoolOptions {
  /** Number of threads (default: the machine's cores less one for HTTP, at least 1). */
  threads?: number;
  onError?(error: Error): void;
}

export class ValuationPool implements Valuations {
  #threads: Thread[];
  /** Every thread not yet exited (a generation being built is not in #threads yet). */
  readonly #started = new Set<Thread>();
  readonly #count: number;
  /** The artifacts of the last two preloaded versions, for a thread that must load one later. */
  readonly #texts = new Map<string, string>();
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
    this.#count = count;
    this.#threads = Array.from({ length: count }, () => this.#start());
  }

  #start(): Thread {
    const worker = startTsWorker(new URL('./valuation-worker.ts', import.meta.url));
    const thread: Thread = {
      worker,
      versions: [],
      inFlight: new Map(),
      load: 0,
      dead: false,
      retiring: false,
      stopping: false,
      loading: new Map(),
    };
    this.#started.add(thread);
    worker.on('message', (reply: PoolReply) =>
      reply.type === 'loaded' ? this.#loaded(thread, reply) : this.#answered(thread, reply),
    );
    worker.on('error', (error) => this.#failed(thread, error));
    worker.on('exit', (code) => {
      this.#started.delete(thread);
      if (!this.#closed && !thread.stopping)
        this.#failed(thread, new Error(`a valuation thread stopped (exit code ${code})`));
    });
    return thread;
  }

  /**
   * Builds a model (`text`, its artifact) on a new generation of threads while the current threads go on
   * valuing; resolves, once every new thread holds it, with the model for the calling thread: the artifact's
   * summary, its payload parsed here only if it ever values here (deferredValuer). From then on the new threads
   * take its batches. Rejects, and stops the new threads, when the model cannot be built there: the threads
   * serving now stay. Threads that have valued nothing yet (a server starting) build it themselves: no batch
   * waits behind them.
   */
  async preload(version: string, text: string): Promise<LoadedModel> {
    if (this.#closed) throw new Error('the valuation pool is closed');
    const live = this.#threads.filter((t) => !t.dead && !t.stopping);
    const unused = live.length > 0 && live.every((t) => t.versions.length === 0 && t.inFlight.size === 0);
    const building = unused ? live : Array.from({ length: this.#count }, () => this.#start());
    const built = building.map(
      (thread) =>
        new Promise<ModelArtifact>((resolve, reject) => {
          thread.loading.set(version, { resolve, reject });
          thread.worker.postMessage({ type: 'load', version, text, ack: true } satisfies PoolRequest);
        }),
    );
    let summaries: ModelArtifact[];
    try {
      summaries = await Promise.all(built);
    } catch (error) {
      if (!unused) for (const thread of building) this.#retire(thread);
      throw error;
    }
    for (const thread of building) {
      if (!thread.versions.includes(version)) thread.versions.push(version);
      if (thread.versions.length > 2) thread.versions.shift();
    }
    this.#texts.set(version, text);
    for (const known of this.#texts.keys()) if (this.#texts.size > 2) this.#texts.delete(known);
    const model = deferredValuer(summaries[0], text, version);
    if (unused || this.#closed) return model;
    const old = this.#threads.filter((t) => !t.dead);
    for (const thread of old) thread.retiring = true;
    this.#threads = [...building, ...old];
    setTimeout(() => {
      for (const thread of old) this.#retire(thread);
    }, RETIRE_AFTER_MS).unref();
    return model;
  }

  /** Stops a thread once it has answered what it holds; it takes no more batches. */
  #retire(thread: Thread): void {
    thread.stopping = true;
    if (thread.dead || thread.inFlight.size > 0) return; // #answered retires it after its last answer
    thread.dead = true;
    this.#threads = this.#threads.filter((t) => t !== thread);
    void thread.worker.terminate();
  }

  #loaded(thread: Thread, reply: Extract<PoolReply, { type: 'loaded' }>): void {
    const waiting = thread.loading.get(reply.version);
    thread.loading.delete(reply.version);
    if (reply.summary) waiting?.resolve(reply.summary);
    else waiting?.reject(new Error(`model ${reply.version} could not be built on a valuation thread: ${reply.error}`));
  }

  value(model: LoadedModel, stone: StoneToValue, options: ValuationOptions = {}): Promise<Valuation> {
    return this.valueMany(model, [stone], options).then((v) => v[0]);
  }

  valueMany(model: LoadedModel, stones: readonly StoneToValue[], options: ValuationOptions = {}): Promise<Valuation[]> {
    return this.#ask(model, stones, null, options) as Promise<Valuation[]>;
  }

  valueAnswer(
    model: LoadedModel,
    stone: StoneToValue,
    normalised: readonly Normalisation[],
    options: ValuationOptions = {},
  ): Promise<ValuationAnswer> {
    return this.#ask(model, [stone], [normalised], options).then((v) => v[0] as ValuationAnswer);
  }

  #ask(
    model: LoadedModel,
    stones: readonly StoneToValue[],
    normalised: (readonly Normalisation[])[] | null,
    options: ValuationOptions,
  ): Promise<(Valuation | ValuationAnswer)[]> {
    if (this.#closed) return Promise.reject(new Error('the valuation pool is closed'));
    return new Promise((resolve, reject) => {
      this.#waiting.push({ model, stones, explain: options.explain ?? true, normalised, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // after this round of I/O: every request parsed in it joins the batch
        setImmediate(() => this.#send());
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#started].map((t) => t.worker.terminate()));
  }

  #send(): void {
    this.#scheduled = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    // one batch per model version, explain flag and kind (a batch is valued by one model, one way)
    const batches = new Map<string, Waiting[]>();
    for (const w of waiting) {
      const key = `${w.explain ? 1 : 0}${w.normalised ? 'a' : 'v'}${w.model.version}`;
      const list = batches.get(key);
      if (list) list.push(w);
      else batches.set(key, [w]);
    }
    for (const requests of batches.values()) {
      const { model, explain } = requests[0];
      const stones = requests.length === 1 ? requests[0].stones : requests.flatMap((r) => r.stones);
      const normalised = requests[0].normalised ? requests.flatMap((r) => r.normalised ?? []) : undefined;
      const live = this.#threads.filter((t) => !t.dead && !t.stopping);
      if (live.length === 0) {
        // every thread failed (reported through onError): value here rather than fail the requests
        valueHere(requests);
        continue;
      }
      // the threads that hold the version (the newest generation first), else a current one loads it
      const holding = live.filter((t) => t.versions.includes(model.version));
      const current = live.filter((t) => !t.retiring);
      const candidates = holding.length > 0 ? holding : current.length > 0 ? current : live;
      const thread = candidates.reduce((a, b) => (b.load < a.load ? b : a));
      if (!thread.versions.includes(model.version)) {
        thread.worker.postMessage({
          type: 'load',
          version: model.version,
          // a preloaded model's artifact here is its summary: the threads get the text it came from
          text: this.#texts.get(model.version) ?? serializeArtifact(model.artifact),
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
        stones: packStones(stones) ?? (stones as StoneToValue[]),
        ...(normalised ? { answers: sparseNormalised(normalised) } : {}),
      } satisfies PoolRequest);
    }
  }

  #answered(thread: Thread, reply: Extract<PoolReply, { type: 'valued' | 'answered' }>): void {
    const requests = thread.inFlight.get(reply.id);
    if (!requests) return;
    thread.inFlight.delete(reply.id);
    const all = reply.type === 'answered' ? unpackAnswers(reply.answers) : reply.results;
    let at = 0;
    for (const r of requests) {
      const results = all.slice(at, at + r.stones.length);
      at += r.stones.length;
      thread.load -= r.stones.length;
      const failed = results.find((x) => !x.ok);
      if (failed && !failed.ok) r.reject(new Error(failed.message));
      else r.resolve(results.map((x) => (x as { valuation: Valuation | ValuationAnswer }).valuation));
    }
    if (thread.stopping && thread.inFlight.size === 0) this.#retire(thread);
  }

  #failed(thread: Thread, error: Error): void {
    if (thread.dead) return;
    thread.dead = true;
    this.#onError(error);
    for (const waiting of thread.loading.values()) waiting.reject(error);
    thread.loading.clear();
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
      const valued = r.model.valueMany(r.stones, { explain: r.explain });
      const normalised = r.normalised;
      r.resolve(normalised ? valued.map((v, i) => valuationAnswer(v, normalised[i])) : valued);
    } catch (error) {
      r.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
