/**
 * Hooks that log every request and its answer (errors included) with its latency, key and model version. They
 * only copy a few fields into memory (callback-style: no promise per request); the RequestLog writes them in
 * batches, off the request's path.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestLogEntry } from '../store/requests.js';
import type { RequestLog } from './request-log.js';

/** Errors are kept whole (up to 4 KiB); a success is summarised by its first characters (price, range, version). */
const ERROR_BODY = 4096;
const SUCCESS_SUMMARY = 200;

/** The log entry of an answered request. */
export function logEntry(request: FastifyRequest, reply: FastifyReply): RequestLogEntry {
  return {
    at: Date.now(),
    method: request.method,
    route: request.routeOptions?.url ?? request.url.split('?')[0].slice(0, 200),
    url: request.url.length > 2000 ? request.url.slice(0, 2000) : request.url,
    status: reply.statusCode,
    latencyMs: Math.round(reply.elapsedTime * 1000) / 1000,
    keyId: request.apiKey?.id ?? null,
    keyName: request.apiKey?.name ?? null,
    modelVersion: request.modelVersion ?? null,
    requestBody: request.bodyText ?? null,
    responseBody: reply.sentBody ?? null,
    requestId: request.id,
  };
}

export function registerRequestLog(app: FastifyInstance, log: RequestLog): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (typeof payload === 'string') {
      const keep = reply.statusCode >= 400 ? ERROR_BODY : SUCCESS_SUMMARY;
      reply.sentBody = payload.length > keep ? `${payload.slice(0, keep)}…` : payload;
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    log.push(logEntry(request, reply));
    done();
  });
  // After the server has stopped taking requests and answered those in flight: write what is left.
  app.addHook('onClose', async () => log.close());
}
