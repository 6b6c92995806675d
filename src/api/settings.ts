/**
 * The server's settings that come from its environment, each parsed (or refused with a message naming it) here,
 * with no import that loads the API: `loupe serve` checks every one before it loads the server, so a usage error
 * is answered at the cost of the command line's start, not the API's.
 */
import { availableParallelism } from 'node:os';

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

/** admin: needs an admin key (keyless only when the server runs open, on loopback); open: keyless; off: no endpoint. */
export type MetricsAccess = 'admin' | 'open' | 'off';
export const METRICS_ACCESS: readonly MetricsAccess[] = ['admin', 'open', 'off'];

/** Parses LOUPE_METRICS (default admin). */
export function metricsAccess(value: string | undefined): MetricsAccess {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'admin';
  if ((METRICS_ACCESS as readonly string[]).includes(v)) return v as MetricsAccess;
  throw new Error(`LOUPE_METRICS must be one of ${METRICS_ACCESS.join(', ')}; got "${value}"`);
}

/** The default number of valuation threads: one core is left for the thread that answers HTTP. */
export function defaultValuationThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}
