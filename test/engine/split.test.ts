import { describe, expect, it } from 'vitest';
import { binMatrix } from '../../src/engine/binning.js';
import { buildHistogram, newHistogram } from '../../src/engine/histogram.js';
import { findBestSplit, leafWeight, scoreGivenWeight, splitGain } from '../../src/engine/split.js';

const params = { lambda: 1, minChildWeight: 1, minSplitGain: 0 };

function setup(columns: number[][], grad: number[], hess?: number[]) {
  const n = grad.length;
  const binned = binMatrix(
    columns.map((c) => Float64Array.from(c)),
    n,
    256,
  );
  const features = Int32Array.from(columns.map((_, f) => f));
  const hist = newHistogram(binned);
  const g = Float64Array.from(grad);
  const h = Float64Array.from(hess ?? grad.map(() => 1));
  buildHistogram(hist, binned, features, Uint32Array.from(grad.map((_, i) => i)), 0, n, g, h, undefined);
  const G = grad.reduce((a, b) => a + b, 0);
  const H = Array.from(h).reduce((a, b) => a + b, 0);
  return { binned, features, hist, node: { g: G, h: H, count: n, lower: -Infinity, upper: Infinity } };
}

describe('split scoring', () => {
  it('computes gain as GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ)', () => {
    expect(splitGain(4, 2, -4, 2, 1)).toBe(16 / 3 + 16 / 3 - 0);
    expect(splitGain(3, 1, 1, 3, 2)).toBe(9 / 3 + 1 / 5 - 16 / 6);
    expect(leafWeight(4, 2, 1)).toBe(-4 / 3);
    expect(leafWeight(4, 2, 1, -1, 1)).toBe(-1);
    // Unclamped, the score given the weight is G²/(H+λ).
    expect(scoreGivenWeight(4, 2, 1, -4 / 3)).toBeCloseTo(16 / 3, 14);
  });

  it('finds the cut with the largest gain and its threshold bin', () => {
    // y = [0, 0, 4, 4] around a base of 2: gradients pred − y = [2, 2, −2, −2].
    const { binned, features, hist, node } = setup(
      [
        [1, 2, 3, 4],
        [1, 2, 1, 2],
      ],
      [2, 2, -2, -2],
    );
    const s = findBestSplit(hist, binned, features, node, undefined, params)!;
    expect(s.feature).toBe(0);
    expect(s.bin).toBe(1);
    expect(binned.thresholds[0][s.bin]).toBe(2.5);
    expect(s.gain).toBe(16 / 3 + 16 / 3);
    expect([s.gLeft, s.hLeft, s.countLeft, s.gRight, s.hRight, s.countRight]).toEqual([4, 2, 2, -4, 2, 2]);
    expect(s.weightLeft).toBe(-4 / 3);
    expect(s.weightRight).toBe(4 / 3);
  });

  it('refuses splits below minSplitGain or leaving a child lighter than minChildWeight', () => {
    const { binned, features, hist, node } = setup([[1, 2, 3, 4]], [2, 2, -2, -2]);
    expect(
      findBestSplit(hist, binned, features, node, undefined, { ...params, minSplitGain: 16 / 3 + 16 / 3 }),
    ).toBeNull();
    expect(findBestSplit(hist, binned, features, node, undefined, { ...params, minSplitGain: 10 })!.bin).toBe(1);
    expect(findBestSplit(hist, binned, features, node, undefined, { ...params, minChildWeight: 2.5 })).toBeNull();
    // With min child weight 2 only the middle cut is allowed.
    const s = findBestSplit(hist, binned, features, node, undefined, { ...params, minChildWeight: 2 })!;
    expect(s.bin).toBe(1);
  });

  it('finds the same split from count-based hessians (constant-hessian histograms) as from summed ones', () => {
    const cols = [
      [1, 2, 3, 4, 5, 6, NaN, 8],
      [3, 1, 4, 1, 5, 9, 2, 6],
    ];
    const grad = [0.5, -1.25, 2, 0.75, -3, 1.5, 0.25, -0.75];
    const summed = setup(cols, grad);
    const n = grad.length;
    const counted = newHistogram(summed.binned);
    buildHistogram(
      counted,
      summed.binned,
      summed.features,
      Uint32Array.from(grad.map((_, i) => i)),
      0,
      n,
      Float64Array.from(grad),
      new Float64Array(n),
      1,
    );
    for (const monotone of [undefined, Int8Array.from([1, -1])]) {
      const a = findBestSplit(summed.hist, summed.binned, summed.features, summed.node, monotone, params);
      const b = findBestSplit(counted, summed.binned, summed.features, summed.node, monotone, params, 1);
      expect(b).toEqual(a);
      expect(a).not.toBeNull();
    }
  });

  it('learns the side for missing values', () => {
    // x = [1, 2, NaN, NaN], gradients [1, −3, 1, 1]: missing rows belong with x = 1.
    const { binned, features, hist, node } = setup([[1, 2, NaN, NaN]], [1, -3, 1, 1]);
    const s = findBestSplit(hist, binned, features, node, undefined, params)!;
    expect(s.defaultLeft).toBe(true);
    expect(s.countMissing).toBe(2);
    expect(s.gain).toBe(9 / 4 + 9 / 2);
    expect([s.gLeft, s.hLeft, s.countLeft]).toEqual([3, 3, 3]);
  });

  it('allows a split on a +1 feature only when the left weight is not above the right', () => {
    // Target falls as x grows: gradients [−2, −2, 2, 2] make the left weight positive, the right negative.
    const { binned, features, hist, node } = setup([[1, 2, 3, 4]], [-2, -2, 2, 2]);
    expect(findBestSplit(hist, binned, features, node, Int8Array.from([1]), params)).toBeNull();
    const dec = findBestSplit(hist, binned, features, node, Int8Array.from([-1]), params)!;
    expect(dec.bin).toBe(1);
    expect(dec.weightLeft).toBeGreaterThan(dec.weightRight);
  });

  it('clamps weights to the node bounds and scores the clamped weights', () => {
    const { binned, features, hist, node } = setup([[1, 2, 3, 4]], [2, 2, -2, -2]);
    const bounded = { ...node, lower: -0.5, upper: 0.5 };
    const s = findBestSplit(hist, binned, features, bounded, undefined, params)!;
    expect(s.weightLeft).toBe(-0.5);
    expect(s.weightRight).toBe(0.5);
    // Parent weight 0 scores 0; each child scores −(2·G·w + (H+λ)·w²).
    expect(s.gain).toBe(-(2 * 4 * -0.5 + 3 * 0.25) + -(2 * -4 * 0.5 + 3 * 0.25));
  });
});
