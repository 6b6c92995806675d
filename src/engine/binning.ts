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
  if (scratch.finite.length < values.length) throw new RangeError('internal: binning scratch too small');
  // With a missing bin the value bins must leave room for it in a byte.
  return columnThresholds(values, maxBins, Math.min(maxBins, MAX_BINS - 1), scratch);
}

/**
 * findThresholds with its limits given: at most `limit` value bins, `limitWithMissing` when the column has NaN.
 * Self-contained (worker threads run its source, engine/bin-threads.ts).
 */
export function columnThresholds(
  values: Float64Array,
  limit: number,
  limitWithMissing: number,
  scratch: { finite: Float64Array; counts: Uint32Array; radix: Uint32Array },
): FeatureBins {
  // Typed arrays throughout: a million rows pushed onto JS arrays cost more than the sort itself.
  const finite = scratch.finite;
  const nFinite = copyFinite(values, finite);
  const hasMissing = nFinite < values.length;
  const bins = hasMissing ? limitWithMissing : limit;
  const sorted = sortFloat64(finite.subarray(0, nFinite), scratch.radix);
  // Distinct values compacted into the front of `sorted` itself; counts beside them.
  const counts = scratch.counts;
  const nDistinct = compactDistinct(sorted, counts, nFinite);
  const distinct = sorted.subarray(0, nDistinct);
  const cutsAfter: number[] = []; // index into distinct: a cut lies between distinct[i] and distinct[i+1]
  if (distinct.length <= bins) {
    for (let i = 0; i + 1 < distinct.length; i++) cutsAfter.push(i);
  } else equalCountCuts(counts, nDistinct, nFinite, bins, cutsAfter);
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
export function copyFinite(values: Float64Array, finite: Float64Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) finite[n++] = v; // NaN is the one value unequal to itself
  }
  return n;
}

/** Compacts sorted[0..n) to its distinct values in place, their row counts in counts; returns how many. */
export function compactDistinct(sorted: Float64Array, counts: Uint32Array, n: number): number {
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
export function equalCountCuts(
  counts: Uint32Array,
  nDistinct: number,
  rows: number,
  limit: number,
  cutsAfter: number[],
) {
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

export function toSortKeys(words: Uint32Array): void {
  for (let i = 0; i < words.length; i += 2) {
    const negative = words[i + 1] >>> 31;
    words[i] ^= -negative;
    words[i + 1] ^= negative ? 0xffffffff : 0x80000000;
  }
}

export function fromSortKeys(words: Uint32Array): void {
  for (let i = 0; i < words.length; i += 2) {
    const negative = (words[i + 1] >>> 31) ^ 1; // keys of negative numbers have the top bit clear
    words[i] ^= -negative;
    words[i + 1] ^= negative ? 0xffffffff : 0x80000000;
  }
}

export function countDigits(keys: Uint32Array, word: number, shift: number, counts: Uint32Array): void {
  for (let i = word; i < keys.length; i += 2) counts[(keys[i] >>> shift) & 0xffff]++;
}

/** counts[d] becomes the number of keys with a smaller digit: where digit d's keys start. */
export function digitStarts(counts: Uint32Array): void {
  let total = 0;
  for (let d = 0; d < counts.length; d++) {
    const c = counts[d];
    counts[d] = total;
    total += c;
  }
}

export function scatterByDigit(
  from: Uint32Array,
  to: Uint32Array,
  word: number,
  shift: number,
  starts: Uint32Array,
): void {
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
  binner?: FeatureBinner,
): BinnedMatrix {
  const nf = columns.length;
  const valueBins = new Int32Array(nf);
  const histOffset = new Int32Array(nf);
  const bytes = (n: number) =>
    (arena && !shared ? arena.uint8(n) : undefined) ??
    (shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n));
  const codes = bytes(rows * nf);
  const binColumns = columns.map(() => bytes(rows));
  const found: (FeatureBins | undefined)[] = [];
  // With a binner the workers take features from the back while this thread takes them from the front.
  binner?.start(columns, rows, maxBins, binColumns);
  for (let f = binner ? binner.next() : 0; f >= 0 && f < nf; f = binner ? binner.next() : f + 1) {
    found[f] = findThresholds(columns[f], maxBins, scratch);
    writeCodes(columns[f], found[f]!.thresholds, binColumns[f], codes, f, nf, countAtMost);
  }
  const elsewhere = binner?.finish() ?? [];
  const thresholds: Float64Array[] = [];
  let offset = 0;
  for (let f = 0; f < nf; f++) {
    // A worker's feature: its codes are in the column only (two threads writing one row's bytes would share cache lines).
    if (!found[f]) interleave(binColumns[f], codes, f, nf);
    const fb = found[f] ?? elsewhere[f];
    if (!fb) throw new Error(`internal: feature ${f} was not binned`);
    const nb = fb.thresholds.length + 1;
    valueBins[f] = nb;
    thresholds.push(fb.thresholds);
    histOffset[f] = offset;
    offset += nb + 1;
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

/** Bins some of a matrix's features on other threads (engine/bin-threads.ts). */
export interface FeatureBinner {
  /** Starts the workers on `columns`; they write each feature's codes they take into out[f]. */
  start(columns: Float64Array[], rows: number, maxBins: number, out: Uint8Array[]): void;
  /** The next feature for this thread, from the front; −1 once none is left. */
  next(): number;
  /** Waits for the workers; the bins of each feature they took (undefined for the others). */
  finish(): (FeatureBins | undefined)[];
}

/** codes[i · nf + f] = column[i]: a feature binned on another thread into the row-major codes. */
function interleave(column: Uint8Array, codes: Uint8Array, f: number, nf: number): void {
  for (let i = 0, j = f; i < column.length; i++, j += nf) codes[j] = column[i];
}

/**
 * Every value's code (binOf) into column[i] and codes[i · nf + f]. A binary search per value costs 8 mispredicted
 * branches on unsorted data; instead a table over equal slices of the thresholds' range gives a code near the
 * value's, and a short walk down or up the thresholds makes it exact (the table only decides where the walk
 * starts, so it cannot change a code): binMatrix ~160 → ~100 ms CPU warm on 200,000 rows (shared machine, load ~18).
 */
export function writeCodes(
  col: Float64Array,
  thresholds: Float64Array,
  column: Uint8Array,
  codes: Uint8Array,
  f: number,
  nf: number,
  atMost: typeof countAtMost,
): void {
  const len = thresholds.length;
  const missing = len + 1;
  const slices = 4096;
  const low = len > 0 ? thresholds[0] : 0;
  const scale = len > 1 ? slices / (thresholds[len - 1] - low) : 0;
  const start = new Uint8Array(slices + 1);
  for (let b = 0; b <= slices; b++) start[b] = atMost(thresholds, low + b / scale);
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

/**
 * A worker thread's part of binning a matrix (engine/bin-threads.ts): features taken from the back of the
 * matrix, one at a time, while the main thread takes them from the front — claims[0] holds the next front feature
 * in its low 16 bits and the end of the features left in its high 16, changed together so no feature is taken twice.
 * Only features from `first` on were copied where a worker can read them. Each feature's thresholds go to
 * thresholds[f · 256..] and their count and whether it had NaN to info[2f], info[2f + 1]; its codes to out[f].
 * Self-contained but for the functions of this file it calls (the workers get their source) and cuts.ts
 * countAtMost, given as `atMost` (a call to an import is not a plain call once compiled).
 */
export function binFeatures(
  job: {
    claims: Int32Array;
    first: number;
    columns: (Float64Array | undefined)[];
    out: Uint8Array[];
    rows: number;
    maxBins: number;
    limitWithMissing: number;
    thresholds: Float64Array;
    info: Int32Array;
  },
  atMost: typeof countAtMost,
): void {
  let scratch: { finite: Float64Array; counts: Uint32Array; radix: Uint32Array } | undefined;
  for (;;) {
    const claimed = Atomics.load(job.claims, 0);
    const [front, end] = [claimed & 0xffff, claimed >>> 16];
    if (end <= front || end - 1 < job.first) return;
    if (Atomics.compareExchange(job.claims, 0, claimed, front | ((end - 1) << 16)) !== claimed) continue;
    const f = end - 1;
    const column = job.columns[f]!;
    scratch ??= {
      finite: new Float64Array(job.rows),
      counts: new Uint32Array(job.rows),
      radix: new Uint32Array(2 * job.rows),
    };
    const bins = columnThresholds(column, job.maxBins, job.limitWithMissing, scratch);
    writeCodes(column, bins.thresholds, job.out[f], job.out[f], 0, 1, atMost);
    job.thresholds.set(bins.thresholds, f * 256);
    job.info[2 * f] = bins.thresholds.length;
    job.info[2 * f + 1] = bins.hasMissing ? 1 : 0;
  }
}
