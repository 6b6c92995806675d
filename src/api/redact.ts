/**
 * API keys sent where they do not belong (`?api_key=lp_…` in a URL, by mistake) are not kept or echoed: the request
 * log, readable by every admin key for 30 days, and a problem's `instance` and `detail` name only the key's listed
 * prefix (`lp_` and 6 characters, as `loupe keys list` shows it), enough to tell which key to revoke.
 */
import { KEY_PREFIX } from '../store/keys.js';

/** `lp_` (or its percent-encoded `lp%5F`) then more base64url characters than a listed prefix has. */
const KEY_LIKE = /lp(?:_|%5[Ff])([A-Za-z0-9_-]{6})[A-Za-z0-9_-]+/g;
const ENCODED_PREFIX = /lp%5f/i;

/** The text with every key-like token cut to its listed prefix and `[redacted]`. */
export function redactKeys(text: string): string {
  if (!text.includes(KEY_PREFIX) && !ENCODED_PREFIX.test(text)) return text;
  return text.replace(KEY_LIKE, `${KEY_PREFIX}$1[redacted]`);
}
