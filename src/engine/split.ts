/**
 * Best split of a node from its histogram, with XGBoost's scoring:
 *   leaf weight   w = −G / (H + λ), clamped to the node's monotone bounds
 *   score of a leaf given w:  −(2·G·w + (H + λ)·w²)   (= G²/(H+λ) when w is not clamped)
 *   gain = score(left) + score(right) − score(parent); a split is taken only when gain > minSplitGain (γ)
 * Each child must carry at least minChildWeight of hessian. Missing values are tried on both sides and the better
 * side becomes the node's default direction. On a feature with a monotone constraint (+1 increasing, −1
 * decreasing) a split is allowed only when the children's weights are in that order.
 */

import type { BinnedMatrix } from './binning.js';

export interface SplitParams {
  lambda: number;
  minChildWeight: number;
  minSplitGain: number;
}

/** A node's sums and the bounds its weight must respect. */
export interface NodeStats {
  g: number;
  h: number;
  count: number;
  lower: number;
  upper: number;
}

export interface Split {
  gain: number;
  feature: number;
  /** Rows with value bin <= bin go left. */
  bin: number;
  defaultLeft: boolean;
  gLeft: number;
  hLeft: number;
  countLeft: number;
  gRight: number;
  hRight: number;
  countRight: number;
  /** Rows of the node with a missing value in this feature (0: the default side was not learned). */
  countMissing: number;
  /** Children's (clamped, unscaled) weights. */
  weightLeft: number;
  weightRight: number;
}

export function leafWeight(g: number, h: number, lambda: number, lower = -Infinity, upper = Infinity): number {
  const w = -g / (h + lambda);
  return w < lower ? lower : w > upper ? upper : w;
}

export function scoreGivenWeight(g: number, h: number, lambda: number, w: number): number {
  return -(2 * g * w + (h + lambda) * w * w);
}

/** The unconstrained gain of splitting (G, H) into (GL, HL) and (G−GL, H−HL). */
export function splitGain(gl: number, hl: number, gr: number, hr: number, lambda: number): number {
  return (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - ((gl + gr) * (gl + gr)) / (hl + hr + lambda);
}

/**
 * Scans every candidate feature's bins and returns the best split, or null when no split passes the rules.
 * Ties keep the first candidate found (features in the given order, bins ascending, missing-right first).
 */
export function findBestSplit(
  hist: Float64Array,
  binned: Pick<BinnedMatrix, 'valueBins' | 'slotStride' | 'histOffset'>,
  features: Int32Array,
  node: NodeStats,
  monotone: Int8Array | undefined,
  params: SplitParams,
  constantHessian?: number,
): Split | null {
  // With a constant hessian the histogram leaves hessian slots empty: hessian = count × constant.
  const hScale = constantHessian ?? 0;
  const { lambda, minChildWeight } = params;
  const G = node.g;
  const H = node.h;
  const C = node.count;
  if (H < 2 * minChildWeight || C < 2) return null;
  const bounded = node.lower > -Infinity || node.upper < Infinity;
  const parentScore = bounded
    ? scoreGivenWeight(G, H, lambda, leafWeight(G, H, lambda, node.lower, node.upper))
    : (G * G) / (H + lambda);
  const best: Split = {
    gain: params.minSplitGain > 0 ? params.minSplitGain : 0,
    feature: -1,
    bin: -1,
    defaultLeft: false,
    gLeft: 0,
    hLeft: 0,
    countLeft: 0,
    gRight: 0,
    hRight: 0,
    countRight: 0,
    countMissing: 0,
    weightLeft: 0,
    weightRight: 0,
  };
  for (let fi = 0; fi < features.length; fi++) {
    const f = features[fi];
    const nb = binned.valueBins[f];
    if (nb < 2) continue;
    const stride = binned.slotStride;
    const base = binned.histOffset[f] * stride;
    const missingCount = hist[base + nb * stride + 1];
    const constraint = monotone === undefined ? 0 : monotone[f];
    if (!bounded && constraint === 0 && missingCount === 0)
      scanPlain(hist, base, stride, nb, f, node, lambda, minChildWeight, parentScore, hScale, best);
    else scanGeneral(hist, base, stride, nb, f, node, constraint, lambda, minChildWeight, parentScore, hScale, best);
  }
  return best.feature >= 0 ? best : null;
}

export function record(
  best: Split,
  gain: number,
  f: number,
  b: number,
  defaultLeft: boolean,
  gl: number,
  hl: number,
  cl: number,
  node: NodeStats,
  mc: number,
  wl: number,
  wr: number,
): void {
  best.gain = gain;
  best.feature = f;
  best.bin = b;
  best.defaultLeft = defaultLeft;
  best.gLeft = gl;
  best.hLeft = hl;
  best.countLeft = cl;
  best.gRight = node.g - gl;
  best.hRight = node.h - hl;
  best.countRight = node.count - cl;
  best.countMissing = mc;
  best.weightLeft = wl;
  best.weightRight = wr;
}

/** The common case: no missing values, no bounds, no constraint. */
export function scanPlain(
  hist: Float64Array,
  base: number,
  stride: number,
  nb: number,
  f: number,
  node: NodeStats,
  lambda: number,
  minChildWeight: number,
  parentScore: number,
  hScale: number,
  best: Split,
): void {
  const G = node.g;
  const H = node.h;
  const C = node.count;
  let gl = 0;
  let hl = 0;
  let cl = 0;
  for (let b = 0, j = base; b < nb - 1; b++, j += stride) {
    const c = hist[j + 1];
    if (c === 0) continue; // an empty bin repeats the previous cut
    gl += hist[j];
    hl += hScale > 0 ? c * hScale : hist[j + 2];
    cl += c;
    if (hl < minChildWeight) continue;
    const hr = H - hl;
    if (hr < minChildWeight || cl >= C) break; // the right side only shrinks from here
    const gr = G - gl;
    const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
    if (gain > best.gain)
      record(best, gain, f, b, false, gl, hl, cl, node, 0, -gl / (hl + lambda), -gr / (hr + lambda));
  }
}

/** Missing values tried on both sides; weights clamped to the node's bounds; the monotone order enforced. */
export function scanGeneral(
  hist: Float64Array,
  base: number,
  stride: number,
  nb: number,
  f: number,
  node: NodeStats,
  constraint: number,
  lambda: number,
  minChildWeight: number,
  parentScore: number,
  hScale: number,
  best: Split,
): void {
  const G = node.g;
  const H = node.h;
  const C = node.count;
  const mj = base + nb * stride;
  const mg = hist[mj];
  const mc = hist[mj + 1];
  const mh = hScale > 0 ? mc * hScale : hist[mj + 2];
  let gl = 0;
  let hl = 0;
  let cl = 0;
  for (let b = 0, j = base; b < nb - 1; b++, j += stride) {
    const c = hist[j + 1];
    if (c === 0) continue;
    gl += hist[j];
    hl += hScale > 0 ? c * hScale : hist[j + 2];
    cl += c;
    if (C - cl - mc <= 0) break; // no value rows left for the right side
    // Missing values to the right, then (if any) to the left.
    for (let side = 0; side < (mc > 0 ? 2 : 1); side++) {
      const gL = side === 0 ? gl : gl + mg;
      const hL = side === 0 ? hl : hl + mh;
      const gR = G - gL;
      const hR = H - hL;
      if (hL < minChildWeight || hR < minChildWeight) continue;
      const wl = leafWeight(gL, hL, lambda, node.lower, node.upper);
      const wr = leafWeight(gR, hR, lambda, node.lower, node.upper);
      if ((constraint > 0 && wl > wr) || (constraint < 0 && wl < wr)) continue;
      const gain = scoreGivenWeight(gL, hL, lambda, wl) + scoreGivenWeight(gR, hR, lambda, wr) - parentScore;
      if (gain > best.gain) record(best, gain, f, b, side === 1, gL, hL, side === 0 ? cl : cl + mc, node, mc, wl, wr);
    }
  }
}

/** Where a split sends missing values: without any at the node the side was not learned, so where most weight went. */
export function defaultSide(s: Split): boolean {
  return s.countMissing > 0 ? s.defaultLeft : s.hLeft >= s.hRight;
}
