/**
 * Runs engine fits on a small pool of worker threads (training is CPU-bound and the engine single-threaded).
 * Each fit is a pure function of its data and options and comes back through a structured clone, which keeps
 * every number bit for bit, so the models are exactly those of an in-process run in any order or thread count.
 *
 * Threads: LOUPE_TRAIN_THREADS, else min(available cores, 2), this one included; 1 means in-process. Fits side by
 * side share them out for the engine's own histogram threads (engine option `threads`; a lone fit gets them all),
 * so the two kinds of parallelism together never ask for more threads than that. The pool
 * starts on first use, is reused, and holds the process open only while fits are running. Where threads cannot start (a runtime
 * without worker_threads or the TypeScript loader, e.g. Deno notebooks) the fits run in-process, without error.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker as WorkerThread } from 'node:worker_threads';
import { fit, type BoostedModel } from '../engine/index.js';
import type { FitReply, FitRequest } from './fit-worker.js';
import type { EngineFitJob } from './kinds/fit-plan.js';

const DEFAULT_MAX_THREADS = 2;

/** Threads training may use (1 = in-process), from LOUPE_TRAIN_THREADS or the machine. */
export function trainThreads(env: NodeJS.ProcessEnv = process.env): number {
  const set = env.LOUPE_TRAIN_THREADS;
  if (set !== undefined && set.trim() !== '') {
    const n = Number(set);
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`LOUPE_TRAIN_THREADS must be a whole number ≥ 1, got "${set}"`);
    return n;
  }
  return Math.max(1, Math.min(availableParallelism(), DEFAULT_MAX_THREADS));
}

/** Engine threads for each of `concurrent` fits running side by side on `threads` threads in all: at least 1. */
export function engineThreadsPerFit(threads: number, concurrent: number): number {
  return Math.max(1, Math.floor(threads / Math.max(1, concurrent)));
}

/** Fits run so far, by where they ran (for tests and diagnostics). */
const counts: { inThreads: number; inProcess: number; threadFailure?: string } = { inThreads: 0, inProcess: 0 };

/** How many fits ran in threads and in-process, and why threads were given up, if they were. */
export function fitCounts(): { inThreads: number; inProcess: number; threadFailure?: string } {
  return { ...counts };
}

function fitHere(job: EngineFitJob): BoostedModel {
  counts.inProcess++;
  return fit(job.X, job.y, job.options).model;
}

interface Pending {
  id: number;
  job: EngineFitJob;
  resolve(model: BoostedModel): void;
  reject(error: unknown): void;
}

/** A worker thread and the fits sent to it, in the order it runs them. */
interface Slot {
  worker: WorkerThread;
  inFlight: Pending[];
}

/**
 * Fits sent ahead to each thread: it starts the next as soon as one ends, even while this thread is busy with a
 * fit of its own and cannot hand out work.
 */
const DEPTH = 2;

/** URL of tsx's ESM register API, from its package's exports (the CommonJS build's register does not load under every parent). */
function tsxEsmApi(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api'].import.default)).href;
}

/**
 * The worker's entry is TypeScript: a small bootstrap registers tsx's loader in the thread (the parent may run
 * under tsx's CLI, vitest or bin/loupe.js's in-process registration, none of which reach a new thread alike).
 */
function bootstrapSource(): { source: string; workerData: { tsx: string | null; entry: string } } {
  const here = fileURLToPath(import.meta.url);
  const entry = new URL(`./fit-worker${extname(here)}`, import.meta.url).href;
  const tsx = extname(here) === '.ts' ? tsxEsmApi() : null;
  const source = `
    const { workerData } = require('node:worker_threads');
    (workerData.tsx ? import(workerData.tsx).then((api) => api.register()) : Promise.resolve())
      .then(() => import(workerData.entry))
      .catch((e) => { setImmediate(() => { throw e; }); });
  `;
  return { source, workerData: { tsx, entry } };
}

class FitPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  /** Set when a thread failed to start or died: every fit from then on runs in-process. */
  private broken = false;

  private constructor(
    private readonly WorkerClass: typeof WorkerThread,
    private readonly size: number,
  ) {}

  static async create(size: number): Promise<FitPool | undefined> {
    if ('Deno' in globalThis) return undefined;
    try {
      const { Worker } = await import('node:worker_threads');
      return new FitPool(Worker, size);
    } catch {
      return undefined;
    }
  }

  run(job: EngineFitJob): Promise<BoostedModel> {
    if (this.broken) return Promise.resolve().then(() => fitHere(job));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot =
        this.slots.find((s) => s.inFlight.length === 0) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      slot ??= this.slots.find((s) => s.inFlight.length < DEPTH);
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.inFlight.push(pending);
      slot.worker.ref();
      // Copied, not transferred: the caller keeps using its feature columns and targets.
      slot.worker.postMessage({ id: pending.id, job: pending.job } satisfies FitRequest);
    }
  }

  private spawn(): Slot | undefined {
    const { source, workerData } = bootstrapSource();
    const worker = new this.WorkerClass(source, { eval: true, workerData });
    const slot: Slot = { worker, inFlight: [] };
    worker.unref();
    worker.on('message', (reply: FitReply) => {
      const at = slot.inFlight.findIndex((p) => p.id === reply.id);
      if (at < 0) return;
      const [pending] = slot.inFlight.splice(at, 1);
      if (slot.inFlight.length === 0) worker.unref();
      // A fit that failed in a thread is run again here so its error is the same object an in-process fit throws.
      if ('error' in reply) {
        try {
          pending.resolve(fitHere(pending.job));
        } catch (e) {
          pending.reject(e);
        }
      } else {
        counts.inThreads++;
        pending.resolve(reply.model);
      }
      this.dispatch();
    });
    worker.on('error', (e: unknown) => this.fail(slot, e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
    worker.on('exit', (code: number) => this.fail(slot, `a training thread exited (code ${code})`));
    this.slots.push(slot);
    return slot;
  }

  /** A thread could not start or died: its fit and everything queued run in-process, as do all later fits. */
  private fail(slot: Slot, why: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    counts.threadFailure ??= why;
    this.slots.splice(index, 1);
    this.broken = true;
    void slot.worker.terminate();
    const orphans = [...slot.inFlight.splice(0), ...this.queue.splice(0)];
    for (const p of orphans) {
      try {
        p.resolve(fitHere(p.job));
      } catch (e) {
        p.reject(e);
      }
    }
  }
}

let pool: Promise<FitPool | undefined> | undefined;
let poolSize = 0;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The models of the given engine fits, in job order, identical to running them in-process one after another.
 * `threads` (default trainThreads()) counts this thread, which fits too: threads − 1 workers take jobs from the
 * same list (fits run measurably slower in a worker than here, and one fewer thread competes for the cores).
 */
export async function fitAll(given: readonly EngineFitJob[], threads = trainThreads()): Promise<BoostedModel[]> {
  // The threads are shared out: fits side by side each get their part for the engine's histogram threads (a
  // lone fit gets them all), so the two kinds of parallelism together never ask for more threads than allowed.
  const perFit = engineThreadsPerFit(threads, Math.min(threads, given.length));
  const jobs = given.map((job) =>
    job.options.threads === undefined ? { ...job, options: { ...job.options, threads: perFit } } : job,
  );
  if (threads <= 1 || jobs.length <= 1) return jobs.map(fitHere);
  const workers = threads - 1;
  if (!pool || poolSize !== workers) {
    pool = FitPool.create(workers);
    poolSize = workers;
  }
  const p = await pool;
  if (!p) return jobs.map(fitHere);
  const models: BoostedModel[] = new Array<BoostedModel>(jobs.length);
  let next = 0;
  const take = (): number => (next < jobs.length ? next++ : -1);
  const feeder = async (): Promise<void> => {
    for (let i = take(); i >= 0; i = take()) models[i] = await p.run(jobs[i]);
  };
  const fromWorkers = Promise.all(Array.from({ length: workers * DEPTH }, feeder));
  try {
    for (let i = take(); i >= 0; i = take()) {
      models[i] = fitHere(jobs[i]);
      await nextTurn(); // let finished workers' replies in, and send them their next jobs
    }
  } catch (e) {
    await fromWorkers.catch(() => undefined);
    throw e;
  }
  await fromWorkers;
  return models;
}
