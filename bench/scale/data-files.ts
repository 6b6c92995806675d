/**
 * Reading back the rows bench/scale.ts generated (`BENCH_DATA_DIR=dir npm run bench:scale` keeps them in
 * dir/<rows>/): x-columns.f64, the nine features column after column as raw float64, and y.f64, the targets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureMatrix } from '../../src/engine/index.js';

/** The first `rows` rows of the files in `dir` (they may hold more), as views of the files' bytes. */
export function readScaleData(dir: string, rows: number, features = 9): { X: FeatureMatrix; y: Float64Array } {
  const raw = readFileSync(join(dir, 'x-columns.f64'));
  const all = new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
  const fileRows = all.length / features;
  const X: FeatureMatrix = {
    rows,
    columns: Array.from({ length: features }, (_, f) => all.subarray(f * fileRows, f * fileRows + rows)),
  };
  const yRaw = readFileSync(join(dir, 'y.f64'));
  return { X, y: new Float64Array(yRaw.buffer, yRaw.byteOffset, rows) };
}
