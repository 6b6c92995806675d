/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32) so that row and column
 * subsampling and validation splits are reproducible byte for byte on every platform: Math.random cannot be seeded.
 */

export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform float in [0, 1). */
  nextFloat(): number;
  /** Uniform integer in [0, n), without modulo bias. */
  nextInt(n: number): number;
}

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [state, (z ^ (z >>> 16)) >>> 0];
}

/** Seeds must be integers in [0, 2^32); the same seed always yields the same sequence. */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
  let st = seed >>> 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) [st, s[i]] = splitmix32(st);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // the all-zero state is a fixed point

  const nextUint32 = (): number => {
    const m = Math.imul(s[1], 5) >>> 0;
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 11) | (s[3] >>> 21);
    return result;
  };
  return {
    nextUint32,
    nextFloat: () => nextUint32() / 4294967296,
    nextInt(n: number): number {
      if (!Number.isInteger(n) || n <= 0 || n > 0x100000000)
        throw new RangeError(`nextInt needs an integer bound from 1 to 2^32, got ${n}`);
      // Reject the top sliver of [0, 2^32) that would make small results more likely. Remainders by division and
      // floor, not `%`, which on numbers past 2^31 is a slow floating-point fmod: for x < 2^32 and n ≤ 2^32 the
      // quotient x / n never rounds up to the next integer, so floor gives the exact quotient and x - q·n the
      // exact remainder, the same number `%` gives.
      const limit = Math.floor(4294967296 / n) * n;
      for (;;) {
        const x = nextUint32();
        if (x < limit) return x - Math.floor(x / n) * n;
      }
    },
  };
}

/**
 * k distinct integers drawn from [0, n) without replacement, returned in ascending order. A partial Fisher–Yates
 * shuffle draws whichever is smaller, the chosen or the left-out, then one sweep lists the chosen in order.
 *
 * The shuffle works in scratch arrays kept between calls (a booster draws rows for every tree): the pool is the
 * identity before each call and is put back by undoing the swaps in reverse, the marks are cleared one by one, so
 * a call costs the draws and one sweep instead of filling and allocating two arrays of n. The draws, hence the
 * result, are exactly those of a fresh pool.
 */
let scratchPool = new Uint32Array(0);
let scratchDrawn = new Uint8Array(0);
let scratchSwaps = new Uint32Array(0);

export function sampleWithoutReplacement(rng: Rng, n: number, k: number): Uint32Array {
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`cannot draw ${k} of ${n} items`);
  const draws = Math.min(k, n - k);
  if (scratchPool.length < n) {
    scratchPool = new Uint32Array(n);
    for (let i = 0; i < n; i++) scratchPool[i] = i;
    scratchDrawn = new Uint8Array(n);
  }
  if (scratchSwaps.length < draws) scratchSwaps = new Uint32Array(draws);
  const pool = scratchPool;
  const drawn = scratchDrawn;
  const swaps = scratchSwaps;
  for (let i = 0; i < draws; i++) {
    const j = i + rng.nextInt(n - i);
    swaps[i] = j;
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
    drawn[pool[i]] = 1;
  }
  const keep = draws === k ? 1 : 0; // drawn marks the chosen, or else the left-out
  const out = new Uint32Array(k);
  // Branch-free: each index is written at the next free place, which advances only when the index is kept (with
  // ~80% kept a branch here is often mispredicted). The loop ends when all k are placed, before i reaches n.
  for (let i = 0, at = 0; at < k; i++) {
    out[at] = i;
    at += drawn[i] ^ keep ^ 1;
  }
  // Back to a clean scratch: marks cleared, swaps undone in reverse (the pool is the identity again).
  for (let i = draws - 1; i >= 0; i--) {
    drawn[pool[i]] = 0;
    const j = swaps[i];
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
  }
  return out;
}

/** A random permutation of [0, n). */
export function permutation(rng: Rng, n: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
  return p;
}
