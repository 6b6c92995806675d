/**
 * The promotion rule: the challenger replaces the champion only if, on the same evaluation rows, it is not
 * worse on the agreed metric by more than the tolerance (relative), and its ranges still cover at least the
 * nominal coverage minus a margin. Otherwise the champion stays, and the decision says why in numbers.
 */
import type { Evaluation } from '../model/index.js';

export type PromotionMetric = 'mae' | 'rmse' | 'mape';
export const PROMOTION_METRICS: readonly PromotionMetric[] = ['mae', 'rmse', 'mape'];

export interface PromotionRule {
  metric: PromotionMetric;
  /** Relative tolerance: 0.02 lets the challenger be up to 2 % worse (fresher data is worth a little). */
  tolerance: number;
  /** Range coverage may fall at most this many points under nominal. */
  coverageMarginPts: number;
}

export interface Decision {
  promote: boolean;
  reason: string;
}

const fmt = (metric: PromotionMetric, v: number): string =>
  metric === 'mape' ? `${v.toFixed(2)}%` : `$${v.toFixed(0)}`;

export function decide(
  challenger: Evaluation,
  champion: Evaluation | undefined,
  rule: PromotionRule,
  names: { challenger: string; champion?: string },
): Decision {
  const coverageFloor = challenger.range.nominal - rule.coverageMarginPts;
  // With no champion, something must serve: the first model is promoted, its coverage stated.
  if (!champion) {
    return {
      promote: true,
      reason:
        `no champion yet: ${names.challenger} becomes the first champion (${rule.metric.toUpperCase()} ${fmt(rule.metric, challenger[rule.metric])}, ` +
        `range coverage ${challenger.range.coverage.toFixed(1)}% of ${challenger.n} evaluation rows)`,
    };
  }
  if (challenger.range.coverage < coverageFloor) {
    return {
      promote: false,
      reason:
        `${names.challenger} ranges cover ${challenger.range.coverage.toFixed(1)}% of the evaluation rows, under the floor of ` +
        `${coverageFloor.toFixed(1)}% (nominal ${challenger.range.nominal.toFixed(0)}% − ${rule.coverageMarginPts} pts)` +
        `; ${names.champion} stays champion`,
    };
  }
  const m = rule.metric;
  const limit = champion[m] * (1 + rule.tolerance);
  const change = ((challenger[m] - champion[m]) / champion[m]) * 100;
  const compared =
    `${m.toUpperCase()} ${fmt(m, challenger[m])} vs ${fmt(m, champion[m])} (${change >= 0 ? '+' : ''}${change.toFixed(1)}%, ` +
    `tolerance +${(rule.tolerance * 100).toFixed(1)}%) on ${challenger.n} evaluation rows`;
  if (challenger[m] <= limit)
    return { promote: true, reason: `${names.challenger} replaces ${names.champion}: ${compared}` };
  return { promote: false, reason: `${names.champion} stays champion: ${names.challenger} is worse, ${compared}` };
}
