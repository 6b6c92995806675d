/**
 * Who is calling: partners send a key as "Authorization: Bearer lp_…"; each /v1 route names the scope it needs
 * (valuations or admin; admin may do everything); each key has its own rate limit. Without a key, a request is
 * served only when the server runs open, which it may only on a loopback address.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { ApiKey, Scope } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { ApiProblem } from './problem.js';
import { rateLimitHeaders, RateLimiter } from './rate-limit.js';

/** Whether an IP address (v4, v6, or v6 in brackets) is a loopback address. Names are not addresses: see resolvesToLoopback. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Whether a listen address is reachable only from this machine: an IP address must be a loopback address, and a
 * name (localhost, ip6-localhost, …) must resolve to loopback addresses only — /etc/hosts may say otherwise.
 */
export async function resolvesToLoopback(host: string): Promise<boolean> {
  const h = host.replace(/^\[|\]$/g, '');
  if (isIP(h) !== 0) return isLoopback(h);
  try {
    const addresses = await lookup(h, { all: true });
    return addresses.length > 0 && addresses.every((a) => isLoopback(a.address));
  } catch {
    return false;
  }
}

export class OpenAccessRefused extends Error {}

/** Refuses keyless access on an address others can reach (or a name that does not resolve to loopback only). */
export async function assertOpenAllowed(host: string): Promise<void> {
  if (!(await resolvesToLoopback(host))) {
    throw new OpenAccessRefused(
      `refusing to run open (without API keys) on ${host}: anyone who can reach it could use the API. ` +
        'Open access is allowed only on a loopback address (127.0.0.1, ::1, or a name such as localhost that resolves ' +
        'to loopback addresses only); on other addresses, create keys with `loupe keys create --name NAME --scope valuations` ' +
        'and drop --open / LOUPE_OPEN.',
    );
  }
}

/**
 * Whether a Host header names this server when it runs open: the name it was started on, localhost or a loopback
 * address. Anything else is what a DNS-rebinding page sends (its own name, now resolving to 127.0.0.1): the
 * browser would treat the answer as that site's, so the keyless API must not answer it.
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (hostHeader === undefined) return true; // not a browser: browsers always send Host
  const h = hostHeader.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d*$/, '');
  const bare = name.replace(/^\[|\]$/g, '');
  return bare === boundHost.replace(/^\[|\]$/g, '').toLowerCase() || bare === 'localhost' || isLoopback(bare);
}

export interface Authenticator {
  /**
   * The key of the request (null when open and none was sent) and the RateLimit headers its answer carries;
   * throws a 401/403/429 problem. A valid key is set on request.apiKey before a 403 or 429 is thrown.
   */
  authenticate(
    request: FastifyRequest,
    scope: Scope | undefined,
  ): Promise<{ key: ApiKey | null; headers: Record<string, string> | null }>;
}

export function authenticator(
  store: Pick<Store, 'findKey'>,
  open: boolean,
  limiter = new RateLimiter(),
): Authenticator {
  return {
    async authenticate(request, scope) {
      const header = request.headers.authorization;
      if (header === undefined) {
        if (open) return { key: null, headers: null };
        throw new ApiProblem(
          'unauthorized',
          'This endpoint needs an API key: send it as "Authorization: Bearer lp_…".',
          undefined,
          {
            'www-authenticate': 'Bearer realm="loupe"',
          },
        );
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const key = match ? await store.findKey(match[1]) : undefined;
      if (!key) {
        throw new ApiProblem(
          'unauthorized',
          match ? 'The API key is not valid or has been revoked.' : 'The Authorization header must be "Bearer lp_…".',
          undefined,
          {
            'www-authenticate': 'Bearer realm="loupe", error="invalid_token"',
          },
        );
      }
      // A valid key from here on, whatever the answer: the request log names it on a 403 or 429 too.
      request.apiKey = key;
      if (scope && !key.scopes.includes(scope) && !key.scopes.includes('admin')) {
        throw new ApiProblem(
          'forbidden',
          `The key "${key.name}" has the scope ${key.scopes.join(', ')}; this endpoint needs ${scope}.`,
        );
      }
      const state = limiter.takeWithState(key.id, key.ratePerMinute);
      const headers = rateLimitHeaders(state);
      if (state.retryAfter > 0) {
        const wait = state.retryAfter;
        throw new ApiProblem(
          'rate-limited',
          `The key "${key.name}" may make ${key.ratePerMinute} requests a minute; retry in ${wait} s.`,
          undefined,
          {
            ...headers,
            'retry-after': String(wait),
          },
        );
      }
      return { key, headers };
    },
  };
}
