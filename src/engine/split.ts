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
import { SLOT } from './histogram.js';

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
  binned: BinnedMatrix,
  features: Int32Array,
  node: NodeStats,
  monotone: Int8Array | undefined,
  params: SplitParams,
): Split | null {
  const { lambda, minChildWeight } = params;
  const G = node.g;
  const H = node.h;
  const C = node.count;
  if (H < 2 * minChildWeight || C < 2) return null;
  const bounded = node.lower > -Infinity || node.upper < Infinity;
  const parentScore = bounded ? scoreGivenWeight(G, H, lambda, leafWeight(G, H, lambda, node.lower, node.upper)) : (G * G) / (H + lambda);

  let bestGain = params.minSplitGain > 0 ? params.minSplitGain : 0;
  let best: Split | null = null;

  for (let fi = 0; fi < features.length; fi++) {
    const f = features[fi];
    const nb = binned.valueBins[f];
    if (nb < 2) continue;
    const base = binned.histOffset[f] * SLOT;
    const mj = base + nb * SLOT;
    const mg = hist[mj];
    const mh = hist[mj + 1];
    const mc = hist[mj + 2];
    const constraint = monotone === undefined ? 0 : monotone[f];
    const plain = !bounded && constraint === 0;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 0, j = base; b < nb - 1; b++, j += SLOT) {
      gl += hist[j];
      hl += hist[j + 1];
      cl += hist[j + 2];
      if (cl === 0) continue;
      const crValues = C - cl - mc; // non-missing rows right of the cut
      if (crValues <= 0) break;
      // Missing values to the right, then (if any) to the left.
      for (let side = 0; side < (mc > 0 ? 2 : 1); side++) {
        const gL = side === 0 ? gl : gl + mg;
        const hL = side === 0 ? hl : hl + mh;
        const gR = G - gL;
        const hR = H - hL;
        if (hL < minChildWeight || hR < minChildWeight) continue;
        let gain: number;
        let wl: number;
        let wr: number;
        if (plain) {
          gain = (gL * gL) / (hL + lambda) + (gR * gR) / (hR + lambda) - parentScore;
          if (!(gain > bestGain)) continue;
          wl = -gL / (hL + lambda);
          wr = -gR / (hR + lambda);
        } else {
          wl = leafWeight(gL, hL, lambda, node.lower, node.upper);
          wr = leafWeight(gR, hR, lambda, node.lower, node.upper);
          if ((constraint > 0 && wl > wr) || (constraint < 0 && wl < wr)) continue;
          gain = scoreGivenWeight(gL, hL, lambda, wl) + scoreGivenWeight(gR, hR, lambda, wr) - parentScore;
          if (!(gain > bestGain)) continue;
        }
        bestGain = gain;
        const cL = side === 0 ? cl : cl + mc;
        best = {
          gain,
          feature: f,
          bin: b,
          defaultLeft: side === 1,
          gLeft: gL,
          hLeft: hL,
          countLeft: cL,
          gRight: gR,
          hRight: hR,
          countRight: C - cL,
          countMissing: mc,
          weightLeft: wl,
          weightRight: wr,
        };
      }
    }
  }
  return best;
}
