import type { FeatureMatrix } from '../../src/engine/matrix.js';
import { createRng } from '../../src/engine/random.js';

/** A synthetic regression set: y rises with f0, falls with f1, wiggles in f2, plus noise; some NaN in f3. */
export function synthetic(n: number, seed: number, missing = true): { X: FeatureMatrix; y: Float64Array } {
  const rng = createRng(seed);
  const nf = 4;
  const columns = Array.from({ length: nf }, () => new Float64Array(n));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < nf; f++) columns[f][i] = Math.round(rng.nextFloat() * 1000) / 100;
    if (missing && rng.nextInt(10) === 0) columns[3][i] = NaN;
    const x = columns.map((c) => c[i]);
    y[i] =
      2 * x[0] +
      Math.sin(x[0] * 3) -
      x[1] +
      Math.cos(x[2]) * 2 +
      (Number.isNaN(x[3]) ? 1 : 0.1 * x[3]) +
      (rng.nextFloat() - 0.5);
  }
  return { X: { columns, rows: n }, y };
}

export function row(X: FeatureMatrix, i: number): number[] {
  return X.columns.map((c) => c[i]);
}
