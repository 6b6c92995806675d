/**
 * Per-key rate limits: a token bucket per key, in memory. A key may burst up to its per-minute allowance and
 * then gets one request per (60 / rate) seconds; when empty, the answer says how long to wait.
 */
export class RateLimiter {
  readonly #buckets = new Map<number, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes one token for the key: 0 when allowed, else the seconds to wait before retrying (at least 1). */
  take(keyId: number, perMinute: number): number {
    const now = this.now();
    const perMs = perMinute / 60_000;
    const bucket = this.#buckets.get(keyId) ?? { tokens: perMinute, at: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    this.#buckets.set(keyId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }
}
