/**
 * Idempotency-Key on the valuation POSTs (as Stripe does it): a retry with the same key and the same request within
 * 24 hours gets the first answer again — the same valuation ids — with `Idempotent-Replayed: true`; the same key
 * with a different request (another body, query or route: single or batch) is a 409 problem. Keys are per API key
 * (another partner's key never collides). While the first request is still being answered, a retry waits for it
 * rather than valuing twice. Only successful answers are kept: a request that failed is worked out again.
 */
import { createHash } from 'node:crypto';
import type {
  FastifyReply,
  FastifyRequest,
  onRequestAbortHookHandler,
  onResponseHookHandler,
  onSendHookHandler,
  preHandlerHookHandler,
} from 'fastify';
import { ApiProblem } from './problem.js';
import type { QuoteStore } from './quote-store.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 255;
/** Where the keys of every idempotent route are kept (the `route` of an idempotency record): one set for all. */
const IDEMPOTENT_ROUTES = 'POST /v1/valuations*';
/** Whether a text holds a control character (U+0000–U+001F or U+007F). */
const hasControl = (text: string): boolean => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

interface Pending {
  keyId: number;
  route: string;
  key: string;
  fingerprint: string;
  finished: Promise<void>;
  finish(): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** SHA-256 of the whole body as received, when the request carries an Idempotency-Key. */
    bodySha256: string | null;
    idempotency: Pending | null;
  }
}

/** Whether a header (lower-case name) is among raw headers (name, value, name, value…) more than once. */
function sentTwice(rawHeaders: readonly string[], name: string): boolean {
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name && ++seen > 1) return true;
  return false;
}

/** The Idempotency-Key of a request, checked: 1 to 255 characters, no control characters, sent once. */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const value = request.headers[IDEMPOTENCY_HEADER];
  if (value === undefined) return undefined;
  const problem = (message: string): ApiProblem =>
    new ApiProblem('invalid-input', message, [
      {
        field: 'Idempotency-Key',
        code: 'invalid_header',
        message,
        allowed: `1 to ${MAX_KEY_LENGTH} characters without control characters, sent once (e.g. a UUID)`,
      },
    ]);
  // Node joins a repeated header into one value ("a1, a2"): only the raw headers tell that it came twice.
  if (Array.isArray(value) || sentTwice(request.raw.rawHeaders, IDEMPOTENCY_HEADER))
    throw problem('The Idempotency-Key header was sent more than once.');
  if (value.length === 0) throw problem('The Idempotency-Key header is empty.');
  if (value.length > MAX_KEY_LENGTH)
    throw problem(`The Idempotency-Key is ${value.length} characters long; at most ${MAX_KEY_LENGTH} are allowed.`);
  if (hasControl(value)) throw problem('The Idempotency-Key contains a control character.');
  return value;
}

export function bodyFingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hooks an idempotent route adds to its own (route-level: no other route pays for them). */
export interface IdempotencyHooks {
  preHandler: preHandlerHookHandler;
  onSend: onSendHookHandler;
  onResponse: onResponseHookHandler;
  onRequestAbort: onRequestAbortHookHandler;
}

export function idempotencyHooks(quotes: QuoteStore): IdempotencyHooks {
  const inFlight = new Map<string, Pending>();
  const replay = (reply: FastifyReply, answer: string): FastifyReply =>
    reply.header('idempotent-replayed', 'true').type('application/json; charset=utf-8').send(answer);
  const conflict = (key: string): ApiProblem =>
    new ApiProblem(
      'idempotency-conflict',
      `The Idempotency-Key ${JSON.stringify(key.slice(0, 60))} was used in the last 24 hours with a different request; use a new key for a new request.`,
    );

  const claim = async (request: FastifyRequest, reply: FastifyReply, key: string): Promise<void> => {
    const keyId = request.apiKey?.id ?? 0;
    // One key names one request, whichever valuation route it went to: the route is part of what must match (a
    // single stone's key reused for a batch is a 409), not of where the key is kept.
    const route = IDEMPOTENT_ROUTES;
    const path = request.routeOptions.url ?? request.url.split('?')[0];
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const fingerprint = bodyFingerprint(`${path}${query}\n${request.bodySha256 ?? ''}`);
    const slot = `${keyId}\n${route}\n${key}`;
    for (;;) {
      const stored = (await quotes.idempotent(keyId, route, key)) ?? quotes.idempotentWaiting(keyId, route, key);
      if (stored) {
        if (stored.fingerprint !== fingerprint) throw conflict(key);
        replay(reply, stored.answer);
        return;
      }
      const running = inFlight.get(slot);
      if (!running) break;
      if (running.fingerprint !== fingerprint) throw conflict(key);
      await running.finished; // then look again: the first answer is stored, or it failed and this one goes ahead
    }
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const pending: Pending = { keyId, route, key, fingerprint, finished, finish };
    inFlight.set(slot, pending);
    request.idempotency = pending;
  };

  const release = (request: FastifyRequest): void => {
    const p = request.idempotency;
    if (p) {
      inFlight.delete(`${p.keyId}\n${p.route}\n${p.key}`);
      p.finish();
    }
  };

  return {
    // Most requests carry no key: they pass synchronously, without a promise.
    preHandler(request, reply, done) {
      let key: string | undefined;
      try {
        key = idempotencyKey(request);
      } catch (e) {
        done(e as Error);
        return;
      }
      if (key === undefined) {
        done();
        return;
      }
      claim(request, reply, key).then(
        () => {
          if (!reply.sent) done();
        },
        (e: Error) => done(e),
      );
    },
    onSend(request, reply, payload, done) {
      const p = request.idempotency;
      if (p && reply.statusCode === 200 && typeof payload === 'string') {
        quotes.saveIdempotent({
          keyId: p.keyId,
          route: p.route,
          idempotencyKey: p.key,
          fingerprint: p.fingerprint,
          at: Date.now(),
          answer: payload,
        });
      }
      done(null, payload);
    },
    onResponse(request, _reply, done) {
      release(request);
      done();
    },
    onRequestAbort(request, done) {
      release(request);
      done();
    },
  };
}
