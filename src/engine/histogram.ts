/**
 * Gradient histograms: for every (feature, bin) slot the sums of gradients and hessians and the row count of
 * the rows of one node. Stored interleaved in one Float64Array, BinnedMatrix.slotStride numbers per slot:
 * [g, count, h], or [g, count] when hessians are constant (hessian sum = count × constant).
 *
 * A child's histogram is built over its own rows (by row index, so nothing is copied); its sibling's is the
 * parent's minus it, so only the smaller child of each split ever costs a pass over rows.
 */

import type { BinnedMatrix } from './binning.js';
import { wasmKernels } from './wasm-kernels.js';

/** Offsets inside a slot. */
export const GRAD = 0;
export const COUNT = 1;
export const HESS = 2;

/** A zeroed histogram: in the matrix's WebAssembly arena while it has room (see buildHistogram), else on the heap. */
export function newHistogram(binned: BinnedMatrix): Float64Array {
  const length = binned.totalSlots * binned.slotStride;
  return binned.arena?.float64(length) ?? new Float64Array(length);
}

/**
 * Fills `hist` with the sums over rows index[start..end) for the given features. Other features' slots are zero,
 * or, when at least half the features are given (colsampleByTree 0.8 draws 10 of 13), their sums too: the
 * all-features kernels (WebAssembly, or the written-out loop) are so much faster than the loop over a selection
 * that summing every feature costs less: the pipeline's CPU −10% like for like (README, issue 18's benchmarks). Split
 * search reads only the given features' slots, and those are the same bits either way (the same rows added in the
 * same order; test/engine/histogram.test.ts).
 * Rows are visited once each, and each of their features adds into slot (histOffset[f] + code) of the row's
 * byte code (BinnedMatrix.codes, row-major): consecutive updates touch different features' slots, which keeps the
 * additions independent (a feature-by-feature pass hits the same slot again and again on features with few
 * values). When `constantHessian` is a number every row's hessian is that value and is not summed: readers take
 * count × constantHessian (the squared-error fast path: one addition fewer per row and feature, and with
 * slotStride 2 a smaller histogram). Hessians are summed only when the layout has room (slotStride 3).
 * `contiguous`: index[k] = k over the range (a tree on all rows, at its root), so the rows are read in place.
 * `add`: the sums are added to the histogram's (a node's rows in several ranges, engine/level-job.ts), not reset.
 * When all the arrays are in the matrix's WebAssembly arena, the same sums run in WebAssembly (engine/wasm-kernels.ts:
 * 2.4–2.9× less CPU on 1,000,000 rows in isolation, same bits).
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
  contiguous = false,
  add = false,
): void {
  if (!add) hist.fill(0);
  const nf = binned.features;
  if (constantHessian === undefined && binned.slotStride !== 3)
    throw new RangeError('histogram layout has no hessian slots but hessians vary');
  const withHessian = constantHessian === undefined;
  const arena = binned.arena;
  const allFeatures = 2 * features.length >= nf; // see the header: then every feature is summed
  if (allFeatures && arena && [hist, index, grad, hess].every((a) => a.buffer === arena.buffer)) {
    const kernel = wasmKernels(arena, binned.histOffset, binned.slotStride).histogram[
      (withHessian ? 2 : 0) + (contiguous ? 1 : 0)
    ];
    kernel(hist.byteOffset, binned.codes.byteOffset, index.byteOffset, start, end, grad.byteOffset, hess.byteOffset);
  } else if (allFeatures && nf <= MAX_COMPILED_FEATURES) {
    kernelFor(binned, withHessian, contiguous)(hist, binned.codes, index, start, end, grad, hess);
  } else if (withHessian) {
    sumSelectedFeatures(hist, binned.codes, binned.histOffset, nf, features, index, start, end, grad, hess);
  } else {
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

/** Wider matrices take the plain loop: a written-out row of hundreds of features is more code than it saves. */
const MAX_COMPILED_FEATURES = 64;

type Kernel = (
  hist: Float64Array,
  codes: Uint8Array,
  index: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
) => void;

const kernels = new WeakMap<BinnedMatrix, (Kernel | undefined)[]>();

function kernelFor(binned: BinnedMatrix, withHessian: boolean, contiguous: boolean): Kernel {
  let cache = kernels.get(binned);
  if (!cache) {
    cache = [];
    kernels.set(binned, cache);
  }
  const key = (withHessian ? 2 : 0) + (contiguous ? 1 : 0);
  let kernel = cache[key];
  if (!kernel) {
    kernel = compileAllFeaturesKernel(binned.histOffset, binned.slotStride, withHessian, contiguous);
    cache[key] = kernel;
  }
  return kernel;
}

/**
 * The all-features row loop written out for one binned matrix (as engine/shap/kernel.ts does for SHAP): every
 * feature's histogram offset and the slot stride are constants, the loop over features is unrolled. The plain loop
 * reads each offset from memory and multiplies by a variable stride for every row and feature; written out, the
 * same additions run about twice as fast. Each slot still adds its rows in index order, so sums are equal bit for
 * bit to the plain loop's (test/engine/histogram.test.ts). `contiguous`: the rows are start..end themselves
 * (index is not read), as at the root of a tree grown on all rows. The source holds only integers of histOffset.
 *
 * Two rows per iteration: row k's additions come before row k+1's in every slot (even when both rows hit the same
 * slot), so each slot's order is still the index order; the pair's loads and index arithmetic overlap: ~13% off
 * a node's rows through an index (bench/scale's 200,000 rows, 9 features: 10.7–11.1 → 9.2–9.8 ns a row, shared
 * machine, load ~27), no change on the root's contiguous rows. An odd last row pairs with itself with gradient
 * +0 and count 0: adding +0 leaves every sum as it was (a sum that starts at +0 never becomes −0). One loop, not a
 * pair loop and a remainder loop: V8 would compile the function inside the first loop and deoptimise on reaching
 * the second (engine/row-jobs.ts).
 */
export function compileAllFeaturesKernel(
  histOffset: Int32Array,
  stride: number,
  withHessian: boolean,
  contiguous: boolean,
): Kernel {
  return new Function(...KERNEL_PARAMETERS, kernelSource(histOffset, stride, withHessian, contiguous)) as Kernel;
}

/** The kernels' parameters, in order: (hist, codes, index, start, end, grad, hess). */
export const KERNEL_PARAMETERS = ['hist', 'codes', 'index', 'start', 'end', 'grad', 'hess'] as const;

/**
 * The body of a written-out kernel for features from..to (all features by default): worker threads compile
 * their own share of the features with it (engine/threads.ts).
 */
export function kernelSource(
  histOffset: Int32Array,
  stride: number,
  withHessian: boolean,
  contiguous: boolean,
  from = 0,
  to = histOffset.length,
): string {
  const nf = histOffset.length;
  const slot = (f: number, a: string) =>
    stride === 2
      ? `(${histOffset[f]} + codes[${a} + ${f}]) << 1`
      : `(${histOffset[f]} + codes[${a} + ${f}]) * ${stride}`;
  const lines = [
    'for (let k = start; k < end; k += 2) {',
    '  const two = k + 1 < end;',
    contiguous ? '  const row = k;' : '  const row = index[k];',
    contiguous ? '  const row1 = two ? k + 1 : k;' : '  const row1 = two ? index[k + 1] : row;',
    `  const a = row * ${nf};`,
    `  const b = row1 * ${nf};`,
    '  const g = grad[row];',
    '  const g1 = two ? grad[row1] : 0;',
    '  const c1 = two ? 1 : 0;',
  ];
  if (withHessian) lines.push('  const h = hess[row];', '  const h1 = two ? hess[row1] : 0;');
  for (let f = from; f < to; f++) {
    lines.push(`  const j${f} = ${slot(f, 'a')};`, `  const i${f} = ${slot(f, 'b')};`);
    lines.push(`  hist[j${f}] += g; hist[j${f} + 1] += 1;${withHessian ? ` hist[j${f} + 2] += h;` : ''}`);
    lines.push(`  hist[i${f}] += g1; hist[i${f} + 1] += c1;${withHessian ? ` hist[i${f} + 2] += h1;` : ''}`);
  }
  lines.push('}');
  return lines.join('\n');
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
