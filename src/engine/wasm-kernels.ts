/**
 * WebAssembly versions of the single-thread fit's hot loops — the histogram sums, the partition of a node's rows
 * and the prediction update — written as readable code that engine/wasm-encode.ts turns into module bytes when a
 * fit starts (no compiler, no build step, no binary in the repo).
 *
 * No copies: a fit's large arrays (bin codes, gradients, hessians, predictions, the row index and its scratch, the
 * histograms) are allocated from one WebAssembly.Memory (a WasmArena), and the kernels take them as byte offsets
 * into it. A JS function that gets arrays outside the arena (an arena that was full, threads, no WebAssembly) runs
 * its JS loop instead. The kernels do the same float64 additions in the same order as the JS loops (each slot adds
 * its rows in index order; a SIMD f64x2 addition is two float64 additions), so models are byte-identical either way
 * (test/engine/wasm.test.ts).
 */

import { encodeModule, F64, I32, op, V128, type Bytes, type WasmFunction } from './wasm-encode.js';

const PAGE = 65536;
const MAX_PAGES = 65536;
const ALIGN = 16;

// Off in Deno (the notebooks' kernel) while a fault there is untraced: the model notebook's learning-curve check found
// a row whose paired change was another row's (3 of 5 test runs on 2026-12-06 with the kernels on, 0 of 3 off). The
// kernels are not shown to cause it: it was seen on 2026-12-05, before they existed (commit 03adec8; that run showed
// row 1 with row 2's change and interval, the same numbers, and its own MAPE), and 5 test runs with them on passed
// on 2026-12-06 08:16-08:43 UTC. The wrong value is a field of a plain object the notebook cell builds, which no fit
// writes (the fits are the same bit for bit either way), and no array a fit returns is a view of its arena
// (test/engine/wasm.test.ts).
let enabled = !('Deno' in globalThis);

/** Turns the WebAssembly kernels off (true: on, the default) for the fits that start after it; tests compare both. */
export function useWasmKernels(on: boolean): void {
  enabled = on;
}

/** One WebAssembly.Memory that a fit's arrays are carved from (a bump allocator: nothing is freed before the fit ends). */
export class WasmArena {
  private next = 0;
  private constructor(readonly memory: WebAssembly.Memory) {}

  /**
   * An arena of `bytes`, or undefined where WebAssembly is off, missing or cannot hold that many. `shared`: over a
   * SharedArrayBuffer, for a fit's worker threads (engine/threads.ts), which instantiate the kernels on it too.
   */
  static create(bytes: number, shared = false): WasmArena | undefined {
    if (!enabled || typeof WebAssembly !== 'object') return undefined;
    const pages = Math.ceil(bytes / PAGE) + 1;
    if (pages > MAX_PAGES) return undefined;
    try {
      return new WasmArena(
        new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared } : { initial: pages }),
      );
    } catch {
      return undefined;
    }
  }

  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  get shared(): boolean {
    return (this.memory.buffer as unknown) instanceof SharedArrayBuffer;
  }

  private take(bytes: number): number | undefined {
    const at = this.next;
    if (at + bytes > this.memory.buffer.byteLength) return undefined;
    this.next = at + Math.ceil(bytes / ALIGN) * ALIGN;
    return at;
  }

  uint8(length: number): Uint8Array | undefined {
    const at = this.take(length);
    return at === undefined ? undefined : new Uint8Array(this.memory.buffer, at, length);
  }

  uint32(length: number): Uint32Array | undefined {
    const at = this.take(length * 4);
    return at === undefined ? undefined : new Uint32Array(this.memory.buffer, at, length);
  }

  float64(length: number): Float64Array | undefined {
    const at = this.take(length * 8);
    return at === undefined ? undefined : new Float64Array(this.memory.buffer, at, length);
  }
}

/**
 * Bytes a fit's arena needs: codes in both layouts, grad, hess, pred, index, scratch, the split's side table, the
 * segments' side tables (`nodes` of them) and `histograms` histograms. Pages never written take no memory.
 */
export function arenaBytes(
  rows: number,
  features: number,
  histogramBytes: number,
  histograms: number,
  nodes: number,
): number {
  const a = (b: number) => Math.ceil(b / ALIGN) * ALIGN;
  const codes = a(rows * features) + features * a(rows);
  return codes + 3 * a(rows * 8) + 2 * a(rows * 4) + a(257) + a(nodes * 257) + histograms * a(histogramBytes);
}

export interface WasmKernels {
  /** Histogram sums (see histogram.ts buildHistogram); `key`: 2 × withHessian + contiguous. */
  histogram: ((...args: number[]) => void)[];
  /** Stable partition (row-jobs.ts splitRows, then the right rows copied back); returns where they begin. */
  split: (col: number, sides: number, index: number, scratch: number, start: number, end: number) => number;
  addLeaf: (pred: number, index: number, from: number, to: number, value: number) => void;
  addRouted: (
    pred: number,
    index: number,
    col: number,
    sides: number,
    from: number,
    to: number,
    right: number,
    left: number,
  ) => void;
}

const instances = new WeakMap<Int32Array, WasmKernels>();

/** The kernels for one binned matrix's histogram layout, over `arena`'s memory (compiled once per matrix). */
export function wasmKernels(arena: WasmArena, histOffset: Int32Array, stride: number): WasmKernels {
  let kernels = instances.get(histOffset);
  if (!kernels) {
    const fns = [false, true].flatMap((withHessian) =>
      [false, true].map((contiguous) => histogramFunction(histOffset, stride, withHessian, contiguous)),
    );
    fns.push(splitFunction(), addLeafFunction(), addRoutedFunction());
    const bytes = encodeModule(fns, arena.memory.buffer.byteLength / PAGE, arena.shared);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: arena.memory } });
    const e = instance.exports as Record<string, (...args: number[]) => number>;
    kernels = {
      histogram: [e.h0, e.h1, e.h2, e.h3],
      split: e.split,
      addLeaf: e.addLeaf,
      addRouted: e.addRouted,
    };
    instances.set(histOffset, kernels);
  }
  return kernels;
}

const { get, set, tee } = op;
const c = op.i32Const;

/**
 * The module of a fit's threads (engine/threads.ts) over `arena`'s shared memory: the histogram sums of each of
 * `groups` feature groups (features ⌊nf·g/groups⌋ onwards; export `g${2g + withHessian}`, over index rows),
 * addLeaf, addRouted and split (a stable partition of a range, its scratch at the range's own positions). Worker
 * threads instantiate the same module on the same memory.
 */
export function threadModule(
  arena: WasmArena,
  histOffset: Int32Array,
  stride: number,
  groups: number,
): WebAssembly.Module {
  const nf = histOffset.length;
  // Per group g: g… over index[start..end), c… over the rows start..end themselves (the root on every row).
  const group = (g: number) => Math.floor((nf * g) / groups);
  const fns = Array.from({ length: groups }, (_, g) =>
    [false, true].flatMap((withHessian) =>
      [false, true].map((contiguous) => ({
        ...histogramFunction(histOffset, stride, withHessian, contiguous, group(g), group(g + 1)),
        name: `${contiguous ? 'c' : 'g'}${2 * g + (withHessian ? 1 : 0)}`,
      })),
    ),
  ).flat();
  fns.push(addLeafFunction(), addRoutedFunction(), splitFunction());
  return new WebAssembly.Module(encodeModule(fns, arena.memory.buffer.byteLength / PAGE, arena.shared));
}

/**
 * hist(hist, codes, index, start, end, grad, hess): for each row of index[start..end) (or start..end itself when
 * contiguous), every feature's slot of the row's code gets [g, 1] added as one f64x2 addition (and h after them
 * when withHessian). The feature loop is written out, each feature's first slot a constant load/store offset.
 * Features from..to only, when given.
 */
function histogramFunction(
  histOffset: Int32Array,
  stride: number,
  withHessian: boolean,
  contiguous: boolean,
  from = 0,
  to = histOffset.length,
): WasmFunction {
  const [hist, codes, index, start, end, grad, hess, k, kEnd, row, a, j, gv, h] = [...Array(14).keys()];
  const nf = histOffset.length;
  const slotBytes = stride * 8;
  const step = contiguous ? 1 : 4;
  const body: Bytes[] = [op.block(), get(start), get(end), op.i32GeU(), op.brIf(0)];
  if (contiguous) body.push(get(start), set(k), get(end), set(kEnd));
  else body.push(get(index), get(start), c(2), op.i32Shl(), op.i32Add(), set(k));
  if (!contiguous) body.push(get(index), get(end), c(2), op.i32Shl(), op.i32Add(), set(kEnd));
  body.push(op.loop(), get(k));
  if (!contiguous) body.push(op.i32Load());
  body.push(set(row), get(codes), get(row), c(nf), op.i32Mul(), op.i32Add(), set(a));
  body.push(get(grad), get(row), c(3), op.i32Shl(), op.i32Add(), op.f64Load(), op.f64x2Splat());
  body.push(op.f64Const(1), op.f64x2ReplaceLane(1), set(gv));
  if (withHessian) body.push(get(hess), get(row), c(3), op.i32Shl(), op.i32Add(), op.f64Load(), set(h));
  for (let f = from; f < to; f++) {
    const at = histOffset[f] * slotBytes;
    body.push(get(hist), get(a), op.i32Load8u(f), ...(stride === 2 ? [c(4), op.i32Shl()] : [c(24), op.i32Mul()]));
    body.push(op.i32Add(), set(j), get(j), get(j), op.v128Load(at), get(gv), op.f64x2Add(), op.v128Store(at));
    if (withHessian) body.push(get(j), get(j), op.f64Load(at + 16), get(h), op.f64Add(), op.f64Store(at + 16));
  }
  body.push(get(k), c(step), op.i32Add(), tee(k), get(kEnd), op.i32LtU(), op.brIf(0), op.end(), op.end());
  return {
    name: `h${(withHessian ? 2 : 0) + (contiguous ? 1 : 0)}`,
    params: [I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, I32, I32, I32, V128, F64],
    body,
  };
}

/**
 * The branch-free loop both split kernels share (locals by index): each row index[k], k from k to kEnd, is stored at
 * both cursors l and r; sides[col[row]] (1: left) advances l by 4 bytes, else r.
 */
function splitLoop(
  col: number,
  sides: number,
  k: number,
  kEnd: number,
  l: number,
  r: number,
  row: number,
  s4: number,
): Bytes[] {
  return [
    ...[op.block(), get(k), get(kEnd), op.i32GeU(), op.brIf(0), op.loop()],
    ...[get(k), op.i32Load(), set(row), get(l), get(row), op.i32Store(), get(r), get(row), op.i32Store()],
    ...[get(sides), get(col), get(row), op.i32Add(), op.i32Load8u(), op.i32Add(), op.i32Load8u()],
    ...[c(2), op.i32Shl(), set(s4), get(l), get(s4), op.i32Add(), set(l)],
    ...[get(r), c(4), op.i32Add(), get(s4), op.i32Sub(), set(r)],
    ...[get(k), c(4), op.i32Add(), tee(k), get(kEnd), op.i32LtU(), op.brIf(0), op.end(), op.end()],
  ];
}

/** split(col, sides, index, scratch, start, end): splitRows's loop, then memory.copy of the right rows. */
function splitFunction(): WasmFunction {
  const [col, sides, index, scratch, start, end, k, kEnd, l, r, row, s4] = [...Array(12).keys()];
  const body: Bytes[] = [
    ...[get(index), get(start), c(2), op.i32Shl(), op.i32Add(), tee(l), set(k), get(scratch), set(r)],
    ...[get(index), get(end), c(2), op.i32Shl(), op.i32Add(), set(kEnd)],
    ...splitLoop(col, sides, k, kEnd, l, r, row, s4),
    ...[get(l), get(scratch), get(r), get(scratch), op.i32Sub(), op.memoryCopy()],
    ...[get(l), get(index), op.i32Sub(), c(2), op.i32ShrU()],
  ];
  return { name: 'split', params: [I32, I32, I32, I32, I32, I32], results: [I32], locals: Array(6).fill(I32), body };
}

/** The loop over index[from..to) shared by the prediction updates: `add` leaves the row's value on the stack. */
function predictionLoop(index: number, from: number, to: number, k: number, kEnd: number, p: number, add: Bytes[]) {
  return [
    ...[get(index), get(from), c(2), op.i32Shl(), op.i32Add(), set(k)],
    ...[get(index), get(to), c(2), op.i32Shl(), op.i32Add(), set(kEnd)],
    ...[op.block(), get(k), get(kEnd), op.i32GeU(), op.brIf(0), op.loop()],
    ...[get(p), get(k), op.i32Load(), ...add, get(k), c(4), op.i32Add(), tee(k), get(kEnd), op.i32LtU(), op.brIf(0)],
    ...[op.end(), op.end()],
  ];
}

/** addLeaf(pred, index, from, to, value): pred[index[k]] += value (row-jobs.ts addLeafValue). */
function addLeafFunction(): WasmFunction {
  const [pred, index, from, to, value, k, kEnd, p] = [...Array(8).keys()];
  // Stack on entry to `add`: pred, row.
  const add = [c(3), op.i32Shl(), op.i32Add(), tee(p), get(p), op.f64Load(), get(value), op.f64Add(), op.f64Store()];
  return {
    name: 'addLeaf',
    params: [I32, I32, I32, I32, F64],
    results: [],
    locals: [I32, I32, I32],
    body: predictionLoop(index, from, to, k, kEnd, pred, add),
  };
}

/** addRouted(pred, index, col, sides, from, to, right, left): row-jobs.ts addRoutedValues for one segment. */
function addRoutedFunction(): WasmFunction {
  const [pred, index, col, sides, from, to, right, left, k, kEnd, p, row] = [...Array(12).keys()];
  const add = [
    ...[tee(row), c(3), op.i32Shl(), op.i32Add(), tee(p), get(p), op.f64Load(), get(left), get(right)],
    ...[get(sides), get(col), get(row), op.i32Add(), op.i32Load8u(), op.i32Add(), op.i32Load8u(), op.select()],
    ...[op.f64Add(), op.f64Store()],
  ];
  return {
    name: 'addRouted',
    params: [I32, I32, I32, I32, I32, I32, F64, F64],
    results: [],
    locals: [I32, I32, I32, I32],
    body: predictionLoop(index, from, to, k, kEnd, pred, add),
  };
}
