/**
 * Per-key rate limits: a token bucket per key, in memory. A key may burst up to its per-minute allowance and
 * then gets one request per (60 / rate) seconds; when empty, the answer says how long to wait. Every keyed answer
 * carries the bucket's state in the IETF RateLimit header fields.
 */
export interface RateLimitState {
  /** The key's allowance: requests a minute (the bucket's size). */
  limit: number;
  /** Whole requests left in the bucket after this one. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  reset: number;
  /** 0 when this request is allowed, else the seconds to wait before retrying (at least 1). */
  retryAfter: number;
}

export class RateLimiter {
  readonly #buckets = new Map<number, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes one token for the key: 0 when allowed, else the seconds to wait before retrying (at least 1). */
  take(keyId: number, perMinute: number): number {
    return this.takeWithState(keyId, perMinute).retryAfter;
  }

  /** Takes one token for the key and says what is left. */
  takeWithState(keyId: number, perMinute: number): RateLimitState {
    const now = this.now();
    const perMs = perMinute / 60_000;
    const bucket = this.#buckets.get(keyId) ?? { tokens: perMinute, at: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    this.#buckets.set(keyId, bucket);
    let retryAfter = 0;
    if (bucket.tokens >= 1) bucket.tokens -= 1;
    else retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    return {
      limit: perMinute,
      remaining: Math.floor(bucket.tokens),
      reset: Math.ceil((perMinute - bucket.tokens) / perMs / 1000),
      retryAfter,
    };
  }
}

/** The IETF RateLimit header fields of a state (RateLimit-Limit, -Remaining, -Reset). */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'ratelimit-limit': String(state.limit),
    'ratelimit-remaining': String(state.remaining),
    'ratelimit-reset': String(state.reset),
  };
}
