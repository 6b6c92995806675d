/**
 * Gradient histograms: for every (feature, bin) slot the sums of gradients and hessians and the row count of
 * the rows of one node. Stored interleaved in one Float64Array, BinnedMatrix.slotStride numbers per slot:
 * [g, count, h], or [g, count] when hessians are constant (hessian sum = count × constant).
 *
 * A child's histogram is built over its own rows (by row index, so nothing is copied); its sibling's is the
 * parent's minus it, so only the smaller child of each split ever costs a pass over rows.
 */

import type { BinnedMatrix } from './binning.js';

/** Offsets inside a slot. */
export const GRAD = 0;
export const COUNT = 1;
export const HESS = 2;

export function newHistogram(binned: BinnedMatrix): Float64Array {
  return new Float64Array(binned.totalSlots * binned.slotStride);
}

/**
 * Fills `hist` with the sums over rows index[start..end) for the given features (other features' slots are zero).
 * Rows are visited once each, and each of their features adds into slot (histOffset[f] + code) of the row's
 * byte code (BinnedMatrix.codes, row-major): consecutive updates touch different features' slots, which keeps the
 * additions independent (a feature-by-feature pass hits the same slot again and again on features with few
 * values). When `constantHessian` is a number every row's hessian is that value and is not summed: readers take
 * count × constantHessian (the squared-error fast path: one addition fewer per row and feature, and with
 * slotStride 2 a smaller histogram). Hessians are summed only when the layout has room (slotStride 3).
 */
export function buildHistogram(
  hist: Float64Array,
  binned: BinnedMatrix,
  features: Int32Array,
  index: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  constantHessian: number | undefined,
): void {
  hist.fill(0);
  const nf = binned.features;
  // One small function per case keeps each hot loop free of branches V8 has never seen (which cost deopts).
  if (constantHessian === undefined && binned.slotStride !== 3)
    throw new RangeError('histogram layout has no hessian slots but hessians vary');
  if (features.length === nf) {
    if (constantHessian === undefined)
      sumAllFeatures(hist, binned.codes, binned.histOffset, nf, index, start, end, grad, hess);
    else
      sumAllFeaturesConstantHessian(
        hist,
        binned.codes,
        binned.histOffset,
        binned.slotStride,
        nf,
        index,
        start,
        end,
        grad,
      );
  } else {
    if (constantHessian === undefined)
      sumSelectedFeatures(hist, binned.codes, binned.histOffset, nf, features, index, start, end, grad, hess);
    else
      sumSelectedFeaturesConstantHessian(
        hist,
        binned.codes,
        binned.histOffset,
        binned.slotStride,
        nf,
        features,
        index,
        start,
        end,
        grad,
      );
  }
}

function sumAllFeatures(
  hist: Float64Array,
  codes: Uint8Array,
  histOffset: Int32Array,
  nf: number,
  index: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  for (let k = start; k < end; k++) {
    const row = index[k];
    const g = grad[row];
    const h = hess[row];
    for (let f = 0, at = row * nf; f < nf; f++, at++) {
      const j = (histOffset[f] + codes[at]) * 3;
      hist[j] += g;
      hist[j + 1] += 1;
      hist[j + 2] += h;
    }
  }
}

function sumAllFeaturesConstantHessian(
  hist: Float64Array,
  codes: Uint8Array,
  histOffset: Int32Array,
  stride: number,
  nf: number,
  index: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
): void {
  // Two features per iteration: different features never share a slot, so the two updates are independent.
  const pairs = nf & ~1;
  for (let k = start; k < end; k++) {
    const row = index[k];
    const g = grad[row];
    const first = row * nf;
    for (let f = 0; f < pairs; f += 2) {
      const j0 = (histOffset[f] + codes[first + f]) * stride;
      const j1 = (histOffset[f + 1] + codes[first + f + 1]) * stride;
      hist[j0] += g;
      hist[j0 + 1] += 1;
      hist[j1] += g;
      hist[j1 + 1] += 1;
    }
    if (pairs < nf) {
      const j = (histOffset[pairs] + codes[first + pairs]) * stride;
      hist[j] += g;
      hist[j + 1] += 1;
    }
  }
}

function sumSelectedFeatures(
  hist: Float64Array,
  codes: Uint8Array,
  histOffset: Int32Array,
  nf: number,
  features: Int32Array,
  index: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  const nSel = features.length;
  for (let k = start; k < end; k++) {
    const row = index[k];
    const g = grad[row];
    const h = hess[row];
    const at = row * nf;
    for (let s = 0; s < nSel; s++) {
      const f = features[s];
      const j = (histOffset[f] + codes[at + f]) * 3;
      hist[j] += g;
      hist[j + 1] += 1;
      hist[j + 2] += h;
    }
  }
}

function sumSelectedFeaturesConstantHessian(
  hist: Float64Array,
  codes: Uint8Array,
  histOffset: Int32Array,
  stride: number,
  nf: number,
  features: Int32Array,
  index: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
): void {
  const nSel = features.length;
  for (let k = start; k < end; k++) {
    const row = index[k];
    const g = grad[row];
    const at = row * nf;
    for (let s = 0; s < nSel; s++) {
      const f = features[s];
      const j = (histOffset[f] + codes[at + f]) * stride;
      hist[j] += g;
      hist[j + 1] += 1;
    }
  }
}

/**
 * Sums over rows index[start..end) for the selected features features[from..to) only, into slots that must already
 * be zero. Worker threads run this on disjoint feature ranges of one histogram (engine/threads.ts): every slot
 * still sums its rows in index order, so the result is bit for bit the single-thread one. Self-contained (it uses
 * nothing but its arguments) because threads.ts sends its source text to the workers.
 */
export function sumFeatureRange(
  hist: Float64Array,
  codes: Uint8Array,
  histOffset: Int32Array,
  stride: number,
  nf: number,
  features: Int32Array,
  from: number,
  to: number,
  index: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  withHessian: number,
): void {
  for (let k = start; k < end; k++) {
    const row = index[k];
    const g = grad[row];
    const at = row * nf;
    if (withHessian === 1) {
      const h = hess[row];
      for (let s = from; s < to; s++) {
        const f = features[s];
        const j = (histOffset[f] + codes[at + f]) * stride;
        hist[j] += g;
        hist[j + 1] += 1;
        hist[j + 2] += h;
      }
    } else {
      for (let s = from; s < to; s++) {
        const f = features[s];
        const j = (histOffset[f] + codes[at + f]) * stride;
        hist[j] += g;
        hist[j + 1] += 1;
      }
    }
  }
}

/** parent −= child, slot by slot: the parent's histogram becomes the sibling's (the parent's is not needed again). */
export function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  const n = parent.length;
  for (let i = 0; i < n; i++) parent[i] -= child[i];
}
