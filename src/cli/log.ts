/**
 * The log of Loupe's commands: JSON lines (pino) for machines, readable lines (pino-pretty) for people.
 * LOUPE_LOG_FORMAT picks one; unset, a terminal gets readable lines and anything else (a pipe, a file, a log
 * collector) gets JSON — what reads a pipe is usually a program. The same fields are in both; pretty lines put
 * the time first and the fields after the message.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { readEnv } from '../config/index.js';
import type { PipelineResult } from '../pipeline/index.js';
import { CliError, EXIT_USAGE } from './output.js';

export type LogFormat = 'pretty' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];

/** LOUPE_LOG_FORMAT (pretty or json), or by the stream: pretty on a terminal, JSON otherwise. */
export function logFormat(value: string | undefined, terminal: boolean): LogFormat {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return terminal ? 'pretty' : 'json';
  if ((LOG_FORMATS as readonly string[]).includes(v)) return v as LogFormat;
  throw new CliError(`LOUPE_LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}; got "${value}"`, EXIT_USAGE);
}

export interface CommandLogOptions {
  /** 1: stdout (the server), 2: stderr (commands whose stdout is their result). */
  fd: 1 | 2;
  level?: string;
  /** Fields on every JSON line (pretty lines leave them out). */
  base?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export function commandLogger(options: CommandLogOptions): Logger {
  const env = readEnv(options.env ?? process.env);
  const stream = options.fd === 1 ? process.stdout : process.stderr;
  const format = logFormat(env.LOUPE_LOG_FORMAT, stream.isTTY === true);
  const settings = { level: env.LOG_LEVEL ?? options.level ?? 'info', base: options.base ?? null };
  if (format === 'json') return pino(settings, pino.destination({ dest: options.fd, sync: true }));
  return pino(
    settings,
    pretty({
      destination: options.fd,
      sync: true,
      colorize: stream.isTTY === true && env.NO_COLOR === undefined,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,name',
      singleLine: true,
    }),
  );
}

/** 4984 → "4,984": counts in log lines read as people write them. */
export const count = (n: number): string => n.toLocaleString('en-US');

/** Milliseconds → "0.1 s", "1.8 s", "2 min 5 s". */
export function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** What a pipeline run did, as a person reads it: the appraisals ingested, each model trained and its accuracy. */
export function runLines(result: PipelineResult): string[] {
  const lines: string[] = [];
  const ingested = result.files.filter((f) => f.status === 'ingested');
  if (ingested.length > 0) {
    const accepted = ingested.reduce((sum, f) => sum + f.accepted, 0);
    const rejected = ingested.reduce((sum, f) => sum + f.rejected, 0);
    const ms = result.steps.find((s) => s.name === 'ingest')?.ms ?? 0;
    lines.push(`ingested ${count(accepted)} appraisals (${count(rejected)} rejected) in ${seconds(ms)}`);
  }
  for (const t of result.trained) {
    const e = t.evaluation.combined;
    lines.push(
      `trained ${t.version ?? t.kind} in ${seconds(t.trainMs)}: MAE $${count(Math.round(e.mae))} on ${count(e.n)} held-out rows`,
    );
  }
  return lines;
}
