/**
 * Quantile binning: each feature's values are mapped to at most 256 ordered bins (one byte per row and feature),
 * so histograms have a fixed, small size and split search costs O(bins) instead of O(rows).
 *
 * Bin b of a feature holds the values v with thresholds[b-1] <= v < thresholds[b]. A split "bins 0..b left" is
 * therefore exactly the raw-value rule `v < thresholds[b]` of tree.ts, so a tree grown on bins predicts raw rows
 * identically. Thresholds sit midway between the largest value of one bin and the smallest of the next.
 * Missing values (NaN) get their own bin, numbered after the value bins.
 */
import { countAtMost } from './cuts.js';
import type { WasmArena } from './wasm-kernels.js';

export const MAX_BINS = 256;

export interface FeatureBins {
  /** Upper thresholds between consecutive value bins (length = value bins − 1). */
  thresholds: Float64Array;
  /** Whether training data had NaN in this feature; if so bin `valueBins` holds them. */
  hasMissing: boolean;
}

export interface BinnedMatrix {
  rows: number;
  /** Number of features (columns). */
  features: number;
  /**
   * Row-major bin codes, rows × features, one byte each: row i's code for feature f is codes[i · features + f].
   * Histogram building reads every feature of one row, so a row is 9 adjacent bytes, not 9 distant columns; and one
   * byte a code keeps the whole matrix a quarter of precomputed 32-bit slot indices (it stays in cache longer).
   */
  codes: Uint8Array;
  /**
   * The same codes column-major, one Uint8Array per feature: partitioning reads one feature of many rows, and a
   * column keeps those reads adjacent (from the row-major codes each would touch a cache line of its own).
   */
  columns: Uint8Array[];
  /**
   * Numbers per histogram slot: 3 ([gradient, count, hessian]), or 2 ([gradient, count]) when every hessian is the
   * same constant and need not be summed — a third smaller histogram stays in the fastest cache.
   */
  slotStride: 2 | 3;
  /** Number of value bins per feature; the missing bin (if any) is numbered valueBins[f]. */
  valueBins: Int32Array;
  /** Thresholds per feature (see FeatureBins). */
  thresholds: Float64Array[];
  /** Offset of each feature's first bin in a flat histogram; every feature gets valueBins + 1 slots (the last for NaN). */
  histOffset: Int32Array;
  /** Total histogram slots over all features. */
  totalSlots: number;
  /** The WebAssembly memory the codes live in, when the fit runs the wasm kernels (engine/wasm-kernels.ts). */
  arena?: WasmArena;
}

/**
 * Bin thresholds for one feature. With at most `maxBins` distinct values each value gets its own bin; otherwise
 * bins hold about equal row counts (quantiles), and equal values always share a bin.
 */
/**
 * Working memory of findThresholds, for `rows` values: binMatrix passes one to all its columns, so a wide matrix
 * does not leave a column's worth of garbage per feature (which raised peak RSS by ~15 MB at 200,000 rows).
 */
export class BinningScratch {
  readonly finite: Float64Array;
  readonly counts: Uint32Array;
  readonly radix: Uint32Array;
  /** `finite` and `radix` may be given: memory the caller fills only after binning (see fit's gradients). */
  constructor(rows: number, finite?: Float64Array, radix?: Uint32Array) {
    this.finite = finite ?? new Float64Array(rows);
    this.counts = new Uint32Array(rows);
    this.radix = radix ?? new Uint32Array(2 * rows);
  }
}

export function findThresholds(
  values: Float64Array,
  maxBins: number,
  scratch: BinningScratch = new BinningScratch(values.length),
): FeatureBins {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_BINS)
    throw new RangeError(`maxBins must be an integer from 2 to ${MAX_BINS}, got ${maxBins}`);
  // Typed arrays throughout: a million rows pushed onto JS arrays cost more than the sort itself.
  if (scratch.finite.length < values.length) throw new RangeError('internal: binning scratch too small');
  const finite = scratch.finite;
  const nFinite = copyFinite(values, finite);
  const hasMissing = nFinite < values.length;
  // With a missing bin the value bins must leave room for it in a byte.
  const limit = hasMissing ? Math.min(maxBins, MAX_BINS - 1) : maxBins;
  const sorted = sortFloat64(finite.subarray(0, nFinite), scratch.radix);
  // Distinct values compacted into the front of `sorted` itself; counts beside them.
  const counts = scratch.counts;
  const nDistinct = compactDistinct(sorted, counts, nFinite);
  const distinct = sorted.subarray(0, nDistinct);
  const cutsAfter: number[] = []; // index into distinct: a cut lies between distinct[i] and distinct[i+1]
  if (distinct.length <= limit) {
    for (let i = 0; i + 1 < distinct.length; i++) cutsAfter.push(i);
  } else equalCountCuts(counts, nDistinct, nFinite, limit, cutsAfter);
  const thresholds = new Float64Array(cutsAfter.length);
  cutsAfter.forEach((i, b) => {
    const lo = distinct[i];
    const hi = distinct[i + 1];
    const mid = lo + (hi - lo) / 2;
    // Adjacent floats can round the midpoint onto lo; hi then still separates them under `v < threshold`.
    thresholds[b] = mid > lo && mid <= hi ? mid : hi;
  });
  return { thresholds, hasMissing };
}

/*
 * Binning's passes over a column are functions of one loop each: V8 compiles a hot function while it is still in
 * its first long loop, and that code gives up on reaching a later loop it has not seen run (engine/row-jobs.ts).
 * With these and writeCodes, binMatrix's first call in a process on 200,000 rows × 9 features went from ~430 to
 * ~200 ms CPU (bench/scale data, shared machine, load 9–18).
 */

/** Copies the non-NaN values into finite[0..); returns how many. */
function copyFinite(values: Float64Array, finite: Float64Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) finite[n++] = v; // NaN is the one value unequal to itself
  }
  return n;
}

/** Compacts sorted[0..n) to its distinct values in place, their row counts in counts; returns how many. */
function compactDistinct(sorted: Float64Array, counts: Uint32Array, n: number): number {
  let nDistinct = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || sorted[i] !== sorted[nDistinct - 1]) {
      sorted[nDistinct] = sorted[i];
      counts[nDistinct++] = 1;
    } else counts[nDistinct - 1]++;
  }
  return nDistinct;
}

/**
 * Greedy equal-count bins: close a bin once it holds its share of the rows still to place, or early when the next
 * value alone would fill a bin (a value shared by many rows then gets a bin of its own).
 */
function equalCountCuts(counts: Uint32Array, nDistinct: number, rows: number, limit: number, cutsAfter: number[]) {
  let remainingRows = rows;
  let remainingBins = limit;
  let inBin = 0;
  for (let i = 0; i + 1 < nDistinct && remainingBins > 1; i++) {
    inBin += counts[i];
    const share = remainingRows / remainingBins;
    if (inBin >= share || counts[i + 1] >= share) {
      cutsAfter.push(i);
      remainingRows -= inBin;
      remainingBins--;
      inBin = 0;
    }
  }
}

/**
 * Sorts finite (or infinite) numbers ascending in place, in the order Float64Array.prototype.sort gives (−0 before
 * +0), and returns the array. A least-significant-digit radix sort on the numbers' bits, 16 bits a pass, skipping
 * passes where every number has the same digit: about 5–10× faster than the built-in sort on 200,000 numbers,
 * which made the sort most of binning's cost. No NaN (binning leaves them out first).
 */
export function sortFloat64(
  values: Float64Array,
  work: Uint32Array = new Uint32Array(2 * values.length),
): Float64Array {
  const n = values.length;
  if (n < 2) return values;
  // Little-endian words: element i is (words[2i] low, words[2i+1] high). Map each number's bits to an unsigned key
  // whose order is the numbers' order: negative numbers get every bit flipped, the others only the sign bit.
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  toSortKeys(words);
  let from: Uint32Array = words;
  let to: Uint32Array = work.subarray(0, 2 * n);
  const counts = new Uint32Array(1 << 16);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1; // 0: low word, 1: high word
    const shift = (pass & 1) * 16;
    counts.fill(0);
    countDigits(from, word, shift, counts);
    if (counts[(from[word] >>> shift) & 0xffff] === n) continue; // one digit for all: this pass changes nothing
    digitStarts(counts);
    scatterByDigit(from, to, word, shift, counts);
    const t = from;
    from = to;
    to = t;
  }
  if (from !== words) words.set(from);
  fromSortKeys(words);
  return values;
}

function toSortKeys(words: Uint32Array): void {
  for (let i = 0; i < words.length; i += 2) {
    const negative = words[i + 1] >>> 31;
    words[i] ^= -negative;
    words[i + 1] ^= negative ? 0xffffffff : 0x80000000;
  }
}

function fromSortKeys(words: Uint32Array): void {
  for (let i = 0; i < words.length; i += 2) {
    const negative = (words[i + 1] >>> 31) ^ 1; // keys of negative numbers have the top bit clear
    words[i] ^= -negative;
    words[i + 1] ^= negative ? 0xffffffff : 0x80000000;
  }
}

function countDigits(keys: Uint32Array, word: number, shift: number, counts: Uint32Array): void {
  for (let i = word; i < keys.length; i += 2) counts[(keys[i] >>> shift) & 0xffff]++;
}

/** counts[d] becomes the number of keys with a smaller digit: where digit d's keys start. */
function digitStarts(counts: Uint32Array): void {
  let total = 0;
  for (let d = 0; d < counts.length; d++) {
    const c = counts[d];
    counts[d] = total;
    total += c;
  }
}

function scatterByDigit(from: Uint32Array, to: Uint32Array, word: number, shift: number, starts: Uint32Array): void {
  for (let i = 0; i < from.length; i += 2) {
    const at = 2 * starts[(from[i + word] >>> shift) & 0xffff]++;
    to[at] = from[i];
    to[at + 1] = from[i + 1];
  }
}

/** Bin code of a value: the number of thresholds <= value; NaN maps to the missing bin. */
export function binOf(thresholds: Float64Array, value: number): number {
  return Number.isNaN(value) ? thresholds.length + 1 : countAtMost(thresholds, value);
}

/**
 * Bins every column of a column-major matrix; `slotStride` 2 when hessians are constant (see BinnedMatrix);
 * `shared`: the codes (both layouts) go in SharedArrayBuffers, for worker threads (engine/threads.ts); `arena`:
 * in that WebAssembly memory, and the fit's histograms, row index and so on follow them there.
 */
export function binMatrix(
  columns: Float64Array[],
  rows: number,
  maxBins: number,
  slotStride: 2 | 3 = 3,
  shared = false,
  arena?: WasmArena,
  scratch = new BinningScratch(rows),
): BinnedMatrix {
  const nf = columns.length;
  const valueBins = new Int32Array(nf);
  const histOffset = new Int32Array(nf);
  const thresholds: Float64Array[] = [];
  const bytes = (n: number) =>
    (arena && !shared ? arena.uint8(n) : undefined) ??
    (shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n));
  const codes = bytes(rows * nf);
  const binColumns: Uint8Array[] = [];
  let offset = 0;
  for (let f = 0; f < nf; f++) {
    const col = columns[f];
    const fb = findThresholds(col, maxBins, scratch);
    const nb = fb.thresholds.length + 1;
    valueBins[f] = nb;
    thresholds.push(fb.thresholds);
    histOffset[f] = offset;
    offset += nb + 1;
    const column = bytes(rows);
    writeCodes(col, fb.thresholds, column, codes, f, nf);
    binColumns.push(column);
  }
  return {
    rows,
    features: nf,
    codes,
    columns: binColumns,
    slotStride,
    valueBins,
    thresholds,
    histOffset,
    totalSlots: offset,
    ...(arena && codes.buffer === arena.buffer ? { arena } : {}),
  };
}

/**
 * Every value's code (binOf) into column[i] and codes[i · nf + f]. A binary search per value costs 8 mispredicted
 * branches on unsorted data; instead a table over equal slices of the thresholds' range gives a code near the
 * value's, and a short walk down or up the thresholds makes it exact (the table only decides where the walk
 * starts, so it cannot change a code): binMatrix ~160 → ~100 ms CPU warm on 200,000 rows (shared machine, load ~18).
 */
function writeCodes(
  col: Float64Array,
  thresholds: Float64Array,
  column: Uint8Array,
  codes: Uint8Array,
  f: number,
  nf: number,
): void {
  const len = thresholds.length;
  const missing = len + 1;
  const slices = 4096;
  const low = len > 0 ? thresholds[0] : 0;
  const scale = len > 1 ? slices / (thresholds[len - 1] - low) : 0;
  const start = new Uint8Array(slices + 1);
  for (let b = 0; b <= slices; b++) start[b] = countAtMost(thresholds, low + b / scale);
  for (let i = 0, j = f; i < col.length; i++, j += nf) {
    const v = col[i];
    const x = (v - low) * scale;
    let c = start[x > 0 ? (x < slices ? x | 0 : slices) : 0];
    while (c > 0 && thresholds[c - 1] > v) c--;
    while (c < len && thresholds[c] <= v) c++;
    const code = v === v ? c : missing;
    column[i] = code;
    codes[j] = code;
  }
}
