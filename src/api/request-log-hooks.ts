/**
 * Hooks that log every request and its answer (errors included) with its latency, key and model version. They
 * only copy a few fields into memory (callback-style: no promise per request); the RequestLog writes them in
 * batches, off the request's path.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestLogEntry } from '../store/requests.js';
import { redactKeys } from './redact.js';
import type { RequestLog } from './request-log.js';

/** Errors are kept whole (up to 4 KiB); a success is summarised by its first characters (price, range, version). */
const ERROR_BODY = 4096;
const SUCCESS_SUMMARY = 200;
/** The URL kept for a request made with a key, and for one without (compact: no bodies either). */
const URL_KEPT = 2000;
const COMPACT_URL_KEPT = 200;

/** A logged body (unset before routing: undefined), with any key pasted into it cut to its listed prefix. */
const keyless = (body: string | null | undefined): string | null => (body == null ? null : redactKeys(body));

/**
 * The log entry of an answered request. `compactKeyless`: a request without a valid key keeps only the first
 * 200 characters of its URL and no bodies — anyone can send those, and they must not be able to fill the disk.
 */
export function logEntry(request: FastifyRequest, reply: FastifyReply, compactKeyless: boolean): RequestLogEntry {
  const compact = compactKeyless && request.keyless;
  const urlKept = compact ? COMPACT_URL_KEPT : URL_KEPT;
  const url = redactKeys(request.url);
  return {
    at: Date.now(),
    method: request.method.slice(0, 20),
    route: request.routeOptions?.url ?? url.split('?')[0].slice(0, COMPACT_URL_KEPT),
    url: url.length > urlKept ? url.slice(0, urlKept) : url,
    status: reply.statusCode,
    latencyMs: Math.round(reply.elapsedTime * 1000) / 1000,
    keyId: request.apiKey?.id ?? null,
    keyName: request.apiKey?.name ?? null,
    modelVersion: request.modelVersion ?? null,
    // A key pasted into a body (a stone's ref, a grade the answer quotes) is kept as its listed prefix only.
    requestBody: compact ? null : keyless(request.bodyText),
    responseBody: compact ? null : keyless(reply.sentBody),
    requestId: request.id,
  };
}

/** Whether a request is logged: a throttled run only at its 1st, 2nd, 4th, 8th… refusal (its length shows, its rows stay few). */
export function logged(request: FastifyRequest): boolean {
  const run = request.throttledRun;
  return (run & (run - 1)) === 0;
}

export function registerRequestLog(app: FastifyInstance, log: RequestLog, options: { compactKeyless: boolean }): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (typeof payload === 'string') {
      const keep = reply.statusCode >= 400 ? ERROR_BODY : SUCCESS_SUMMARY;
      reply.sentBody = payload.length > keep ? `${payload.slice(0, keep)}…` : payload;
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (logged(request)) log.push(logEntry(request, reply, options.compactKeyless));
    done();
  });
  // What is left is written on close by app.ts, beside the stored valuations.
}
