/**
 * The Shapley arithmetic of one leaf (see "Why this is exact" in index.ts): a leaf with value v whose path tests
 * the d distinct players U, with merged zero fractions z, adds to player i ∈ U, for the row's mask O of agreed players,
 *     v · (o_i − z_i) · Σ_{S ⊆ U∖{i}} w(|S|, d) · Π_{j∈S} o_j · Π_{j∈U∖S∖{i}} z_j,   w(s, d) = s!(d−s−1)!/d!.
 */

/** w(s, d) = s!(d−s−1)!/d! = 1 / (d · C(d−1, s)), computed without factorials. */
function shapleyWeight(s: number, d: number): number {
  let binom = 1;
  for (let k = 1; k <= s; k++) binom = (binom * (d - 1 - s + k)) / k;
  return 1 / (d * binom);
}

/** WEIGHTS[d][s] = w(s, d), grown as deeper paths are met. */
const WEIGHTS: Float64Array[] = [new Float64Array(0)];
function weightsFor(d: number): Float64Array {
  while (WEIGHTS.length <= d) {
    const n = WEIGHTS.length;
    const w = new Float64Array(n);
    for (let s = 0; s < n; s++) w[s] = shapleyWeight(s, n);
    WEIGHTS.push(w);
  }
  return WEIGHTS[d];
}

/**
 * Σ_{S ⊆ mask∖{skip}} w(|S|, d) · Π_{j ∈ U∖S∖{skip}} z_j for the path players U = 0..d−1 (skip = −1: none
 * skipped). Expands Π_j (z_j + [j ∈ mask]·t) and weighs its coefficients. `coef` is scratch of length ≥ d + 1.
 */
export function weightedSum(
  zero: ArrayLike<number>,
  offset: number,
  d: number,
  mask: number,
  skip: number,
  coef: Float64Array,
): number {
  const w = weightsFor(d);
  coef[0] = 1;
  let deg = 0;
  for (let j = 0; j < d; j++) {
    if (j === skip) continue;
    const z = zero[offset + j];
    if ((mask >> j) & 1) {
      coef[deg + 1] = coef[deg];
      for (let s = deg; s > 0; s--) coef[s] = coef[s] * z + coef[s - 1];
      coef[0] *= z;
      deg++;
    } else {
      for (let s = 0; s <= deg; s++) coef[s] *= z;
    }
  }
  let sum = 0;
  for (let s = 0; s <= deg; s++) sum += w[s] * coef[s];
  return sum;
}

/** A leaf's contributions to its d path players for every mask: out[mask·d + i]. */
export function leafVector(value: number, zero: number[], coef: Float64Array): Float64Array {
  const d = zero.length;
  const out = new Float64Array(d << d);
  for (let mask = 0; mask < 1 << d; mask++) {
    for (let i = 0; i < d; i++) {
      const oi = (mask >> i) & 1;
      out[mask * d + i] = oi === zero[i] ? 0 : value * (oi - zero[i]) * weightedSum(zero, 0, d, mask, i, coef);
    }
  }
  return out;
}
