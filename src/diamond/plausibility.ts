/**
 * Physical plausibility of a round brilliant: its measurements must agree with its depth percentage and its weight.
 * A row that contradicts them by far is a typing error, not a diamond.
 *
 * Tolerances come from the data: over the 8,990 measured stones of the reference file and the September and
 * October batches, |stated depth − 2z/(x+y)·100| is under 0.3 points for 99.5% of stones and under 2.8 for all
 * but six; carat / (0.0061·x·y·z) lies between 0.94 and 1.16 for all but five. The limits below sit well outside
 * that spread, so they only catch rows where a number was mistyped.
 */
import type { Problem } from './validate.js';
import type { Stone } from './fields.js';

/** Density of a round brilliant: carats per cubic millimetre of x·y·z. */
export const CARAT_PER_MM3 = 0.0061;
/** Largest tolerated gap, in percentage points, between the stated depth and the one computed from x, y, z. */
export const MAX_DEPTH_GAP = 4;
/** Tolerated range of carat / (CARAT_PER_MM3·x·y·z). */
export const CARAT_RATIO_RANGE = [0.7, 1.4] as const;

export function depthFromSize(x: number, y: number, z: number): number {
  return (200 * z) / (x + y);
}

/** Weight a round brilliant of these measurements would have, or undefined if they are not usable numbers. */
export function expectedCarat(x: number, y: number, z: number): number | undefined {
  const c = CARAT_PER_MM3 * x * y * z;
  return Number.isFinite(c) && c > 0 ? c : undefined;
}

const round = (v: number, d: number): string => v.toFixed(d);

/** Problems of geometry for a stone whose fields are each valid on their own. */
export function checkGeometry(stone: Stone): Problem[] {
  const problems: Problem[] = [];
  const { x, y, z, depth, carat } = stone;
  const computedDepth = depthFromSize(x, y, z);
  if (Math.abs(computedDepth - depth) > MAX_DEPTH_GAP) {
    problems.push({
      field: 'depth,x,y,z',
      code: 'implausible_geometry',
      message:
        `Depth ${depth}% contradicts the measurements: 2·z/(x+y)·100 = ${round(computedDepth, 1)}% ` +
        `for x ${x}, y ${y}, z ${z} mm. One of depth, x, y or z is probably mistyped.`,
      allowed: `depth within ${MAX_DEPTH_GAP} points of 2·z/(x+y)·100`,
    });
  }
  const fromSize = expectedCarat(x, y, z);
  if (fromSize !== undefined) {
    const ratio = carat / fromSize;
    if (ratio < CARAT_RATIO_RANGE[0] || ratio > CARAT_RATIO_RANGE[1]) {
      problems.push({
        field: 'carat,x,y,z',
        code: 'implausible_geometry',
        message:
          `Carat ${carat} contradicts the measurements: a stone of ${x} × ${y} × ${z} mm weighs about ` +
          `${round(fromSize, 2)} ct. Either the carat or a measurement is probably mistyped.`,
        allowed: `carat between ${CARAT_RATIO_RANGE[0]} and ${CARAT_RATIO_RANGE[1]} times 0.0061·x·y·z`,
      });
    }
  }
  return problems;
}
