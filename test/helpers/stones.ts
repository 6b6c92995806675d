/** Stones the tests share, so one appraisal is not spelled out again in every file that needs a valid one. */
import type { Appraisal } from '../../src/diamond/index.js';

/** Line 2 of the reference file, as CSV and as the appraisal it validates to. */
export const ROW_A = '1.1,Ideal,H,SI2,62.0,55.0,4733,6.61,6.65,4.11';
export const STONE_A: Appraisal = {
  carat: 1.1,
  cut: 'Ideal',
  color: 'H',
  clarity: 'SI2',
  depth: 62,
  table: 55,
  price: 4733,
  x: 6.61,
  y: 6.65,
  z: 4.11,
};
