/**
 * The one function that turns a stone into model features, used at training and at serving alike, so the two
 * can never disagree. A model artifact records FEATURE_SPEC; loading refuses an artifact whose spec differs.
 *
 * Grades become their rank in the scale (0 = worst), which keeps their order for trees and for monotone
 * constraints. Four features are derived from the measurements, because trees find these effects far more
 * easily from them than from x, y, z alone (each earned its place in 5-fold CV inside the reference training
 * rows; see README, "Model"):
 *   volume    = x·y·z, the stone's bulk;
 *   density   = carat / volume: weight the eye does not see (a deep or thick-girdled stone);
 *   roundness = x / y: an out-of-round stone is worth less than its weight says;
 *   depthGap  = 2z/(x+y)·100 − depth: disagreement between the measured and the stated depth.
 */
import { CLARITIES, COLORS, CUTS, depthFromSize, type Stone } from '../diamond/index.js';
import type { FeatureMatrix } from '../engine/matrix.js';
import type { ExplanationStep } from './valuation.js';

import { FEATURE_NAMES, type FeatureName } from './feature-names.js';

export { FEATURE_NAMES, type FeatureName };

/** Version 2 added roundness and depthGap. */
export const FEATURE_SPEC = { version: 2, names: FEATURE_NAMES as readonly string[] };

export const NUM_FEATURES = FEATURE_NAMES.length;
export const FEATURE_INDEX: Record<FeatureName, number> = Object.fromEntries(
  FEATURE_NAMES.map((n, i) => [n, i]),
) as Record<FeatureName, number>;

/** The part of the explanation each feature's effect belongs to: size, the three grades, or the proportions. */
export const FEATURE_FACTOR: Record<FeatureName, ExplanationStep['factor']> = {
  carat: 'carat',
  x: 'carat',
  y: 'carat',
  z: 'carat',
  volume: 'carat',
  density: 'carat',
  cut: 'cut',
  color: 'color',
  clarity: 'clarity',
  depth: 'proportions',
  table: 'proportions',
  roundness: 'proportions',
  depthGap: 'proportions',
};

/** The explanation's factors in the order a person reads them: size first, then the grades, then the proportions. */
export const FACTORS: readonly ExplanationStep['factor'][] = ['carat', 'cut', 'color', 'clarity', 'proportions'];
export const NUM_FACTORS = FACTORS.length;
/** Index in FACTORS of each feature's factor: the players of the explanation game (see kinds/kind.ts). */
export const FACTOR_OF_FEATURE: Int32Array = Int32Array.from(FEATURE_NAMES, (name) =>
  FACTORS.indexOf(FEATURE_FACTOR[name]),
);

/**
 * +1 where the model's price must never fall as the feature grows with every other feature equal. The promise to
 * people is about the stone: a heavier stone, or a better colour or clarity, with everything else about it the
 * same, is never cheaper. Colour and clarity are one feature each, so constraining them keeps it. Carat is two:
 * with the measurements unchanged, more weight also means more density (carat / volume). So density is
 * constrained too; otherwise a heavier stone of the same size could be priced lower, as 6.7% of one-hundredth-carat
 * steps on the reference test stones were before (measured with the default model of the time). For the same
 * carat, a denser stone is a smaller one, and the trees still price that through volume and x, y, z, which are
 * free: in cross-validation inside the training rows the constraint cost nothing measurable.
 */
export const MONOTONE: Record<FeatureName, -1 | 0 | 1> = {
  carat: 1,
  color: 1,
  clarity: 1,
  density: 1,
  cut: 0,
  depth: 0,
  table: 0,
  x: 0,
  y: 0,
  z: 0,
  volume: 0,
  roundness: 0,
  depthGap: 0,
};

export function volumeOf(stone: Pick<Stone, 'x' | 'y' | 'z'>): number {
  return stone.x * stone.y * stone.z;
}

/** Writes the features of one stone into `out` (allocated when not given) and returns it. */
export function featureRow(stone: Stone, out: Float64Array = new Float64Array(NUM_FEATURES)): Float64Array {
  const volume = volumeOf(stone);
  out[0] = stone.carat;
  out[1] = CUTS.indexOf(stone.cut);
  out[2] = COLORS.indexOf(stone.color);
  out[3] = CLARITIES.indexOf(stone.clarity);
  out[4] = stone.depth;
  out[5] = stone.table;
  out[6] = stone.x;
  out[7] = stone.y;
  out[8] = stone.z;
  out[9] = volume;
  out[10] = volume > 0 ? stone.carat / volume : Number.NaN;
  out[11] = stone.x / stone.y;
  out[12] = depthFromSize(stone.x, stone.y, stone.z) - stone.depth;
  return out;
}

/** Column-major features of many stones: the engine's input matrix. */
export type FeatureColumns = FeatureMatrix;

export function featureColumns(stones: readonly Stone[]): FeatureColumns {
  const columns = FEATURE_NAMES.map(() => new Float64Array(stones.length));
  const row = new Float64Array(NUM_FEATURES);
  stones.forEach((stone, i) => {
    featureRow(stone, row);
    for (let j = 0; j < NUM_FEATURES; j++) columns[j][i] = row[j];
  });
  return { rows: stones.length, columns };
}

/** Row i of column-major features, copied into `out`. */
export function rowOf(
  features: FeatureColumns,
  i: number,
  out: Float64Array = new Float64Array(features.columns.length),
): Float64Array {
  for (let j = 0; j < features.columns.length; j++) out[j] = features.columns[j][i];
  return out;
}
