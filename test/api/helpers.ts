/**
 * Shared by the API tests: a temporary LOUPE_HOME with the reference data ingested and a registered, promoted
 * model, and an app built on it (fastify.inject needs no port).
 */
import { afterAll, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import {
  buildApp,
  ModelSource,
  QuoteStore,
  registryChampions,
  RequestLog,
  type ValuationPool,
  type Valuations,
} from '../../src/api/index.js';
import type { RateLimiter } from '../../src/api/rate-limit.js';
import { loupePaths, type LoupePaths } from '../../src/config/index.js';
import { exampleStone, type Appraisal, type Stone } from '../../src/diamond/index.js';
import { ingestFile } from '../../src/ingest/index.js';
import { trainModel, type ModelArtifact } from '../../src/model/index.js';
import { promoteModel, registerModel, type ModelRecord } from '../../src/registry/index.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import { promotedHome } from '../helpers/prepared-home.js';
import type { Store } from '../../src/store/store.js';
import { listAppraisals } from '../../src/store/diamonds.js';
import { requestLogWriter } from '../../src/store/requests.js';
import type { StoredValuationRow } from '../../src/store/quotes.js';

export const STONE = exampleStone() as unknown as Stone;
export const REFERENCE = loupePaths().referenceData;

/**
 * Models trained by TestHome.promote in this process, by seed and the rows they learned from (their content, not
 * their count): training is deterministic for a fixed seed, so the same rows and seed give the same artifact, and
 * the API files that promote the same small model (seed 7 or 9 on the first 2,500 or 3,000 rows) train it once.
 */
const trained = new Map<string, ModelArtifact>();

function trainedOn(rows: Appraisal[], seed: number): ModelArtifact {
  const key = `${seed}:${createHash('sha256').update(JSON.stringify(rows)).digest('hex')}`;
  let artifact = trained.get(key);
  if (!artifact) {
    artifact = trainModel(rows, { kind: 'hedonic', seed });
    trained.set(key, artifact);
  }
  return artifact;
}

export interface TestHome {
  dir: string;
  paths: LoupePaths;
  db: Db;
  /** Trains, registers and promotes a model (hedonic, fast); returns its record. */
  promote(options?: { seed?: number; rows?: number }): ModelRecord;
  cleanup(): void;
}

export async function testHome(options: { ingest?: boolean; promote?: boolean } = {}): Promise<TestHome> {
  const ingest = options.ingest ?? true;
  const promoted = ingest && (options.promote ?? true);
  // The default home (ingested, hedonic seed 42 promoted) is a copy of one built once per run.
  const dir = promoted ? await promotedHome('loupe-api-test-') : mkdtempSync(join(tmpdir(), 'loupe-api-test-'));
  const paths = loupePaths({}, { home: dir });
  const db = openDatabase(paths.database);
  if (ingest && !promoted) await ingestFile(db, REFERENCE);
  const home: TestHome = {
    dir,
    paths,
    db,
    promote({ seed = 42, rows } = {}) {
      const all = listAppraisals(db);
      const artifact = trainedOn(rows ? all.slice(0, rows) : all, seed);
      const record = registerModel(db, paths, artifact, { durationMs: 1 });
      return promoteModel(db, record.version, 'test');
    },
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (!ingest && (options.promote ?? true)) home.promote();
  return home;
}

export interface TestApp {
  app: FastifyInstance;
  quotes: QuoteStore | null;
  models: ModelSource;
  requestLog: RequestLog | null;
}

export async function testApp(
  home: TestHome,
  options: {
    open?: boolean;
    requestLog?: boolean;
    limiter?: RateLimiter;
    flushIntervalMs?: number;
    valuations?: Valuations;
    corsOrigins?: string[];
    maxCarat?: number;
    quotes?: boolean;
    /** The store the app uses (default: SQLite on the home's database); the request log is SQLite's only. */
    store?: Store;
    /** New champions are built on these valuation threads, as `loupe serve` does. */
    preloadOn?: ValuationPool;
    requestTimeoutMs?: number;
    /** The server's own log (pino); default none. */
    logger?: FastifyBaseLogger;
  } = {},
): Promise<TestApp> {
  const store = options.store ?? sqliteStore(home.db);
  const pool = options.preloadOn;
  const models = new ModelSource(registryChampions(store), {
    pollMs: 50,
    preload: pool && ((version, text) => pool.preload(version, text)),
  });
  await models.refresh();
  const requestLog =
    options.requestLog === false || options.store
      ? null
      : new RequestLog(requestLogWriter(home.db), { flushIntervalMs: options.flushIntervalMs });
  const quotes =
    options.quotes === false ? null : new QuoteStore(store, null, { flushIntervalMs: options.flushIntervalMs });
  const app = await buildApp({
    store,
    models,
    open: options.open ?? true,
    requestLog,
    rateLimiter: options.limiter,
    valuations: options.valuations,
    corsOrigins: options.corsOrigins,
    maxCarat: options.maxCarat,
    quotes,
    requestTimeoutMs: options.requestTimeoutMs,
    logger: options.logger,
  });
  await app.ready();
  return { app, models, requestLog, quotes };
}

/** Every error must be a problem with the RFC 9457 members. */
export function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
): Record<string, any> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  if (!String(res.headers['content-type']).startsWith('application/problem+json'))
    throw new Error(`not problem+json: ${res.headers['content-type']}`);
  const body = JSON.parse(res.body);
  for (const k of ['type', 'title', 'status', 'detail'])
    if (!(k in body)) throw new Error(`problem without ${k}: ${res.body}`);
  if (body.status !== status) throw new Error(`problem status ${body.status} != ${status}`);
  return body;
}

/** For a whole test file: a home with a promoted model and an open app on it, built before and closed after its tests. */
export function useTestApp(): { home: TestHome; t: TestApp } {
  const ctx = {} as { home: TestHome; t: TestApp };
  beforeAll(async () => {
    ctx.home = await testHome();
    ctx.t = await testApp(ctx.home);
  });
  afterAll(async () => {
    await ctx.t?.app.close();
    ctx.home?.cleanup();
  });
  return ctx;
}

/** Waits (polling every 20 ms) until `check` holds; fails naming `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The i-th of a run of stored valuations a test writes: an id made from i (22 characters, as real ids have). */
export function numberedValuation(i: number, answer = '{}'): StoredValuationRow {
  return { id: valuationIdOf(i), at: Date.now(), keyId: null, modelVersion: 'v', stone: '{}', ref: null, answer };
}

export const valuationIdOf = (i: number): string => `val_${String(i).padStart(22, '0')}`;

/**
 * A writer that refuses its first `refusals` offers, as a writer thread still taking earlier rows does
 * (WriterBehind), and keeps what it takes after: for the stores' last hand-over on close.
 */
export function behindWriter<T>(refusals: number): { taken: T[]; write(rows: readonly T[]): void } {
  const taken: T[] = [];
  let refused = 0;
  return {
    taken,
    write(rows) {
      if (refused < refusals) {
        refused++;
        throw new Error('the writer thread has not taken the last rows yet');
      }
      taken.push(...rows);
    },
  };
}
