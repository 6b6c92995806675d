/**
 * The WebAssembly kernels (engine/wasm-kernels.ts) must give the JS loops' bits exactly: the same histograms, the
 * same partitions, the same prediction updates, and so byte-identical models.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { binMatrix } from '../../src/engine/binning.js';
import { fit, serialize, type FitOptions } from '../../src/engine/index.js';
import { buildHistogram, newHistogram } from '../../src/engine/histogram.js';
import { addSegmentsOf, inArena, newSegments, partitionRows, SIDES } from '../../src/engine/row-jobs.js';
import { arenaBytes, useWasmKernels, WasmArena } from '../../src/engine/wasm-kernels.js';
import { createRng } from '../../src/engine/random.js';
import { synthetic } from './helpers.js';

afterEach(() => useWasmKernels(true));

function data(n: number, seed: number) {
  const rng = createRng(seed);
  const columns = [0, 1, 2].map((f) =>
    Float64Array.from({ length: n }, () => (rng.nextFloat() < 0.05 ? NaN : Math.round(rng.nextFloat() * 40 * (f + 1)))),
  );
  const grad = Float64Array.from({ length: n }, () => rng.nextFloat() - 0.5);
  const hess = Float64Array.from({ length: n }, () => 0.1 + rng.nextFloat());
  return { columns, grad, hess };
}

/** The same matrix and vectors twice: in a WebAssembly arena and on the heap. */
function pair(n: number, stride: 2 | 3) {
  const { columns, grad, hess } = data(n, 5);
  const arena = WasmArena.create(arenaBytes(n, 3, 3 * 130 * stride * 8, 4, 8))!;
  const inWasm = binMatrix(columns, n, 128, stride, false, arena);
  const onHeap = binMatrix(columns, n, 128, stride);
  const copy = (a: Float64Array) => {
    const b = arena.float64(a.length)!;
    b.set(a);
    return b;
  };
  const rng = createRng(9);
  const picked = Uint32Array.from({ length: n }, (_, i) => i).filter(() => rng.nextFloat() < 0.4);
  const index = arena.uint32(n)!;
  index.set(picked);
  return { arena, inWasm, onHeap, grad, hess, wasmGrad: copy(grad), wasmHess: copy(hess), picked, index };
}

describe('WebAssembly kernels', () => {
  it('build the same histograms bit for bit, with and without hessians, by index and contiguous', () => {
    for (const stride of [2, 3] as const) {
      const p = pair(5001, stride);
      expect(p.inWasm.arena).toBe(p.arena);
      const all = Int32Array.from([0, 1, 2]);
      for (const contiguous of [false, true]) {
        const [start, end] = contiguous ? [17, 5001] : [3, p.picked.length];
        const a = newHistogram(p.inWasm);
        const b = newHistogram(p.onHeap);
        expect(inArena(p.arena, a)).toBe(true);
        const constant = stride === 2 ? 1 : undefined;
        buildHistogram(a, p.inWasm, all, p.index, start, end, p.wasmGrad, p.wasmHess, constant, contiguous);
        buildHistogram(b, p.onHeap, all, p.picked, start, end, p.grad, p.hess, constant, contiguous);
        expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer))).toBe(true);
        expect(a.some((v) => v !== 0)).toBe(true);
      }
    }
  });

  it('partition rows and add leaf values as the JS loops do', () => {
    const p = pair(4000, 2);
    const sides = p.arena.uint8(SIDES)!;
    for (let b = 0; b < SIDES; b++) sides[b] = b <= 40 || b === p.inWasm.valueBins[1] ? 1 : 0;
    const heapIndex = Uint32Array.from(p.picked);
    const scratch = p.arena.uint32(4000)!;
    const mid = partitionRows(p.inWasm, 1, sides, p.index, scratch, 10, 1200);
    const heapMid = partitionRows(p.onHeap, 1, Uint8Array.from(sides), heapIndex, new Uint32Array(4000), 10, 1200);
    expect(mid).toBe(heapMid);
    expect(mid).toBeGreaterThan(10);
    expect(mid).toBeLessThan(1200);
    expect([...p.index.subarray(0, p.picked.length)]).toEqual([...heapIndex]);

    const segments = [newSegments(4, false, p.arena), newSegments(4, false)];
    expect(inArena(p.arena, segments[0].sides)).toBe(true);
    const preds = [p.arena.float64(4000)!, new Float64Array(4000)];
    segments.forEach((seg, i) => {
      preds[i].fill(0.25);
      [seg.start[0], seg.end[0], seg.feature[0], seg.values[0]] = [0, mid, -1, 0.1];
      [seg.start[1], seg.end[1], seg.feature[1], seg.values[2], seg.values[3]] = [mid, 1500, 2, -0.3, 0.7];
      seg.sides.set(sides.subarray(0, 60), SIDES);
      addSegmentsOf(i === 0 ? p.inWasm : p.onHeap, preds[i], i === 0 ? p.index : heapIndex, seg, 2, 1500);
    });
    expect([...preds[0]]).toEqual([...preds[1]]);
    expect(new Set(preds[1]).size).toBe(4);
  });

  it('fit byte-identical models to the JS kernels', () => {
    const cases: Partial<FitOptions>[] = [
      { nEstimators: 15, maxDepth: 6 },
      { nEstimators: 15, maxDepth: 4, subsample: 0.7, colsampleByTree: 0.6, seed: 3 },
      { nEstimators: 10, maxDepth: 0, maxLeaves: 12, monotone: [1, 0, 0, 0] },
    ];
    const { X, y } = synthetic(3000, 31);
    for (const options of cases) {
      useWasmKernels(true);
      const withWasm = serialize(fit(X, y, { ...options, threads: 1 }).model);
      useWasmKernels(false);
      const withJs = serialize(fit(X, y, { ...options, threads: 1 }).model);
      expect(withWasm).toBe(withJs);
    }
  });
});

/** Every typed array reachable from `value` (objects, arrays, maps), with the path it was found at. */
function typedArrays(value: unknown, path = 'result', seen = new Set<unknown>()): [string, ArrayBufferView][] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  if (ArrayBuffer.isView(value)) return [[path, value]];
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return entries.flatMap(([k, v]) => typedArrays(v, `${path}.${String(k)}`, seen));
}

describe('a fit in a WebAssembly arena', () => {
  // The arena is the fit's scratch memory: a view into it that left the fit would keep the whole memory alive and
  // show whatever a later use of that memory wrote. Everything a fit returns is a copy on the JS heap.
  it.each([
    ['one thread', { threads: 1 }],
    ['worker threads on a shared memory', { threads: 2, minRowsForThreads: 0 }],
  ])('returns no array that is a view of its arena (%s)', (_, threading) => {
    const arenas: WasmArena[] = [];
    const create = WasmArena.create.bind(WasmArena);
    const spy = vi.spyOn(WasmArena, 'create').mockImplementation((bytes, shared) => {
      const arena = create(bytes, shared);
      if (arena) arenas.push(arena);
      return arena;
    });
    try {
      const { X, y } = synthetic(3000, 31);
      const result = fit(X, y, { nEstimators: 8, maxDepth: 4, subsample: 0.8, validationFraction: 0.2, ...threading });
      expect(arenas).toHaveLength(1);
      const found = typedArrays(result);
      expect(found.length).toBeGreaterThan(0);
      const inArenaViews = found.filter(([, a]) => a.buffer === arenas[0].buffer).map(([path]) => path);
      expect(inArenaViews).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
