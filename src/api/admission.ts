/**
 * Letting a request in, before its route runs: the Host it names (on a server run open), its key and the key's
 * rate limit, and, without a valid key, the throttle of its address. One gate for every request, those fastify
 * answers before routing (an undecodable URL, an over-long path parameter) included: they are refused, counted
 * and answered with the same headers (RateLimit-*) as any other.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/store.js';
import type { AddressThrottle } from './address-throttle.js';
import { authenticator, hostAllowed } from './auth.js';
import { ApiProblem } from './problem.js';
import type { RateLimiter } from './rate-limit.js';

export interface AdmissionOptions {
  store: Pick<Store, 'findKey'>;
  /** Served without keys; only requests naming `host` (or localhost, a loopback address) are let in. */
  open: boolean;
  host?: string;
  rateLimiter?: RateLimiter;
  /** Throttles rejected requests without a valid key per client address (default: none). */
  throttle?: AddressThrottle;
}

export interface Admission {
  /**
   * Lets the request in (`done()`) or refuses it (`done(problem)`); sets request.apiKey, request.keyless and the
   * RateLimit headers of a keyed answer. Callback-style, so that a request needing no key lookup (an open server
   * without a key sent, a public route) passes without a promise.
   */
  admit(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void;
  /** Once answered: a rejected request without a valid key costs its address a token of the throttle. */
  charge(request: FastifyRequest, reply: FastifyReply): void;
}

/**
 * An HTTP/1.1 request without a Host header, which RFC 9112 (3.2) says to answer 400. Node would refuse it itself
 * with a bare 400 before Loupe sees it (no problem, no X-Request-Id, no log entry); the server turns that check off
 * (requireHostHeader: false) and makes it here instead, first thing. HTTP/1.0 needs no Host.
 */
export function missingHost(request: FastifyRequest): ApiProblem | undefined {
  const { httpVersionMajor: major, httpVersionMinor: minor } = request.raw;
  if (request.headers.host !== undefined || major !== 1 || minor < 1) return undefined;
  return new ApiProblem(
    'malformed-request',
    'An HTTP/1.1 request must name the server it is for in a Host header; this one has none.',
  );
}

export function admission(options: AdmissionOptions): Admission {
  const auth = authenticator(options.store, options.open, options.rateLimiter);
  const { throttle } = options;
  const bound = options.host ?? 'localhost';

  /** Records whether the request came without a valid key, applies the keyless throttle, and lets it go on. */
  const settle = (request: FastifyRequest, error: Error | undefined, done: (error?: Error) => void): void => {
    // A key that was found but may not do this (scope, its own rate limit) is a valid key: not keyless.
    request.keyless =
      request.apiKey === null &&
      (error === undefined || (error instanceof ApiProblem && error.slug === 'unauthorized'));
    if (throttle && request.keyless && !request.routeOptions.config?.unthrottled) {
      const wait = throttle.check(request.ip);
      if (wait > 0) {
        request.throttledRun = throttle.refused(request.ip);
        error = new ApiProblem(
          'rate-limited',
          `Too many rejected requests without a valid API key from ${request.ip} (at most ${throttle.perMinute} a minute); retry in ${wait} s.`,
          undefined,
          { 'retry-after': String(wait) },
        );
      }
    }
    done(error);
  };

  return {
    admit(request, reply, done) {
      // A routed request without Host was refused already, before CORS (app.ts); this refuses one fastify answers
      // before routing.
      const noHost = missingHost(request);
      if (noHost) {
        done(noHost);
        return;
      }
      if (options.open && !hostAllowed(request.headers.host, bound)) {
        done(
          new ApiProblem(
            'wrong-host',
            `This server runs without keys and answers only requests to ${bound === 'localhost' ? 'localhost' : `${bound} (or localhost)`} or a loopback address; Host ${JSON.stringify(String(request.headers.host).slice(0, 100))} is not it.`,
          ),
        );
        return;
      }
      // A CORS preflight carries no key (browsers never send one with it); it is answered by the CORS plugin.
      if (request.method === 'OPTIONS') {
        done();
        return;
      }
      const scope = request.routeOptions.config?.scope;
      const keyed = scope !== undefined || request.url.startsWith('/v1/');
      if (!keyed || (options.open && request.headers.authorization === undefined)) {
        settle(request, undefined, done);
        return;
      }
      auth.authenticate(request, scope).then(
        ({ key, headers }) => {
          request.apiKey = key;
          if (headers) reply.headers(headers);
          settle(request, undefined, done);
        },
        (e: Error) => settle(request, e, done),
      );
    },
    charge(request, reply) {
      const charged = request.keyless && reply.statusCode >= 400 && !request.routeOptions.config?.unthrottled;
      if (throttle && charged && request.throttledRun === 0) throttle.charge(request.ip);
    },
  };
}
