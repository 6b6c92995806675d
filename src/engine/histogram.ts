/**
 * Gradient histograms: for every (feature, bin) slot the sums of gradients and hessians and the row count of
 * the rows of one node. Stored interleaved in one Float64Array, three numbers per slot: [g, h, count].
 *
 * A child's histogram is built over its own rows (by row index, so nothing is copied); its sibling's is the
 * parent's minus it, so only the smaller child of each split ever costs a pass over rows.
 */

import type { BinnedMatrix } from './binning.js';

export const SLOT = 3;

export function newHistogram(binned: BinnedMatrix): Float64Array {
  return new Float64Array(binned.totalSlots * SLOT);
}

/**
 * Fills `hist` with the sums over rows index[start..end) for the given features (other features' slots are zeroed).
 * `orderedGrad`/`orderedHess` are scratch buffers: gradients are gathered once per node in row-index order, so the
 * per-feature loops read them sequentially. When `constantHessian` is a number, every row's hessian is that value
 * and the hessian sums are derived from the counts (the squared-error fast path).
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
  orderedGrad: Float64Array,
  orderedHess: Float64Array,
): void {
  hist.fill(0);
  const n = end - start;
  for (let k = 0; k < n; k++) orderedGrad[k] = grad[index[start + k]];
  if (constantHessian === undefined) for (let k = 0; k < n; k++) orderedHess[k] = hess[index[start + k]];

  for (let fi = 0; fi < features.length; fi++) {
    const f = features[fi];
    const col = binned.bins[f];
    const base = binned.histOffset[f] * SLOT;
    if (constantHessian === undefined) {
      for (let k = 0; k < n; k++) {
        const j = base + col[index[start + k]] * SLOT;
        hist[j] += orderedGrad[k];
        hist[j + 1] += orderedHess[k];
        hist[j + 2] += 1;
      }
    } else {
      for (let k = 0; k < n; k++) {
        const j = base + col[index[start + k]] * SLOT;
        hist[j] += orderedGrad[k];
        hist[j + 2] += 1;
      }
      const slots = binned.valueBins[f] + 1;
      for (let b = 0, j = base; b < slots; b++, j += SLOT) hist[j + 1] = hist[j + 2] * constantHessian;
    }
  }
}

/** sibling = parent − child, slot by slot. */
export function subtractHistogram(parent: Float64Array, child: Float64Array, sibling: Float64Array): void {
  for (let i = 0; i < parent.length; i++) sibling[i] = parent[i] - child[i];
}
