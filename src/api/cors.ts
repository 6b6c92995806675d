/**
 * CORS, for a partner's web app on another origin: LOUPE_CORS_ORIGINS lists the origins allowed (default none:
 * a browser on another origin can read nothing). An allowed origin's preflight is answered with the methods and
 * headers the API takes; any other origin gets no CORS headers, and its preflight the 404 of an unknown route.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** What a browser on an allowed origin may send and read. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match', 'X-Request-Id'];
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
  'ETag',
  'Idempotent-Replayed',
];
/** How long a browser may reuse a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  await app.register(cors, {
    origin: (origin, cb) =>
      cb(null, origin !== undefined && (allowed.has('*') || allowed.has(origin)) ? origin : false),
    // A preflight without Origin is not one: it falls through to the routes (and their 404 problem).
    strictPreflight: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE,
  });
}

/**
 * The CORS headers of an answer to a request from `origin` (none for an origin not allowed), as the plugin sets
 * them: for the answers fastify gives before any hook runs (an undecodable URL, an over-long path parameter).
 */
export function corsHeaders(origins: readonly string[], origin: string | undefined): Record<string, string> {
  if (origin === undefined || !(origins.includes('*') || origins.includes(origin))) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
    vary: 'Origin',
  };
}
