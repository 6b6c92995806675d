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

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The origins of a LOUPE_CORS_ORIGINS value ("https://shop.example, http://localhost:5173"; "*" for any), or an
 * error naming the entry that is not an origin (a scheme, a host and an optional port; no path, no slash).
 */
export function parseCorsOrigins(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  const origins = text
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const o of origins) {
    if (o !== '*' && !ORIGIN.test(o)) {
      throw new Error(
        `LOUPE_CORS_ORIGINS: ${JSON.stringify(o)} is not an origin; write each as scheme://host[:port] (e.g. https://shop.example), comma-separated, or * for any`,
      );
    }
  }
  return origins;
}

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
