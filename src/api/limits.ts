/**
 * Bounds on what a request may ask for, in one place: each is named in the OpenAPI document and the README.
 */

/**
 * The largest `offset` of a listing. A page that far in is never meant; without a bound a huge offset reached the
 * database as a float (beyond 2^63 SQLite refuses it: a 500), and any value beyond 2^53 was silently changed.
 */
export const MAX_OFFSET = 2 ** 31 - 1;

/** The largest id (of a submission, a rejected row, a request-log row) a URL may name: the largest exact integer. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/**
 * How long a request may take to arrive, headers and body together, before it is answered 408 and its connection
 * closed: an 8 MiB upload needs 60 s at about 1.1 Mbit/s. Also how long shutdown waits for requests in flight.
 * Without it (fastify's default is none) a client that announced a body and stalled held its connection forever,
 * and held a SIGTERM's shutdown until it left.
 */
export const REQUEST_TIMEOUT_MS = 60_000;
