/**
 * The throttle for requests without a valid key, per client address: each such request that is rejected (an
 * answer of 400 or more: no key, a wrong key, an unknown route, bad input) takes a token from its address's
 * bucket (`perMinute` tokens, refilled at that rate); once the bucket is empty, every request from that address
 * without a valid key is answered 429 at once, before its body is read. Requests with a valid key never count
 * (they have their own limit). At most `maxAddresses` addresses are remembered (the least recently seen are
 * forgotten first), so the throttle's memory is bounded whatever the number of clients.
 */
export interface AddressThrottleOptions {
  /** Rejected keyless requests an address may make per minute (and at once). */
  perMinute: number;
  /** Addresses remembered (default 10,000). */
  maxAddresses?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Requests refused since the address ran out (reported once it may send again). */
  refused: number;
}

export class AddressThrottle {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMinute: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;

  constructor(options: AddressThrottleOptions) {
    if (!(options.perMinute > 0))
      throw new RangeError(`the keyless request limit must be above 0 a minute, not ${options.perMinute}`);
    this.#perMinute = options.perMinute;
    this.#maxAddresses = options.maxAddresses ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  get perMinute(): number {
    return this.#perMinute;
  }

  #bucket(address: string): Bucket {
    const now = this.#now();
    let bucket = this.#buckets.get(address);
    if (bucket) {
      this.#buckets.delete(address); // re-inserted below: the map's order is least recently seen first
      bucket.tokens = Math.min(this.#perMinute, bucket.tokens + ((now - bucket.at) * this.#perMinute) / 60_000);
      bucket.at = now;
    } else {
      bucket = { tokens: this.#perMinute, at: now, refused: 0 };
      if (this.#buckets.size >= this.#maxAddresses) this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    this.#buckets.set(address, bucket);
    return bucket;
  }

  /** 0 when the address may send a keyless request, else the seconds until it may (at least 1); counts refusals. */
  check(address: string): number {
    // Every keyless request is checked, most from addresses never charged or long refilled: those pass without
    // a bucket made or moved (a full bucket is forgotten, as good as none).
    const known = this.#buckets.get(address);
    if (known === undefined && this.#perMinute >= 1) return 0;
    if (known && known.refused === 0) {
      const tokens = known.tokens + ((this.#now() - known.at) * this.#perMinute) / 60_000;
      if (tokens >= this.#perMinute) {
        this.#buckets.delete(address);
        return 0;
      }
    }
    const bucket = this.#bucket(address);
    if (bucket.tokens >= 1) {
      bucket.refused = 0;
      return 0;
    }
    bucket.refused++;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.#perMinute));
  }

  /** Records a rejected keyless request from the address. */
  charge(address: string): void {
    const bucket = this.#bucket(address);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
  }

  /** Requests refused for this address since it last ran out (0 if unknown). */
  refused(address: string): number {
    return this.#buckets.get(address)?.refused ?? 0;
  }
}
