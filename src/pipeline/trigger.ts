/**
 * The performance-based retraining trigger. With `always` (the default) every run that finds new data trains,
 * as before. With `performance` a run first measures the champion on the appraisals new since its training data
 * (the drift step does) and trains a challenger only when one of these says the champion no longer fits:
 *
 *   error      its MAPE on the new appraisals exceeds its MAPE on the reference test rows — the rows it was
 *              promoted on — by more than `errorTolerance` (relative; default 0.25: 8 % → above 10 %). MAPE, not
 *              MAE: a batch of heavier stones has a larger MAE in dollars without the market having moved.
 *   coverage   its ranges hold the true price of fewer (or more) new appraisals than their nominal coverage,
 *              by more than `coverageBandPts` percentage points (default 10: outside 80–100 % for 90 % ranges).
 *   drift      a characteristic's PSI between its training data and the new appraisals exceeds `psiThreshold`
 *              (default 0.25, the usual "large shift"); price is left out — a moved price is the error's to see.
 *
 * Fewer than `minRows` new appraisals (default 100) are too few to judge: the run waits for more (the next run
 * measures them together with whatever arrives). The defaults were chosen against the reference market: the
 * champion on the three fresh monthly batches stays within them, and all prices +15 % leaves them (README,
 * "Retraining pipeline"). Pure: no I/O.
 */
import type { Evaluation } from '../model/index.js';
import type { FeatureDrift } from './drift.js';
import type { DriftReport } from './steps/step.js';

export type RetrainTrigger = 'always' | 'performance';
export const RETRAIN_TRIGGERS: readonly RetrainTrigger[] = ['always', 'performance'];

export interface TriggerRule {
  errorTolerance: number;
  coverageBandPts: number;
  psiThreshold: number;
  minRows: number;
}

export const DEFAULT_TRIGGER_RULE: TriggerRule = {
  errorTolerance: 0.25,
  coverageBandPts: 10,
  psiThreshold: 0.25,
  minRows: 100,
};

/** The champion on one set of new appraisals: all of them together, or one file's. */
export interface BatchMeasure {
  /** "all new appraisals" or the file's name. */
  batch: string;
  rows: number;
  /** MAPE (%) and range coverage (%) of the champion on these rows. */
  mape: number;
  coverage: number;
}

/** The numbers a verdict was reached on (kept in the run's record). */
export interface TriggerMeasures {
  champion: string;
  /** The champion's MAPE (%) on the reference test rows, and its ranges' nominal coverage (%). */
  mapeReference: number | null;
  nominal: number;
  batches: BatchMeasure[];
  /** The characteristic that moved most, by PSI, over all new appraisals. */
  maxDrift: { feature: string; psi: number } | null;
}

export interface TriggerVerdict {
  retrain: boolean;
  /** Why: each criterion that fired, or why none did, in words with the numbers. */
  reasons: string[];
  measures: TriggerMeasures | null;
}

const pct = (v: number) => `${v.toFixed(2)}%`;
const count = (n: number) => n.toLocaleString('en-US');

/**
 * Whether the champion's measured performance calls for a challenger. Error and coverage are judged on all new
 * appraisals together and on each new file of at least `minRows` rows: a moved market in this month's file is
 * not averaged away by the unmoved files before it that are still waiting (new since the champion's data).
 */
export function decideRetraining(
  drift: DriftReport,
  rule: TriggerRule,
  perFile: readonly { file: string; evaluation: Evaluation }[] = [],
): TriggerVerdict {
  const perf = drift.performance;
  const onNew = perf?.onNew;
  if (!perf || !onNew)
    return { retrain: true, reasons: [drift.note ?? 'the champion could not be measured'], measures: null };
  const characteristics = drift.features.filter((f) => f.feature !== 'price');
  const top = characteristics.reduce<FeatureDrift | null>((a, f) => (a === null || f.psi > a.psi ? f : a), null);
  const measure = (batch: string, e: Evaluation): BatchMeasure => ({
    batch,
    rows: e.n,
    mape: e.mape,
    coverage: e.range.coverage,
  });
  const judged = [
    measure('all new appraisals', onNew),
    ...perFile
      .filter((f) => perFile.length > 1 && f.evaluation.n >= rule.minRows)
      .map((f) => measure(f.file, f.evaluation)),
  ];
  const measures: TriggerMeasures = {
    champion: perf.version,
    mapeReference: perf.onReferenceTest?.mape ?? null,
    nominal: onNew.range.nominal,
    batches: judged,
    maxDrift: top && { feature: top.feature, psi: top.psi },
  };
  if (drift.newRows < rule.minRows)
    return {
      retrain: false,
      reasons: [`only ${drift.newRows} new appraisals: at least ${rule.minRows} are needed to judge the champion`],
      measures,
    };
  const fired: string[] = [];
  const held: string[] = [];
  for (const b of judged) {
    const on = `on ${count(b.rows)} ${b.batch === 'all new appraisals' ? 'new appraisals' : `rows of ${b.batch}`}`;
    if (measures.mapeReference !== null) {
      const limit = measures.mapeReference * (1 + rule.errorTolerance);
      const text = `MAPE ${pct(b.mape)} ${on} against ${pct(measures.mapeReference)} on the reference test rows (limit ${pct(limit)})`;
      (b.mape > limit ? fired : held).push(text);
    }
    const coverageText = `range coverage ${pct(b.coverage)} ${on} against ${pct(measures.nominal)} nominal (band ±${rule.coverageBandPts} points)`;
    (Math.abs(b.coverage - measures.nominal) > rule.coverageBandPts ? fired : held).push(coverageText);
  }
  if (top) {
    const text = `largest drift: ${top.feature} PSI ${top.psi.toFixed(3)} (threshold ${rule.psiThreshold})`;
    (top.psi > rule.psiThreshold ? fired : held).push(text);
  }
  return fired.length > 0 ? { retrain: true, reasons: fired, measures } : { retrain: false, reasons: held, measures };
}
