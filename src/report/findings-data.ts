/**
 * The findings of the data notebook (notebooks/01-data) that choose their words from the numbers: whether the
 * grade paradox turns within carat bands, whether the new expert's batches look like the reference data. Each
 * takes the computed figures and returns the sentences (tested in test/report/findings-data.test.ts). Shares are
 * proportions (0.05 for 5%).
 */
import { dollars } from './findings-model.js';
import { agree, listAnd, psiReading, sideOf } from './prose.js';

const share = (v: number, digits = 1): string => `${(v * 100).toFixed(digits)}%`;

export interface GradeParadox {
  /** The grade's name in a sentence ("clarity"). */
  name: string;
  /** Spearman's ρ of grade rank and price over all stones, and within narrow carat bands. */
  rho: number;
  rhoWithin: number;
}

/** §5: the grades negatively related to price overall, and whether holding the weight turns them. */
export function paradoxFinding(f: {
  /** Cut, colour and clarity, in that order. */
  grades: readonly [GradeParadox, GradeParadox, GradeParadox];
  clarity: {
    bestGrade: string;
    worstGrade: string;
    bestPrice: number;
    worstPrice: number;
    bestCarat: number;
    worstCarat: number;
  };
}): string {
  const [cut, colour, clarity] = f.grades;
  const reversed = f.grades.filter((g) => g.rho < 0);
  const turned = reversed.filter((g) => g.rhoWithin > 0);
  const c = f.clarity;
  return (
    `**Finding.** Across all stones, ${listAnd(
      reversed.map((g) => g.name),
      'no grade',
    )} ${agree(reversed.length, 'is', 'are')} *negatively* related to price: ` +
    `for example, ${c.bestGrade} stones (the best clarity) average ${dollars(c.bestPrice)} against ${dollars(c.worstPrice)} for ${c.worstGrade} (the worst). ` +
    `The reason is weight: better grades come on smaller stones (${c.bestGrade} averages ${c.bestCarat.toFixed(2)} ct, ${c.worstGrade} ${c.worstCarat.toFixed(2)} ct), and weight matters far more. ` +
    `Within narrow carat bands the relation turns positive for ${turned.length === reversed.length ? 'every one of them' : listAnd(turned.map((g) => g.name))} ` +
    `(clarity ρ ${clarity.rho.toFixed(2)} overall, ${clarity.rhoWithin.toFixed(2)} within bands; colour ${colour.rho.toFixed(2)} → ${colour.rhoWithin.toFixed(2)}; cut ${cut.rho.toFixed(2)} → ${cut.rhoWithin.toFixed(2)}). ` +
    `So a grade's worth can only be read with the weight held fixed — which is what the model does, and why averages by grade must never be shown to a client as "what a grade is worth".`
  );
}

export interface GradeRatio {
  batch: string;
  clarity: string;
  estimate: number;
  low: number;
  high: number;
}

/** Ratios whose interval misses 1.00, and the grades that miss in two batches or more (grade → its ratios). */
export function missingOne(ratios: readonly GradeRatio[]): {
  outside: GradeRatio[];
  repeated: [string, GradeRatio[]][];
} {
  const outside = ratios.filter((p) => p.low > 1 || p.high < 1);
  const byGrade = new Map<string, GradeRatio[]>();
  for (const p of outside) byGrade.set(p.clarity, [...(byGrade.get(p.clarity) ?? []), p]);
  return { outside, repeated: [...byGrade].filter(([, ps]) => ps.length >= 2) };
}

/** §7: the per-clarity batch/reference price ratios against 1.00, and the grades that miss repeatedly. */
export function gradeRatioFinding(ratios: readonly GradeRatio[], batches: number, resamples: number): string {
  const { outside, repeated } = missingOne(ratios);
  const estimates = ratios.map((p) => p.estimate);
  return (
    `**Finding.** By clarity the batch-to-reference ratios run from ${Math.min(...estimates).toFixed(2)} to ${Math.max(...estimates).toFixed(2)}; most grades hold few batch stones. ` +
    `${ratios.length - outside.length} of the ${ratios.length} 95% bootstrap intervals (${resamples} resamples of the batch's stones, the reference held fixed, so if anything too narrow) hold 1.00; about ${(ratios.length * 0.05).toFixed(1)} would miss by chance alone, and ${outside.length} do` +
    `${outside.length ? ` (${outside.map((p) => `${p.batch} ${p.clarity} ${p.estimate.toFixed(3)}`).join(', ')})` : ''}. ` +
    (repeated.length
      ? `${repeated
          .map(
            ([g, ps]) =>
              `${g} runs ${sideOf(
                ps.map((p) => p.estimate),
                1,
              )} in ${ps.length} of ${batches} batches`,
          )
          .join(
            '; ',
          )}: a small difference (a few percent) but a repeated one, worth watching in the next batches; the model's errors on the batches by grade (notebook 2) are the check that matters.`
      : 'No grade misses in more than one batch: the differences look like sampling noise.')
  );
}

/** Whether the batches pass as the reference population: no KS p-value significant at 1% after Bonferroni, PSI under 0.1. */
export function samePopulation(worstP: number, tests: number, maxPsi: number): boolean {
  return worstP > 0.01 / tests && maxPsi < 0.1;
}

/** §7: the batches against the reference, by the KS test, the PSI and the matched price ratios. */
export function driftFinding(f: {
  batches: number;
  worstP: number;
  maxPsi: number;
  ratios: readonly number[];
}): string {
  const tests = f.batches * 2;
  const same = samePopulation(f.worstP, tests, f.maxPsi);
  const furthest = Math.max(...f.ratios.map((r) => Math.abs(r - 1)));
  return (
    `**Finding.** ${same ? 'The fresh batches look like the same population as the reference data.' : 'At least one fresh batch differs from the reference data.'} ` +
    `Across the ${f.batches} batches the smallest KS p-value for weight or price is ${f.worstP.toFixed(3)} ` +
    `(${same ? 'not significant' : 'significant'} at 1% once the ${tests} tests are accounted for), and the largest PSI is ${f.maxPsi.toFixed(3)} (${psiReading(f.maxPsi)}). ` +
    `At the same grade and weight, the new expert's price per carat is within ${share(furthest, 1)} of the reference's in every batch (ratios ${Math.min(...f.ratios).toFixed(3)}–${Math.max(...f.ratios).toFixed(3)}). ` +
    `${same ? "So nothing so far says the old and new appraisals disagree: the batches can be added to the training data, and the pipeline's drift check should keep asking this question every month." : 'The batches should be looked at before they are added to the training data.'}`
  );
}
