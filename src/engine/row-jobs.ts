/**
 * The grower's passes over row ranges — partitioning a node's rows, adding leaf values to the predictions — as
 * plain functions of typed arrays: the grower runs them on one thread, and engine/threads.ts sends their source to
 * worker threads, which run them on fixed blocks of a range (so each must use nothing but its arguments).
 *
 * One loop per function: V8 compiles a hot function while it is still in its first long loop (on-stack
 * replacement), before any later loop of the same function has run; that code then gives up ("insufficient type
 * feedback") on reaching the later loop, on every call — 6,000 times in a 200-tree fit when the partition's two
 * loops shared a function.
 */

import type { BinnedMatrix } from './binning.js';
import { wasmKernels, type WasmArena } from './wasm-kernels.js';

/**
 * Stable partition of index[start..end) by sides[col[row]] (1: left): left rows are written back from start on,
 * right rows to scratch from 0; returns where the left rows end. Every row is written to both buffers and each
 * cursor advances by 0 or 1: no branch for the CPU to mispredict on rows that go either way.
 */
export function splitRows(
  col: Uint8Array,
  sides: Uint8Array,
  index: Uint32Array,
  scratch: Uint32Array,
  start: number,
  end: number,
): number {
  let l = start;
  let r = 0;
  for (let k = start; k < end; k++) {
    const row = index[k];
    const goLeft = sides[col[row]];
    index[l] = row;
    scratch[r] = row;
    l += goLeft;
    r += 1 - goLeft;
  }
  return l;
}

/** to[at..at+count) = from[offset..offset+count): a plain loop (a subarray per call costs more on small nodes). */
export function copyRows(to: Uint32Array, at: number, from: Uint32Array, offset: number, count: number): void {
  for (let i = 0; i < count; i++) to[at + i] = from[offset + i];
}

/**
 * A whole node's stable partition in JS (splitRows, then the right rows copied back), its scratch at the node's own
 * positions of `scratch`, so threads on other nodes never share one; returns the mid. Large nodes' right rows go back
 * by a native copy: 10% off the partition's CPU on bench/scale's 200,000 rows.
 */
export function partitionNode(
  col: Uint8Array,
  sides: Uint8Array,
  index: Uint32Array,
  scratch: Uint32Array,
  start: number,
  end: number,
): number {
  const own = scratch.subarray(start, end);
  const l = splitRows(col, sides, index, own, start, end);
  if (end - l < 256) copyRows(index, l, own, 0, end - l);
  else index.set(own.subarray(0, end - l), l);
  return l;
}

/** Thread me's block of start..end: fixed by the range and the thread count alone. */
export function blockStart(start: number, end: number, me: number, threads: number): number {
  return start + Math.floor(((end - start) * me) / threads);
}

/** pred[index[k]] += value for k in from..to (the rows of one leaf). */
export function addLeafValue(pred: Float64Array, index: Uint32Array, from: number, to: number, value: number): void {
  for (let k = from; k < to; k++) pred[index[k]] += value;
}

/**
 * The rows index[from..to) of a node split without partitioning (both children leaves): each row gets
 * values[at + sides[side + col[row]]] — values[at] the right leaf's, values[at + 1] the left one's.
 */
export function addRoutedValues(
  pred: Float64Array,
  index: Uint32Array,
  col: Uint8Array,
  sides: Uint8Array,
  side: number,
  values: Float64Array,
  at: number,
  from: number,
  to: number,
): void {
  for (let k = from; k < to; k++) {
    const row = index[k];
    pred[row] += values[at + sides[side + col[row]]];
  }
}

/**
 * Where the rows of a grown tree go: one segment per leaf, or per node split without partitioning, each a range of
 * the grower's row index. feature −1: a leaf whose value is values[2s]; else the node's split feature, its rows
 * routed by sides[s·SIDES..] (see addRoutedValues). Over SharedArrayBuffers when threads add them.
 */
export interface Segments {
  start: Int32Array;
  end: Int32Array;
  feature: Int32Array;
  values: Float64Array;
  sides: Uint8Array;
}

/** Bytes of one segment's side table: one per bin code (MAX_BINS + 1 with the missing bin). */
export const SIDES = 257;

/** `arena`: the side tables go there, for the WebAssembly prediction update (see addSegmentsOf). */
export function newSegments(capacity: number, shared: boolean, arena?: WasmArena): Segments {
  const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    start: new Int32Array(buffer(capacity * 4)),
    end: new Int32Array(buffer(capacity * 4)),
    feature: new Int32Array(buffer(capacity * 4)),
    values: new Float64Array(buffer(capacity * 16)),
    sides: (shared ? undefined : arena?.uint8(capacity * SIDES)) ?? new Uint8Array(buffer(capacity * SIDES)),
  };
}

/** Whether every array is a view of the arena's memory (the WebAssembly kernels take them as offsets into it). */
export function inArena(arena: WasmArena | undefined, ...arrays: ArrayBufferView[]): arena is WasmArena {
  return arena !== undefined && arrays.every((a) => a.buffer === arena.buffer);
}

/**
 * Stable in-place partition of index[start..end) by sides[column f's code] (splitRows, then the right rows copied
 * back from scratch); returns where the right rows begin. In WebAssembly when the arrays are in the matrix's arena.
 */
export function partitionRows(
  binned: BinnedMatrix,
  f: number,
  sides: Uint8Array,
  index: Uint32Array,
  scratch: Uint32Array,
  start: number,
  end: number,
): number {
  const col = binned.columns[f];
  const arena = binned.arena;
  if (inArena(arena, col, sides, index, scratch)) {
    const split = wasmKernels(arena, binned.histOffset, binned.slotStride).split;
    return split(col.byteOffset, sides.byteOffset, index.byteOffset, scratch.byteOffset, start, end);
  }
  return partitionNode(col, sides, index, scratch, start, end);
}

/** addSegments over all rows 0..rows of one thread, in WebAssembly when the arrays are in the matrix's arena. */
export function addSegmentsOf(
  binned: BinnedMatrix,
  pred: Float64Array,
  index: Uint32Array,
  segments: Segments,
  count: number,
  rows: number,
): void {
  const arena = binned.arena;
  if (!inArena(arena, pred, index, segments.sides, ...binned.columns)) {
    addSegments(pred, index, binned.columns, segments, count, 0, rows);
    return;
  }
  const { addLeaf, addRouted } = wasmKernels(arena, binned.histOffset, binned.slotStride);
  const { start, end, feature, values, sides } = segments;
  for (let s = 0; s < count; s++) {
    const f = feature[s];
    if (f < 0) addLeaf(pred.byteOffset, index.byteOffset, start[s], end[s], values[2 * s]);
    else {
      const col = binned.columns[f].byteOffset;
      const at = sides.byteOffset + s * SIDES;
      addRouted(pred.byteOffset, index.byteOffset, col, at, start[s], end[s], values[2 * s], values[2 * s + 1]);
    }
  }
}

/** Adds the first `count` segments' values to pred for the positions from..to of the index only. */
export function addSegments(
  pred: Float64Array,
  index: Uint32Array,
  columns: Uint8Array[],
  segments: Segments,
  count: number,
  from: number,
  to: number,
): void {
  for (let s = 0; s < count; s++) {
    const a = Math.max(segments.start[s], from);
    const b = Math.min(segments.end[s], to);
    if (a >= b) continue;
    const f = segments.feature[s];
    if (f < 0) addLeafValue(pred, index, a, b, segments.values[2 * s]);
    else addRoutedValues(pred, index, columns[f], segments.sides, s * 257, segments.values, 2 * s, a, b);
  }
}

/**
 * A threaded round's start on rows from..to (engine/threads.ts runRound): squared error's gradients, pred − y as
 * objective.ts writes them, and the root's row index (every row, in order). Element-wise: any blocks give the same.
 */
export function startRows(
  y: Float64Array,
  pred: Float64Array,
  grad: Float64Array,
  index: Uint32Array,
  from: number,
  to: number,
): void {
  for (let i = from; i < to; i++) {
    grad[i] = pred[i] - y[i];
    index[i] = i;
  }
}

/**
 * The root's gradient sum and the sum of squared gradients over rows 0..n, in row order — the one-thread fit's two
 * sums (TreeGrower.grow's and the loss objective.ts returns) bit for bit, so one thread must run it whole.
 */
export function rootSums(grad: Float64Array, n: number, out: Float64Array): void {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    sum += g;
    squares += g * g;
  }
  out[0] = sum;
  out[1] = squares;
}

/**
 * values[rows[0]] + values[rows[1]] + … in that order. A function of its own: as a loop inside TreeGrower.grow() it
 * was compiled on-stack mid-loop, before the code after it had run, and that code left it at every tree (200
 * deoptimisations a fit).
 */
export function sumOfRows(values: Float64Array, rows: Uint32Array): number {
  let sum = 0;
  for (let k = 0; k < rows.length; k++) sum += values[rows[k]];
  return sum;
}
