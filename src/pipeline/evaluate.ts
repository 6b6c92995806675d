/**
 * Scoring a model on the evaluation rows — the frozen reference test split and the holdout of the newest
 * appraisals — each set alone and together, with the error by segment and a summary of its explanations.
 * Challenger and champion are scored by the same function on the same rows.
 */
import type { Appraisal } from '../diamond/index.js';
import { priceMetrics, rangeMetrics, type Evaluation, type LoadedModel } from '../model/index.js';

export interface EvaluationSets {
  referenceTest: readonly Appraisal[];
  newest: readonly Appraisal[];
}

export interface SegmentError {
  /** The grouping, e.g. "cut", "carat". */
  by: string;
  segment: string;
  n: number;
  mae: number;
  mape: number;
}

export interface ExplanationSummary {
  factor: string;
  /** Mean absolute effect on the price, % (|multiplier − 1| averaged over the sampled stones). */
  meanAbsEffectPct: number;
}

export interface ModelEvaluation {
  referenceTest: Evaluation | null;
  newest: Evaluation | null;
  combined: Evaluation;
  segments: SegmentError[];
  explanation: ExplanationSummary[];
}

const CARAT_BANDS: [number, string][] = [
  [0.5, '< 0.5'],
  [1, '0.5–1'],
  [1.5, '1–1.5'],
  [2, '1.5–2'],
  [Infinity, '≥ 2'],
];
const caratBand = (c: number): string => CARAT_BANDS.find(([hi]) => c < hi)![1];

interface Priced {
  actual: Float64Array;
  price: Float64Array;
  low: Float64Array;
  high: Float64Array;
}

/** Prices every row once; the metrics of any subset are computed from these arrays. */
function priceAll(model: LoadedModel, rows: readonly Appraisal[]): Priced {
  const out: Priced = {
    actual: Float64Array.from(rows, (r) => r.price),
    price: new Float64Array(rows.length),
    low: new Float64Array(rows.length),
    high: new Float64Array(rows.length),
  };
  rows.forEach((r, i) => {
    const p = model.price(r);
    out.price[i] = p.price;
    out.low[i] = p.range?.low ?? Number.NaN;
    out.high[i] = p.range?.high ?? Number.NaN;
  });
  return out;
}

function metricsOf(p: Priced, from: number, to: number, coverage: number): Evaluation {
  const part = (a: Float64Array) => a.subarray(from, to);
  return {
    ...priceMetrics(part(p.actual), part(p.price)),
    range: rangeMetrics(part(p.actual), part(p.low), part(p.high), coverage),
  };
}

function segmentErrors(rows: readonly Appraisal[], priced: Priced): SegmentError[] {
  const groups = new Map<string, { by: string; segment: string; n: number; abs: number; pct: number }>();
  rows.forEach((r, i) => {
    const abs = Math.abs(priced.price[i] - r.price);
    for (const [by, segment] of [
      ['cut', r.cut],
      ['color', r.color],
      ['clarity', r.clarity],
      ['carat', caratBand(r.carat)],
    ]) {
      const key = `${by}\u0000${segment}`;
      let g = groups.get(key);
      if (!g) {
        g = { by, segment, n: 0, abs: 0, pct: 0 };
        groups.set(key, g);
      }
      g.n++;
      g.abs += abs;
      g.pct += (abs / r.price) * 100;
    }
  });
  return [...groups.values()].map((g) => ({
    by: g.by,
    segment: g.segment,
    n: g.n,
    mae: g.abs / g.n,
    mape: g.pct / g.n,
  }));
}

/**
 * Mean absolute effect of each factor over (up to) `sample` stones, spread evenly over the rows. The stones are
 * explained together (valueMany: each exactly as value() explains it, in blocks through the explainer's tables).
 */
function explanationSummary(model: LoadedModel, rows: readonly Appraisal[], sample = 100): ExplanationSummary[] {
  const sums = new Map<string, number>();
  const step = Math.max(1, Math.floor(rows.length / sample));
  const sampled: Appraisal[] = [];
  for (let i = 0; i < rows.length; i += step) sampled.push(rows[i]);
  const n = sampled.length;
  for (const v of model.valueMany(sampled, { explain: true })) {
    for (const s of v.explanation?.steps ?? [])
      sums.set(s.factor, (sums.get(s.factor) ?? 0) + Math.abs(s.multiplier - 1) * 100);
  }
  return [...sums.entries()]
    .map(([factor, sum]) => ({ factor, meanAbsEffectPct: sum / n }))
    .sort((a, b) => b.meanAbsEffectPct - a.meanAbsEffectPct);
}

export function evaluateOnSets(model: LoadedModel, sets: EvaluationSets): ModelEvaluation {
  const rows = [...sets.referenceTest, ...sets.newest];
  if (rows.length === 0)
    throw new Error('there are no evaluation rows (no reference test split and no new appraisals)');
  const priced = priceAll(model, rows);
  const nRef = sets.referenceTest.length;
  return {
    referenceTest: nRef > 0 ? metricsOf(priced, 0, nRef, model.coverage) : null,
    newest: sets.newest.length > 0 ? metricsOf(priced, nRef, rows.length, model.coverage) : null,
    combined: metricsOf(priced, 0, rows.length, model.coverage),
    segments: segmentErrors(rows, priced),
    explanation: explanationSummary(model, rows),
  };
}
