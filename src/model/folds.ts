/**
 * Seeded K-fold assignment: shuffled, as equal in size as possible, the same for the same seed.
 */
import { createRng, permutation } from '../engine/random.js';

/** fold[i] in [0, k) for each of n rows. */
export function assignFolds(n: number, k: number, seed: number): Uint8Array {
  if (!Number.isInteger(k) || k < 2 || k > 255 || k > n) throw new RangeError(`cannot split ${n} rows into ${k} folds`);
  const order = permutation(createRng(seed), n);
  const fold = new Uint8Array(n);
  for (let r = 0; r < n; r++) fold[order[r]] = r % k;
  return fold;
}

/** Row indices of fold f (test) and of the others (train). */
export function foldIndices(fold: Uint8Array, f: number): { train: Uint32Array; test: Uint32Array } {
  let nTest = 0;
  for (const v of fold) if (v === f) nTest++;
  const train = new Uint32Array(fold.length - nTest);
  const test = new Uint32Array(nTest);
  let a = 0;
  let b = 0;
  for (let i = 0; i < fold.length; i++) {
    if (fold[i] === f) test[b++] = i;
    else train[a++] = i;
  }
  return { train, test };
}
