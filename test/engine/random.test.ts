import { describe, expect, it } from 'vitest';
import { createRng, permutation, sampleWithoutReplacement, type Rng } from '../../src/engine/random.js';

describe('seeded random generator', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(sa);
    expect(new Set(sa).size).toBe(20);
  });

  it('keeps a fixed sequence for seed 0 (models trained earlier stay reproducible)', () => {
    const r = createRng(0);
    const first = [r.nextUint32(), r.nextUint32(), r.nextUint32()];
    const again = createRng(0);
    expect([again.nextUint32(), again.nextUint32(), again.nextUint32()]).toEqual(first);
    expect(first.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
  });

  it('draws integers uniformly enough and floats in [0, 1)', () => {
    const r = createRng(7);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) counts[r.nextInt(10)]++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
    for (let i = 0; i < 1000; i++) {
      const x = r.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('samples distinct sorted indices and permutes every index once', () => {
    const s = sampleWithoutReplacement(createRng(3), 100, 30);
    expect(s.length).toBe(30);
    expect(new Set(s).size).toBe(30);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    for (const k of [0, 50, 70, 100]) {
      const t = sampleWithoutReplacement(createRng(4), 100, k);
      expect(t.length).toBe(k);
      for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThan(t[i - 1]);
      expect(t.every((v) => v < 100)).toBe(true);
    }
    // Every index is about equally likely to be drawn, also when the left-out are drawn instead (k > n/2).
    const hits = new Array(10).fill(0);
    const rng = createRng(5);
    for (let r = 0; r < 5000; r++) for (const v of sampleWithoutReplacement(rng, 10, 7)) hits[v]++;
    for (const h of hits) expect(Math.abs(h - 3500)).toBeLessThan(200);
    const p = permutation(createRng(3), 50);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('draws exactly what the plain shuffle and `%` draw, call after call (kept scratch, remainders by floor)', () => {
    // The textbook versions: a bounded integer by rejection and `%`, a partial Fisher–Yates on a fresh pool.
    const plainInt = (rng: Rng, n: number): number => {
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const x = rng.nextUint32();
        if (x < limit) return x % n;
      }
    };
    const plainSample = (rng: Rng, n: number, k: number): number[] => {
      const draws = Math.min(k, n - k);
      const pool = Array.from({ length: n }, (_, i) => i);
      const drawn = new Set<number>();
      for (let i = 0; i < draws; i++) {
        const j = i + plainInt(rng, n - i);
        [pool[i], pool[j]] = [pool[j], pool[i]];
        drawn.add(pool[i]);
      }
      return pool.sort((a, b) => a - b).filter((v) => drawn.has(v) === (draws === k));
    };
    const bounds = [1, 2, 3, 7, 10, 1000, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 3 * 2 ** 30, 2 ** 32 - 1, 2 ** 32];
    const a = createRng(11);
    const b = createRng(11);
    for (const n of bounds) for (let i = 0; i < 200; i++) expect(a.nextInt(n)).toBe(plainInt(b, n));
    // Sizes up and down (the scratch grows and is reused), k on both sides of n/2, and the edges.
    const meta = createRng(12);
    const fast = createRng(13);
    const plain = createRng(13);
    const sizes = [0, 1, 2, 5, 100, 3000, 17, 4000, 1, 999];
    for (const n of sizes) {
      for (const k of [0, n, Math.floor(n / 2), meta.nextInt(n + 1), meta.nextInt(n + 1)]) {
        expect(Array.from(sampleWithoutReplacement(fast, n, k))).toEqual(plainSample(plain, n, k));
      }
    }
    expect(fast.nextUint32()).toBe(plain.nextUint32());
  });

  it('refuses seeds outside 0..2^32-1', () => {
    expect(() => createRng(-1)).toThrow(/seed must be an integer/);
    expect(() => createRng(1.5)).toThrow(/seed must be an integer/);
  });
});
