import { describe, expect, it } from 'vitest';
import { binMatrix } from '../../src/engine/binning.js';
import { buildHistogram, newHistogram, subtractHistogram, sumFeatureRange } from '../../src/engine/histogram.js';
import { createRng } from '../../src/engine/random.js';
import { arenaBytes, WasmArena } from '../../src/engine/wasm-kernels.js';

describe('gradient histograms', () => {
  const x0 = Float64Array.from([1, 2, 2, 3, NaN, 1]);
  const x1 = Float64Array.from([10, 10, 20, 20, 20, 30]);
  const binned = binMatrix([x0, x1], 6, 256);
  const grad = Float64Array.from([1, -2, 3, -4, 5, -6]);
  const hess = Float64Array.from([1, 2, 1, 2, 1, 2]);
  const all = Uint32Array.from([0, 1, 2, 3, 4, 5]);
  const features = Int32Array.from([0, 1]);

  // Slots are [gradient sum, row count, hessian sum] (slot stride 3), or [gradient sum, row count] (stride 2).
  const slotOf = (hist: Float64Array, b: typeof binned, f: number, bin: number) => {
    const k = b.slotStride;
    return Array.from(hist.subarray((b.histOffset[f] + bin) * k, (b.histOffset[f] + bin + 1) * k));
  };

  it('sums gradients, counts and hessians per bin, missing values in the last slot', () => {
    const hist = newHistogram(binned);
    buildHistogram(hist, binned, features, all, 0, 6, grad, hess, undefined);
    expect(binned.slotStride).toBe(3);
    expect(slotOf(hist, binned, 0, 0)).toEqual([1 - 6, 2, 1 + 2]); // x0 = 1: rows 0, 5
    expect(slotOf(hist, binned, 0, 1)).toEqual([-2 + 3, 2, 2 + 1]); // x0 = 2: rows 1, 2
    expect(slotOf(hist, binned, 0, 2)).toEqual([-4, 1, 2]); // x0 = 3
    expect(slotOf(hist, binned, 0, 3)).toEqual([5, 1, 1]); // NaN
    expect(slotOf(hist, binned, 1, 1)).toEqual([3 - 4 + 5, 3, 1 + 2 + 1]); // x1 = 20
  });

  it('with constant hessians sums only gradients and counts, in two-number slots', () => {
    const compact = binMatrix([x0, x1], 6, 256, 2);
    const hist = newHistogram(compact);
    expect(hist.length).toBe(compact.totalSlots * 2);
    buildHistogram(hist, compact, features, all, 0, 6, grad, hess, 1);
    expect(slotOf(hist, compact, 1, 0)).toEqual([1 - 2, 2]);
    expect(slotOf(hist, compact, 0, 3)).toEqual([5, 1]);
    expect(() => buildHistogram(hist, compact, features, all, 0, 6, grad, hess, undefined)).toThrow(/no hessian slots/);
  });

  it('builds only over the node rows given by index range', () => {
    const hist = newHistogram(binned);
    const index = Uint32Array.from([9, 2, 4, 9]);
    buildHistogram(
      hist,
      binned,
      features,
      index.map((v) => (v === 9 ? 0 : v)),
      1,
      3,
      grad,
      hess,
      undefined,
    );
    expect(slotOf(hist, binned, 1, 1)).toEqual([8, 2, 2]); // x1 = 20 holds rows 2 and 4
    let total = 0;
    for (let s = 0; s < binned.totalSlots; s++) total += hist[s * 3 + 1];
    expect(total).toBe(4); // 2 rows × 2 features
  });

  it('parent minus one child equals the histogram built directly for the other child', () => {
    const rng = createRng(11);
    const n = 500;
    const cols = [0, 1, 2].map(() =>
      Float64Array.from({ length: n }, () => (rng.nextInt(10) === 0 ? NaN : rng.nextInt(40))),
    );
    const b = binMatrix(cols, n, 16);
    // Gradients on a 1/8 grid add up exactly, so the comparison can be exact.
    const g = Float64Array.from({ length: n }, () => (rng.nextInt(200) - 100) / 8);
    const h = Float64Array.from({ length: n }, () => 1 + rng.nextInt(4) / 4);
    const rows = Uint32Array.from({ length: n }, (_, i) => i);
    const left = rows.filter((i) => cols[0][i] < 20);
    const right = rows.filter((i) => !(cols[0][i] < 20));
    const fs = Int32Array.from([0, 1, 2]);
    const parent = newHistogram(b);
    const l = newHistogram(b);
    const r = newHistogram(b);
    buildHistogram(parent, b, fs, rows, 0, n, g, h, undefined);
    buildHistogram(l, b, fs, left, 0, left.length, g, h, undefined);
    buildHistogram(r, b, fs, right, 0, right.length, g, h, undefined);
    subtractHistogram(parent, l);
    expect(Array.from(parent)).toEqual(Array.from(r));
  });

  it("written-out kernel gives the plain loop's sums bit for bit, in place and through an index", () => {
    const rng = createRng(12);
    const n = 3000;
    const nf = 9;
    const cols = Array.from({ length: nf }, (_, f) =>
      Float64Array.from({ length: n }, () => (rng.nextInt(20) === 0 ? NaN : f < 3 ? rng.nextInt(6) : rng.nextFloat())),
    );
    // Arbitrary doubles: sums are exact only when both add the same numbers in the same order.
    const g = Float64Array.from({ length: n }, () => rng.nextFloat() - 0.5);
    const h = Float64Array.from({ length: n }, () => 0.1 + rng.nextFloat());
    const fs = Int32Array.from({ length: nf }, (_, f) => f);
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    const some = all.filter(() => rng.nextInt(3) === 0);
    for (const stride of [2, 3] as const) {
      const b = binMatrix(cols, n, 64, stride);
      const constant = stride === 2 ? 1 : undefined;
      const cases: [Uint32Array, number, number, boolean][] = [
        [all, 0, n, true],
        [all, 100, 2000, true],
        [some, 0, some.length, false],
        [some, 7, 500, false],
      ];
      for (const [index, start, end, contiguous] of cases) {
        const fast = newHistogram(b);
        buildHistogram(fast, b, fs, index, start, end, g, h, constant, contiguous);
        const plain = newHistogram(b);
        sumFeatureRange(
          plain,
          b.codes,
          b.histOffset,
          stride,
          nf,
          fs,
          0,
          nf,
          index,
          start,
          end,
          g,
          h,
          stride === 3 ? 1 : 0,
        );
        expect(Array.from(fast)).toEqual(Array.from(plain));
        expect(fast.some((v, i) => i % stride === 0 && v !== 0 && !Number.isInteger(v))).toBe(true);
      }
    }
  });

  it("with a feature subset (colsample) gives the selected features' slots of the plain loop bit for bit", () => {
    // Most of the features selected: the all-features kernel runs (others' slots are summed too, never read); a few
    // selected: the plain loop over them.
    const rng = createRng(31);
    const n = 2500;
    const nf = 9;
    const cols = Array.from({ length: nf }, (_, f) =>
      Float64Array.from({ length: n }, () => (rng.nextInt(15) === 0 ? NaN : f < 4 ? rng.nextInt(7) : rng.nextFloat())),
    );
    const g = Float64Array.from({ length: n }, () => rng.nextFloat() - 0.5);
    const h = Float64Array.from({ length: n }, () => 0.1 + rng.nextFloat());
    const some = Uint32Array.from({ length: n }, (_, i) => i).filter(() => rng.nextInt(5) !== 0);
    // Room for both strides' matrices and six histograms; gradients, hessians and the row index in the arena too.
    const arena = WasmArena.create(arenaBytes(n, 2 * nf, 3 * nf * 66 * 8, 6, 8))!;
    const [gW, hW] = [g, h].map((a) => {
      const b = arena.float64(n)!;
      b.set(a);
      return b;
    });
    const index = arena.uint32(n)!;
    index.set(some);
    for (const stride of [2, 3] as const) {
      const constant = stride === 2 ? 1 : undefined;
      const onHeap = binMatrix(cols, n, 64, stride);
      const inWasm = binMatrix(cols, n, 64, stride, false, arena);
      for (const picked of [
        [7, 0, 3, 8, 1, 5, 2],
        [6, 2, 4, 0, 8],
        [5, 1],
      ]) {
        const fs = Int32Array.from(picked);
        const plain = newHistogram(onHeap);
        sumFeatureRange(
          plain,
          onHeap.codes,
          onHeap.histOffset,
          stride,
          nf,
          fs,
          0,
          fs.length,
          some,
          0,
          some.length,
          g,
          h,
          stride === 3 ? 1 : 0,
        );
        const fast = newHistogram(onHeap);
        buildHistogram(fast, onHeap, fs, some, 0, some.length, g, h, constant);
        const wasm = newHistogram(inWasm);
        expect(wasm.buffer).toBe(arena.buffer);
        buildHistogram(wasm, inWasm, fs, index, 0, some.length, gW, hW, constant);
        const selected = (hist: Float64Array) =>
          picked.flatMap((f) =>
            Array.from(
              hist.subarray(onHeap.histOffset[f] * stride, (onHeap.histOffset[f] + onHeap.valueBins[f] + 1) * stride),
            ),
          );
        expect(selected(fast)).toEqual(selected(plain));
        expect(selected(wasm)).toEqual(selected(plain));
        expect(selected(plain).some((v, i) => i % stride === 0 && v !== 0 && !Number.isInteger(v))).toBe(true);
      }
    }
  });
});
