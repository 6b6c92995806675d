/**
 * What `npm run capacity` reads: the benchmark results it sizes and prices from, with their shapes and checks.
 * Capacity numbers come only from these measurements; a missing or malformed result stops with a message.
 */
import { existsSync, readFileSync } from 'node:fs';

/** What the API benchmark writes (bench/results/api.json). Extra fields are ignored. */
export interface ApiBench {
  requestsPerSecond: number;
  p99Ms: number;
  /** Cores of the benchmark machine. The load generator shares them, so rps/cores understates a vCPU. */
  cores: number;
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
  return b;
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
