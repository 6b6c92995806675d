/**
 * Training a model kind through a command outside Loupe (the `xgboost` kind): the pipeline writes the snapshot's
 * training table (features computed by the model layer, Loupe's folds), runs the trainer, reads back its model and
 * out-of-fold predictions, and the model layer turns them into an artifact with calibrated ranges. The command is
 * configurable (LOUPE_XGBOOST_TRAINER), so an operator can point it at a cluster job that keeps the same contract
 * of files (scripts/train-xgboost.py says what it is).
 *
 * A trainer that fails, hangs or writes something malformed fails that kind's training with a TrainerError that
 * carries the end of its stderr; the run records it, the other kinds go on, and the champion keeps serving.
 * Bounds: the trainer is stopped (its whole process group) after `timeoutMs`; at most the last 16 KB of its stderr
 * is kept; its files are read only up to a size limit; the working folder is removed whatever happens.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Appraisal } from '../diamond/index.js';
import {
  artifactFromExternalTraining,
  MAX_MODEL_FILE_BYTES,
  trainingTableLines,
  type ModelArtifact,
} from '../model/index.js';

/** The trainer shipped with Loupe: Debian's python3 with its python3-xgboost package. */
export const DEFAULT_XGBOOST_TRAINER: readonly string[] = [
  '/usr/bin/python3',
  fileURLToPath(new URL('../../scripts/train-xgboost.py', import.meta.url)),
];
export const DEFAULT_TRAINER_TIMEOUT_MS = 3_600_000;
const STDERR_KEPT_BYTES = 16_384;

export class TrainerError extends Error {
  constructor(
    message: string,
    /** The end of the trainer's stderr (at most 16 KB). */
    readonly stderr: string,
  ) {
    super(stderr.trim() ? `${message}; its stderr ends: ${lastLines(stderr, 5)}` : message);
    this.name = 'TrainerError';
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

export interface TrainerCommand {
  /** Program and its first arguments; Loupe appends --features, --out and --params. */
  command: readonly string[];
  timeoutMs: number;
  /** Parameters handed to the trainer as JSON (and recorded in the artifact). */
  params: Record<string, unknown>;
}

export interface ExternalTraining {
  artifact: ModelArtifact;
  ms: number;
}

async function writeTable(path: string, rows: readonly Appraisal[], folds: number, seed: number): Promise<void> {
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([err]) => Promise.reject(err));
  failed.catch(() => {});
  for (const line of trainingTableLines(rows, folds, seed)) {
    if (!out.write(line)) await Promise.race([once(out, 'drain'), failed]);
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

/** Runs the command; resolves with its stderr tail when it exits 0, rejects with a TrainerError otherwise. */
function runTrainer(argv: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    let timedOut = false;
    // Its own process group, so that a timeout stops the trainer's children too.
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEPT_BYTES);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new TrainerError(`the trainer command ${argv[0]} could not be started (${err.message})`, stderr));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        reject(new TrainerError(`the trainer did not finish within ${timeoutMs / 1000} s and was stopped`, stderr));
      else if (code !== 0)
        reject(new TrainerError(`the trainer exited with ${signal ? `signal ${signal}` : `code ${code}`}`, stderr));
      else resolve(stderr);
    });
  });
}

async function readBounded(path: string, what: string, stderr: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new TrainerError(`the trainer exited 0 but wrote no ${what}`, stderr);
  }
  // the limit of every model file Loupe reads (model/artifact.ts); the out-of-fold predictions are far smaller
  if (size > MAX_MODEL_FILE_BYTES)
    throw new TrainerError(`the trainer's ${what} is ${size} bytes, over the limit of ${MAX_MODEL_FILE_BYTES}`, stderr);
  return readFile(path, 'utf8');
}

function parseOutOfFold(text: string, stderr: string): Float64Array {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const values = new Float64Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const v = Number(lines[i]);
    if (!Number.isFinite(v) || lines[i].trim() === '')
      throw new TrainerError(`the trainer's oof.txt line ${i + 1} is not a number: "${lines[i].slice(0, 40)}"`, stderr);
    values[i] = v;
  }
  return values;
}

/** Trains one kind through the trainer command on `rows`, with Loupe's `folds` folds from `seed`. */
export async function trainWithCommand(
  rows: readonly Appraisal[],
  trainer: TrainerCommand,
  options: { seed: number; folds: number },
): Promise<ExternalTraining> {
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'loupe-trainer-'));
  try {
    const table = join(dir, 'features.csv');
    const out = join(dir, 'out');
    await writeTable(table, rows, options.folds, options.seed);
    const argv = [...trainer.command, '--features', table, '--out', out, '--params', JSON.stringify(trainer.params)];
    const stderr = await runTrainer(argv, trainer.timeoutMs);
    let document: object;
    try {
      document = JSON.parse(await readBounded(join(out, 'model.json'), 'model.json', stderr)) as object;
    } catch (err) {
      if (err instanceof TrainerError) throw err;
      throw new TrainerError(`the trainer's model.json is not valid JSON (${(err as Error).message})`, stderr);
    }
    const outOfFold = parseOutOfFold(await readBounded(join(out, 'oof.txt'), 'oof.txt', stderr), stderr);
    try {
      const artifact = artifactFromExternalTraining(document, rows, outOfFold, { ...options, params: trainer.params });
      return { artifact, ms: performance.now() - t0 };
    } catch (err) {
      throw new TrainerError(`the trainer's output cannot be served: ${(err as Error).message}`, stderr);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
