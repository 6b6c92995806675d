/**
 * Hedonic regression: log price as a sum of effects — a smooth curve in log carat, one effect per grade of cut,
 * colour and clarity (relative to the worst grade), and linear terms for depth and table — fitted by ridge
 * regression. Interpretable by construction: each effect is a coefficient a person can read, and the explanation
 * of a stone is exact (coefficient × the stone's distance from the average). It is the baseline every report
 * compares the boosted trees against.
 */
import { CLARITIES, COLORS, CUTS, FIELDS } from '../../diamond/index.js';
import { FACTOR_OF_FEATURE, FEATURE_INDEX, NUM_FACTORS, NUM_FEATURES, type FeatureColumns } from '../features.js';
import { solveSpd } from '../linalg.js';
import { checkLogBounds, type FittedModel, type ModelKind } from './kind.js';

export interface HedonicParams {
  /** Ridge penalty on every coefficient but the intercept, per training row. */
  lambda: number;
}

interface Term {
  name: string;
  /** Feature index the term belongs to, for explanations. */
  feature: number;
  value(row: Float64Array): number;
}

function gradeTerms(feature: 'cut' | 'color' | 'clarity', scale: readonly string[]): Term[] {
  const index = FEATURE_INDEX[feature];
  return scale.slice(1).map((code, k) => ({
    name: `${feature}=${code}`,
    feature: index,
    value: (row: Float64Array) => (row[index] === k + 1 ? 1 : 0),
  }));
}

const CARAT = FEATURE_INDEX.carat;
const TERMS: readonly Term[] = [
  { name: 'log carat', feature: CARAT, value: (r) => Math.log(r[CARAT]) },
  { name: 'log carat^2', feature: CARAT, value: (r) => Math.log(r[CARAT]) ** 2 },
  { name: 'log carat^3', feature: CARAT, value: (r) => Math.log(r[CARAT]) ** 3 },
  ...gradeTerms('cut', CUTS),
  ...gradeTerms('color', COLORS),
  ...gradeTerms('clarity', CLARITIES),
  { name: 'depth', feature: FEATURE_INDEX.depth, value: (r) => r[FEATURE_INDEX.depth] },
  { name: 'table', feature: FEATURE_INDEX.table, value: (r) => r[FEATURE_INDEX.table] },
];

interface HedonicPayload {
  terms: string[];
  intercept: number;
  coefficients: number[];
  /** Mean of each term over the training rows: the explanation measures each stone from there. */
  means: number[];
}

class HedonicModel implements FittedModel {
  private readonly base: number;
  constructor(private readonly p: HedonicPayload) {
    this.base = p.intercept + p.coefficients.reduce((s, c, k) => s + c * p.means[k], 0);
  }
  predictLog(row: Float64Array): number {
    let sum = this.p.intercept;
    for (let k = 0; k < TERMS.length; k++) sum += this.p.coefficients[k] * TERMS[k].value(row);
    return sum;
  }
  /**
   * Each term's effect, coefficient × (value − mean), is its exact Shapley value (the model is additive), so a
   * factor's Shapley value in the factor game is the sum of its terms' effects.
   */
  contributions(row: Float64Array, out: Float64Array): number {
    out.fill(0, 0, NUM_FACTORS);
    for (let k = 0; k < TERMS.length; k++) {
      out[FACTOR_OF_FEATURE[TERMS[k].feature]] += this.p.coefficients[k] * (TERMS[k].value(row) - this.p.means[k]);
    }
    return this.base;
  }
  payload(): HedonicPayload {
    return this.p;
  }
}

/** The least and greatest output: each term's coefficient times its least and greatest value (TERM_RANGES), summed. */
function logBounds(p: HedonicPayload): [number, number] {
  let low = p.intercept;
  let high = p.intercept;
  TERM_RANGES.forEach(([a, b], k) => {
    const c = p.coefficients[k];
    low += Math.min(c * a, c * b);
    high += Math.max(c * a, c * b);
  });
  return [low, high];
}

/** The least and greatest value of each term over the fields' limits (a grade's term is 0 or 1). */
const TERM_RANGES: readonly [number, number][] = (() => {
  const [a, b] = [Math.log(FIELDS.carat.min), Math.log(FIELDS.carat.max)];
  const square: [number, number] = [a < 0 && b > 0 ? 0 : Math.min(a * a, b * b), Math.max(a * a, b * b)];
  const ranges: Record<string, [number, number]> = {
    'log carat': [a, b],
    'log carat^2': square,
    'log carat^3': [a ** 3, b ** 3],
    depth: [FIELDS.depth.min, FIELDS.depth.max],
    table: [FIELDS.table.min, FIELDS.table.max],
  };
  return TERMS.map((t): [number, number] => ranges[t.name] ?? [0, 1]);
})();

function isNumberArray(v: unknown, length: number): v is number[] {
  return Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

export const hedonic: ModelKind<HedonicParams> = {
  name: 'hedonic',
  summary:
    'Ridge regression of log price on a cubic in log carat, grade effects and proportions; exact, readable effects.',
  defaultParams: { lambda: 1e-4 },

  fit(features: FeatureColumns, logPrice: Float64Array, params: HedonicParams): FittedModel {
    const n = features.rows;
    const p = TERMS.length + 1;
    const row = new Float64Array(NUM_FEATURES);
    const design = new Float64Array(p);
    const xtx = new Float64Array(p * p);
    const xty = new Float64Array(p);
    const sums = new Float64Array(TERMS.length);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < NUM_FEATURES; j++) row[j] = features.columns[j][i];
      design[0] = 1;
      for (let k = 0; k < TERMS.length; k++) {
        design[k + 1] = TERMS[k].value(row);
        sums[k] += design[k + 1];
      }
      for (let a = 0; a < p; a++) {
        xty[a] += design[a] * logPrice[i];
        for (let b = 0; b <= a; b++) xtx[a * p + b] += design[a] * design[b];
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) xtx[b * p + a] = xtx[a * p + b];
    for (let a = 1; a < p; a++) xtx[a * p + a] += params.lambda * n;
    const beta = solveSpd(xtx, xty, p);
    return new HedonicModel({
      terms: TERMS.map((t) => t.name),
      intercept: beta[0],
      coefficients: Array.from(beta.subarray(1)),
      means: Array.from(sums, (s) => s / n),
    });
  },

  load(payload: unknown): FittedModel {
    const p = payload as Partial<HedonicPayload> | null;
    const names = TERMS.map((t) => t.name);
    if (
      !p ||
      !Array.isArray(p.terms) ||
      p.terms.join('|') !== names.join('|') ||
      typeof p.intercept !== 'number' ||
      !isNumberArray(p.coefficients, names.length) ||
      !isNumberArray(p.means, names.length)
    ) {
      throw new Error(
        `hedonic payload is not valid: expected terms ${names.join(', ')} with finite coefficients and means`,
      );
    }
    checkLogBounds('hedonic', ...logBounds(p as HedonicPayload));
    return new HedonicModel(p as HedonicPayload);
  },
};
