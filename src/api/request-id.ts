/**
 * X-Request-Id: every answer names its request, so that a partner's support ticket can point at one entry of the
 * request log. A caller's own id is kept when it is sane (1–128 visible characters from a safe set); anything
 * else is replaced by a fresh UUID rather than echoed, so that the header can never carry what a log reader or
 * a browser would misread.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { holdsKey } from './redact.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Whether a caller's request id is kept as it is. */
export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && SANE_ID.test(value);
}

/**
 * The id of a request: the caller's when sane, else a new UUID. An id that holds an API key (a key pasted into the
 * wrong header) is not kept either: the request log and every line of the server's log name the request by it.
 */
export function requestId(request: IncomingMessage): string {
  const sent = request.headers[REQUEST_ID_HEADER];
  return isSaneRequestId(sent) && !holdsKey(sent) ? sent : randomUUID();
}
