/**
 * API keys sent where they do not belong (`?api_key=lp_…` in a URL, a key pasted into a body's field, a header other
 * than Authorization) are not kept or echoed: the request log, readable by every admin key for 30 days, the server's
 * own log, and a problem's `instance` and `detail` name only the key's listed prefix (`lp_` and 6 characters, as
 * `loupe keys list` shows it), enough to tell which key to revoke.
 */
import { KEY_PREFIX } from '../store/keys.js';

/**
 * `lp_` (or its percent-encoded `lp%5F`), not inside a word (`help_desk`), then more base64url characters than a
 * listed prefix has.
 */
const KEY_LIKE = /(?<![A-Za-z0-9])lp(?:_|%5[Ff])([A-Za-z0-9_-]{6})[A-Za-z0-9_-]+/g;
const ENCODED_PREFIX = /lp%5f/i;

/** The text with every key-like token cut to its listed prefix and `[redacted]`. */
export function redactKeys(text: string): string {
  if (!text.includes(KEY_PREFIX) && !ENCODED_PREFIX.test(text)) return text;
  return text.replace(KEY_LIKE, `${KEY_PREFIX}$1[redacted]`);
}

/** Whether a text holds a key-like token (a value that must then be dropped whole, such as a request id). */
export function holdsKey(text: string): boolean {
  return redactKeys(text) !== text;
}

/**
 * An error for the server's log whose message, stack and other texts hold no key-like token: the error itself when
 * clean, else a copy of the same class (pino names its type from it).
 */
export function keylessError(error: Error): Error {
  const own = Object.entries(error).filter((e): e is [string, string] => typeof e[1] === 'string');
  if (![error.message, error.stack ?? '', ...own.map(([, v]) => v)].some(holdsKey)) return error;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error);
  copy.message = redactKeys(error.message);
  if (error.stack !== undefined) copy.stack = redactKeys(error.stack);
  for (const [name, value] of own) (copy as unknown as Record<string, string>)[name] = redactKeys(value);
  return copy;
}
