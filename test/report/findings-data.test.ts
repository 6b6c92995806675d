import { describe, expect, it } from 'vitest';
import {
  driftFinding,
  gradeRatioFinding,
  missingOne,
  paradoxFinding,
  samePopulation,
} from '../../src/report/findings-data.js';

describe('data notebook findings', () => {
  const clarity = {
    bestGrade: 'IF',
    worstGrade: 'I1',
    bestPrice: 2865.2,
    worstPrice: 3924.6,
    bestCarat: 0.5049,
    worstCarat: 1.2831,
  };
  const grades = [
    { name: 'cut', rho: -0.03, rhoWithin: 0.11 },
    { name: 'colour', rho: -0.15, rhoWithin: 0.31 },
    { name: 'clarity', rho: -0.12, rhoWithin: 0.52 },
  ] as const;

  it('reads the grade paradox, and whether every reversed grade turns within carat bands', () => {
    expect(paradoxFinding({ grades, clarity })).toBe(
      '**Finding.** Across all stones, cut, colour and clarity are *negatively* related to price: ' +
        'for example, IF stones (the best clarity) average $2,865 against $3,925 for I1 (the worst). ' +
        'The reason is weight: better grades come on smaller stones (IF averages 0.50 ct, I1 1.28 ct), and weight matters far more. ' +
        'Within narrow carat bands the relation turns positive for every one of them ' +
        '(clarity ρ -0.12 overall, 0.52 within bands; colour -0.15 → 0.31; cut -0.03 → 0.11). ' +
        'So a grade\'s worth can only be read with the weight held fixed — which is what the model does, and why averages by grade must never be shown to a client as "what a grade is worth".',
    );
    const partly = paradoxFinding({
      grades: [
        { name: 'cut', rho: 0.02, rhoWithin: 0.1 },
        grades[1],
        { name: 'clarity', rho: -0.12, rhoWithin: -0.01 },
      ],
      clarity,
    });
    expect(partly).toContain('Across all stones, colour and clarity are *negatively* related to price');
    expect(partly).toContain('Within narrow carat bands the relation turns positive for colour (');
  });

  const ratio = (batch: string, clarity: string, estimate: number, low: number, high: number) => ({
    batch,
    clarity,
    estimate,
    low,
    high,
  });

  it('picks out the ratios that miss 1.00 and the grades that miss twice', () => {
    const ratios = [
      ratio('2026-09', 'SI2', 1.03, 1.01, 1.05),
      ratio('2026-10', 'SI2', 1.042, 1.02, 1.06),
      ratio('2026-10', 'IF', 0.95, 0.9, 0.99),
      ratio('2026-11', 'VS1', 1.0, 0.97, 1.03),
    ];
    const { outside, repeated } = missingOne(ratios);
    expect(outside.map((p) => `${p.batch} ${p.clarity}`)).toEqual(['2026-09 SI2', '2026-10 SI2', '2026-10 IF']);
    expect(repeated.map(([g, ps]) => [g, ps.length])).toEqual([['SI2', 2]]);
    expect(gradeRatioFinding(ratios, 3, 100)).toBe(
      '**Finding.** By clarity the batch-to-reference ratios run from 0.95 to 1.04; most grades hold few batch stones. ' +
        "1 of the 4 95% bootstrap intervals (100 resamples of the batch's stones, the reference held fixed, so if anything too narrow) hold 1.00; about 0.2 would miss by chance alone, and 3 do " +
        '(2026-09 SI2 1.030, 2026-10 SI2 1.042, 2026-10 IF 0.950). ' +
        "SI2 runs higher in 2 of 3 batches: a small difference (a few percent) but a repeated one, worth watching in the next batches; the model's errors on the batches by grade (notebook 2) are the check that matters.",
    );
    expect(gradeRatioFinding([ratios[2], ratios[3]], 3, 100)).toMatch(
      /and 1 do \(2026-10 IF 0\.950\)\. No grade misses in more than one batch: the differences look like sampling noise\.$/,
    );
  });

  it('reads the batches as the same population, or not', () => {
    expect(samePopulation(0.2, 6, 0.05)).toBe(true);
    expect(samePopulation(0.001, 6, 0.05)).toBe(false);
    expect(samePopulation(0.2, 6, 0.12)).toBe(false);
    expect(driftFinding({ batches: 3, worstP: 0.214, maxPsi: 0.0123, ratios: [0.99, 1.012, 1.0] })).toBe(
      '**Finding.** The fresh batches look like the same population as the reference data. ' +
        'Across the 3 batches the smallest KS p-value for weight or price is 0.214 (not significant at 1% once the 6 tests are accounted for), ' +
        'and the largest PSI is 0.012 (below 0.1: stable). ' +
        "At the same grade and weight, the new expert's price per carat is within 1.2% of the reference's in every batch (ratios 0.990–1.012). " +
        "So nothing so far says the old and new appraisals disagree: the batches can be added to the training data, and the pipeline's drift check should keep asking this question every month.",
    );
    const differs = driftFinding({ batches: 3, worstP: 0.0001, maxPsi: 0.0123, ratios: [1.1] });
    expect(differs).toMatch(/^\*\*Finding\.\*\* At least one fresh batch differs from the reference data\. /);
    expect(differs).toContain('(significant at 1% once the 6 tests are accounted for)');
    expect(differs).toMatch(/The batches should be looked at before they are added to the training data\.$/);
  });
});
