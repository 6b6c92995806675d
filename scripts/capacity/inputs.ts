/**
 * What `npm run capacity` reads: the benchmark results it sizes and prices from, with their shapes and checks.
 * Capacity numbers come only from these measurements; a missing or malformed result stops with a message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the API benchmark writes (bench/results/api.json). Extra fields are ignored. */
export interface ApiBench {
  requestsPerSecond: number;
  p99Ms: number;
  /**
   * Cores of the benchmark machine. The load generator shares them, so rps/cores understates a vCPU. Absent only
   * from result files written before bench/api.ts recorded it; then `serverCpuMicrosPerRequest` is required.
   */
  cores?: number;
  connections: number;
  durationSeconds: number;
  explain: boolean;
  date: string;
  /** Optional: cores the server alone used (e.g. 1 for one Node process); preferred over `cores`. */
  serverCores?: number;
  /** Optional: mean response body size in bytes; used for data-transfer cost. */
  bytesPerResponse?: number;
  /**
   * Optional: the server process's CPU time per request (user + system), in µs. Preferred basis: it does not
   * depend on what else the benchmark machine was doing, which on a shared machine it always is.
   */
  serverCpuMicrosPerRequest?: number;
  /** Optional: the server was pinned to one core (then requestsPerSecond is one core's worth). */
  pinned?: boolean;
  /** The result file it was read from, relative to the repository, and the store the server ran on. */
  source?: string;
  store?: string;
  /** Optional context shown in the document. */
  modelKind?: string;
  modelVersion?: string;
  loadAverageAtStart?: number;
}

/** What a training benchmark writes (bench/results/training.json): one fit of the production model kind. */
export interface TrainingBench {
  rows: number;
  /** Wall-clock seconds of one fit on one core (median of runs). */
  fitSeconds: number;
  trees?: number;
  date?: string;
}

/**
 * What a pipeline benchmark writes (bench/results/pipeline.json): whole `loupe pipeline run`s, timed. The
 * cost of one training run is priced from the largest measured run when this file exists.
 */
export interface PipelineBench {
  runs: Array<{ rows: number; seconds: number; batch?: string }>;
  date?: string;
}

export function readApiBench(path: string): ApiBench {
  if (!existsSync(path)) {
    throw new Error(
      `${path} does not exist yet. Run the API benchmark first (it writes {requestsPerSecond, p99Ms, cores, ` +
        `connections, durationSeconds, explain, date}); capacity numbers come only from that measurement.`,
    );
  }
  const b = JSON.parse(readFileSync(path, 'utf8')) as ApiBench;
  for (const k of ['requestsPerSecond', 'p99Ms', 'cores', 'connections', 'durationSeconds'] as const) {
    if (typeof b[k] !== 'number' || !Number.isFinite(b[k])) throw new Error(`${path}: "${k}" must be a number`);
  }
  if (b.explain !== true)
    throw new Error(`${path}: the benchmark must be run with explanations on ("explain": true), as partners call it`);
  return { source: 'bench/results/api.json', store: 'SQLite', ...b };
}

/**
 * The PostgreSQL side of `npm run bench:api -- --backends` (bench/results/api-backends.json): the request log and
 * stored valuations on, as the cloud design runs once the tasks use the shared database. Undefined when absent.
 * Files written before the benchmark recorded `cores` and `explain` sent the same explained valuations in every
 * mode (bench/api.ts), so a missing `explain` is read as true; `cores` stays unknown.
 */
export function readBackendsBench(path: string): ApiBench | undefined {
  if (!existsSync(path)) return undefined;
  const file = JSON.parse(readFileSync(path, 'utf8'));
  const pg = file.postgres;
  if (!pg || !(pg.serverCpuMicrosPerRequest > 0) || !(pg.requestsPerSecond > 0)) {
    throw new Error(`${path}: needs "postgres": {requestsPerSecond > 0, serverCpuMicrosPerRequest > 0, …}`);
  }
  for (const k of ['connections', 'durationSeconds'] as const) {
    if (typeof file[k] !== 'number') throw new Error(`${path}: "${k}" must be a number`);
  }
  if (file.explain === false) throw new Error(`${path}: the benchmark must be run with explanations on`);
  if (typeof file.date !== 'string') throw new Error(`${path}: "date" must be the time of the run`);
  return {
    source: 'bench/results/api-backends.json (PostgreSQL side)',
    store: 'PostgreSQL 15, request log and stored valuations on',
    requestsPerSecond: pg.requestsPerSecond,
    p99Ms: pg.p99Ms,
    serverCpuMicrosPerRequest: pg.serverCpuMicrosPerRequest,
    ...(typeof file.cores === 'number' ? { cores: file.cores } : {}),
    connections: file.connections,
    durationSeconds: file.durationSeconds,
    explain: true,
    date: file.date,
    modelKind: file.modelKind,
    modelVersion: file.modelVersion,
    loadAverageAtStart: file.loadAverageAtStart,
  };
}

/**
 * The serving measurement capacity.md sizes from: the newer of the default benchmark (api.json) and the PostgreSQL
 * side of the store comparison (api-backends.json), so a change that makes a request cost more reaches the fleet
 * size with the next benchmark of either kind.
 */
export function readServingBench(resultsDir: string): ApiBench {
  const api = readApiBench(join(resultsDir, 'api.json'));
  const backends = readBackendsBench(join(resultsDir, 'api-backends.json'));
  return backends && Date.parse(backends.date) > Date.parse(api.date) ? backends : api;
}

export function readTrainingBench(path: string): TrainingBench | undefined {
  if (!existsSync(path)) return undefined;
  const b = JSON.parse(readFileSync(path, 'utf8')) as TrainingBench;
  if (!(b.rows > 0) || !(b.fitSeconds > 0)) throw new Error(`${path}: needs "rows" > 0 and "fitSeconds" > 0`);
  return b;
}

export function readPipelineBench(path: string): PipelineBench | undefined {
  if (!existsSync(path)) return undefined;
  const b = JSON.parse(readFileSync(path, 'utf8')) as PipelineBench;
  if (!Array.isArray(b.runs) || b.runs.length === 0 || !b.runs.every((r) => r.rows > 0 && r.seconds > 0)) {
    throw new Error(`${path}: needs "runs": [{"rows" > 0, "seconds" > 0}, …]`);
  }
  return b;
}
