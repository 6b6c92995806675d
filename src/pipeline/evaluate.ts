/**
 * Scoring a model on the evaluation rows — the frozen reference test split and the holdout of the newest
 * appraisals — each set alone and together, with the error by segment and a summary of its explanations.
 * Challenger and champion are scored by the same function on the same rows.
 */
import type { Appraisal } from '../diamond/index.js';
import { evaluateModel, type Evaluation, type LoadedModel } from '../model/index.js';

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

const CARAT_BANDS: [number, string][] = [[0.5, '< 0.5'], [1, '0.5–1'], [1.5, '1–1.5'], [2, '1.5–2'], [Infinity, '≥ 2']];
const caratBand = (c: number): string => CARAT_BANDS.find(([hi]) => c < hi)![1];

function segmentErrors(model: LoadedModel, rows: readonly Appraisal[]): SegmentError[] {
  const groups = new Map<string, { by: string; segment: string; n: number; abs: number; pct: number }>();
  for (const r of rows) {
    const p = model.price(r).price;
    const abs = Math.abs(p - r.price);
    for (const [by, segment] of [['cut', r.cut], ['color', r.color], ['clarity', r.clarity], ['carat', caratBand(r.carat)]]) {
      const key = `${by}\u0000${segment}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { by, segment, n: 0, abs: 0, pct: 0 }));
      g.n++;
      g.abs += abs;
      g.pct += (abs / r.price) * 100;
    }
  }
  return [...groups.values()].map((g) => ({ by: g.by, segment: g.segment, n: g.n, mae: g.abs / g.n, mape: g.pct / g.n }));
}

/** Mean absolute effect of each factor over (up to) `sample` stones, spread evenly over the rows. */
function explanationSummary(model: LoadedModel, rows: readonly Appraisal[], sample = 100): ExplanationSummary[] {
  const sums = new Map<string, number>();
  const step = Math.max(1, Math.floor(rows.length / sample));
  let n = 0;
  for (let i = 0; i < rows.length; i += step) {
    const v = model.value(rows[i], { explain: true });
    for (const s of v.explanation?.steps ?? []) sums.set(s.factor, (sums.get(s.factor) ?? 0) + Math.abs(s.multiplier - 1) * 100);
    n++;
  }
  return [...sums.entries()].map(([factor, sum]) => ({ factor, meanAbsEffectPct: sum / n })).sort((a, b) => b.meanAbsEffectPct - a.meanAbsEffectPct);
}

export function evaluateOnSets(model: LoadedModel, sets: EvaluationSets): ModelEvaluation {
  const combinedRows = [...sets.referenceTest, ...sets.newest];
  if (combinedRows.length === 0) throw new Error('there are no evaluation rows (no reference test split and no new appraisals)');
  return {
    referenceTest: sets.referenceTest.length > 0 ? evaluateModel(model, sets.referenceTest) : null,
    newest: sets.newest.length > 0 ? evaluateModel(model, sets.newest) : null,
    combined: evaluateModel(model, combinedRows),
    segments: segmentErrors(model, combinedRows),
    explanation: explanationSummary(model, combinedRows),
  };
}
