/**
 * The reference diamonds data as engine input, for benchmarks: carat, cut/color/clarity as ranks (worst = 0),
 * depth, table, x, y, z; target log price. Rows with a non-positive price or dimension are left out; rows listed
 * in the reference split file form the test set.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CLARITIES, COLORS, CUTS, gradeRank } from '../src/diamond/index.js';
import type { FeatureMatrix } from '../src/engine/index.js';

export const dataDir = resolve(process.env.LOUPE_SHARED_DATA ?? '../shared/data');
export const FEATURES = ['carat', 'cut', 'color', 'clarity', 'depth', 'table', 'x', 'y', 'z'] as const;

export interface ReferenceSet {
  X: FeatureMatrix;
  y: Float64Array;
}

export function loadReference(): { train: ReferenceSet; test: ReferenceSet } {
  const lines = readFileSync(resolve(dataDir, 'diamonds.csv'), 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = lines[0].split(',');
  const col = (name: string) => header.indexOf(name);
  const testRows = new Set(
    readFileSync(resolve(dataDir, 'diamonds.reference-split.txt'), 'utf8')
      .split(/\r?\n/)
      .filter((l) => /^\d+$/.test(l.trim()))
      .map(Number),
  );
  const sets = {
    train: { rows: [] as number[][], y: [] as number[] },
    test: { rows: [] as number[][], y: [] as number[] },
  };
  lines.slice(1).forEach((line, dataRow) => {
    const f = line.split(',');
    const num = (name: string) => Number(f[col(name)]);
    if (!(num('price') > 0 && num('x') > 0 && num('y') > 0 && num('z') > 0)) return;
    const row = [
      num('carat'),
      gradeRank(CUTS, f[col('cut')]),
      gradeRank(COLORS, f[col('color')]),
      gradeRank(CLARITIES, f[col('clarity')]),
      num('depth'),
      num('table'),
      num('x'),
      num('y'),
      num('z'),
    ];
    const set = testRows.has(dataRow) ? sets.test : sets.train;
    set.rows.push(row);
    set.y.push(Math.log(num('price')));
  });
  const toMatrix = (rows: number[][]): FeatureMatrix => ({
    columns: FEATURES.map((_, j) => Float64Array.from(rows, (r) => r[j])),
    rows: rows.length,
  });
  return {
    train: { X: toMatrix(sets.train.rows), y: Float64Array.from(sets.train.y) },
    test: { X: toMatrix(sets.test.rows), y: Float64Array.from(sets.test.y) },
  };
}
