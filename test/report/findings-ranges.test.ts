import { describe, expect, it } from 'vitest';
import {
  calibrationFinding,
  coverageFinding,
  cutFinding,
  edgesFinding,
  exampleStoneLine,
  extrapolationNote,
  extremeStoneSaid,
  factorFinding,
  moreDataLine,
  whatIfLine,
  withheldRanges,
} from '../../src/report/findings-ranges.js';

const iv = (estimate: number, low: number, high: number) => ({ estimate, low, high });

describe('explanation findings', () => {
  const factors = {
    sizeShare: 0.81,
    others: ['clarity', 'colour', 'proportions', 'cut'],
    clarityRises: true,
    colorRises: false,
  };

  it('ranks the factors and says whether the grades rise', () => {
    expect(factorFinding(factors)).toBe(
      '**Finding.** Size dominates: the size factor carries 81% of the total contribution; then clarity, colour, proportions, cut. ' +
        'On average over the test stones the clarity contribution rises from grade to grade, and the colour contribution does not always rise. ',
    );
  });

  it('gives the clarity spread with its counts, and reads overlapping intervals as not firm', () => {
    const small = { spread: iv(0.5, 0.42, 0.58), ifStones: 20, si2Stones: 150 };
    const large = { spread: iv(0.55, 0.3, 0.8), ifStones: 4, si2Stones: 90 };
    expect(factorFinding({ ...factors, clarity: { small, large } })).toContain(
      'From SI2 to IF clarity the model adds 0.50 (0.42 to 0.58) to the log price of stones under 0.5 ct (×1.65; 20 IF stones and 150 SI2 stones among the test rows) ' +
        'and 0.55 (0.30 to 0.80) on stones of 1 ct and more (×1.73; 4 IF stones and 90 SI2 stones). ' +
        'The intervals overlap: on this evidence a clarity grade may be worth about the same share of the price at any weight (close to additive in log price), but with 4 IF stones of 1 ct and more the data cannot say it firmly.',
    );
    expect(
      factorFinding({ ...factors, clarity: { small, large: { ...large, spread: iv(0.9, 0.7, 1.1), ifStones: 1 } } }),
    ).toContain(
      'The intervals do not overlap: the grade is worth a different share of the price at different weights, an interaction an additive model cannot learn (resting on 1 IF stone of 1 ct and more).',
    );
  });

  it('reads cut against the proportions', () => {
    const cut = {
      rhoTable: -0.494,
      rhoDepthOff: -0.51,
      idealDepth: 61.8,
      cutShare: 0.02,
      proportionsShare: 0.03,
      cutRises: false,
    };
    expect(cutFinding(cut)).toBe(
      "**Finding: cut.** Over the training stones the cut grade's rank correlates with the table (Spearman ρ −0.49) and with the depth's distance from the Ideal stones' median depth, 61.8% (ρ −0.51): the grade is largely a verdict on proportions the model also sees. " +
        'So the credit splits: the cut factor carries 2% of the total contribution and the proportions 3%; "cut barely matters" is not the reading — cut and proportions together are what the table above shows per grade. ' +
        'Cut is not constrained to raise the price, for two reasons: "a better cut, everything else the same" asks for stones that hardly exist (an Ideal grade with Fair proportions), and the model\'s average cut contribution does not rise steadily from Fair to Ideal (see the table); colour, clarity and carat have no such stand-in, and are constrained.',
    );
    expect(cutFinding({ ...cut, cutRises: true })).toContain('already rises from grade to grade without a constraint;');
  });

  it('writes an example stone against the expert, inside or outside its range', () => {
    expect(
      exampleStoneLine({ price: 2404, predicted: 2403.6, appraised: 2300, range: { low: 2100, high: 2700 } }),
    ).toBe(
      '**Loupe: $2,404** (90% range $2,100–$2,700); the expert appraised it at **$2,300** (+4.5%; inside the range).',
    );
    expect(
      exampleStoneLine({ price: 9000, predicted: 9000, appraised: 12000, range: { low: 8000, high: 11000 } }),
    ).toBe(
      '**Loupe: $9,000** (90% range $8,000–$11,000); the expert appraised it at **$12,000** (−25.0%; outside the range).',
    );
    expect(exampleStoneLine({ price: 50000, predicted: 50000, appraised: 18000, range: null })).toContain(
      '(no range); the expert appraised it at **$18,000** (+177.8%; no range given).',
    );
  });

  it('writes a what-if in dollars and percent', () => {
    expect(whatIfLine('in colour G', 2274, 2404)).toBe('in colour G: −$130 ($2,274, −5.4%)');
    expect(whatIfLine('in clarity VS1', 2600, 2404)).toBe('in clarity VS1: +$196 ($2,600, +8.2%)');
  });
});

describe('range findings', () => {
  it('says whether every calibration level holds its promise', () => {
    const held = [
      { level: 0.5, observed: iv(0.49, 0.46, 0.52) },
      { level: 0.95, observed: iv(0.945, 0.93, 0.96) },
    ];
    expect(calibrationFinding(held)).toBe(
      "**Finding.** From 50% to 95%, every level's observed coverage has an interval that holds its promise: the ranges are neither too narrow nor too wide at any level, not only at the 90% that is served.",
    );
    expect(calibrationFinding([held[0], { level: 0.95, observed: iv(0.9, 0.88, 0.92) }])).toBe(
      '**Finding.** From 50% to 95%, the observed coverage misses its promise outside the interval at 95% (observed 90.0%).',
    );
  });

  it('says what Loupe does with an extreme stone', () => {
    expect(extremeStoneSaid({ carat: 10, color: 'D', clarity: 'IF' }, 18787)).toBe(
      'the 10 ct D IF is refused (beyond the carat limit)',
    );
    const priced = {
      carat: 3.5,
      color: 'E',
      clarity: 'VVS1',
      value: { price: 77498, range: null, support: 'beyond', warnings: 2 },
    };
    expect(extremeStoneSaid(priced, 18787)).toBe(
      'the 3.5 ct E VVS1 gets $77,498 (4.1× the highest price in the data) without a range (beyond support, 2 warnings)',
    );
    expect(
      extremeStoneSaid(
        { ...priced, value: { price: 9000, range: { low: 1, high: 2 }, support: 'thin', warnings: 1 } },
        18787,
      ),
    ).toBe('the 3.5 ct E VVS1 gets $9,000 with a range (thin support, 1 warning)');
  });

  it('reads the old failures in CV and on the split', () => {
    const text = edgesFinding({
      heavy: { cv: iv(0.918, 0.863, 0.953), cvStones: 147, split: iv(0.759, 0.579, 0.878), splitStones: 29 },
      ifStones: { cv: iv(0.927, 0.87, 0.96), cvStones: 124 },
      thin: { cv: iv(0.919, 0.87, 0.95), cvStones: 161 },
      rows: 6,
      missed: [],
      extremes: [{ carat: 10, color: 'D', clarity: 'IF' }],
      ceiling: 18787,
    });
    expect(text).toBe(
      '**Finding.** In cross-validation inside the training rows the 90% range holds the price for 91.8% of the 147 stones of 2 ct and more (86.3% to 95.3%), ' +
        '92.7% of the 124 IF stones and 91.9% of the 161 thinly supported ones; 6 of these 6 rows have an interval that holds 90%. ' +
        'On the split the 29 heavy test stones hold 75.9% (57.9% to 87.8%): too few to settle it either way; CV has 5 times as many. ' +
        "At the edge Loupe now says only what it can back: the 10 ct D IF is refused (beyond the carat limit). A price above the data's ceiling is the power law carried on (notebook 1, §4): the missing range and the warnings are what tell a jeweller so.",
    );
  });

  const segment = (value: string, stones: number, coverage: number, medianWidth: number) => ({
    segment: 'colour',
    value,
    stones,
    coverage,
    medianWidth,
  });

  it('reads coverage by segment, naming the low and the small ones', () => {
    const all = { testStones: 997, withheld: 0, coverage: 89.9, cvCoverage: 90.2, medianWidth: 24.6 };
    expect(coverageFinding({ ...all, segments: [segment('D', 120, 91, 22), segment('J', 25, 80, 30.4)] })).toBe(
      "**Finding.** Over all 997 test stones the 90% range holds the expert's price for 89.9% of them (in cross-validation: 90.2%), with a median width of ±12.3%. " +
        'Ranges are not one width for all: the median width runs from ±11.0% to ±15.2% across segments, wider where stones are priced less surely. ' +
        'No segment with at least 30 test stones given a range falls below 85% coverage. ' +
        'Segments with fewer (colour J: 25) say little either way: the guarantee is on average over stones, not for every segment.',
    );
    // Coverage is over the stones given a range: the count says so when some get none.
    expect(coverageFinding({ ...all, withheld: 2, segments: [segment('D', 120, 91, 22)] })).toMatch(
      /^\*\*Finding\.\*\* Over the 995 test stones given a range \(2 of the 997 get none\) the 90% range holds/,
    );
    expect(coverageFinding({ ...all, segments: [segment('H', 120, 84.2, 22)] })).toContain(
      'Segments with at least 30 test stones given a range below 85% coverage: colour H (84.2%). Segments with fewer (none) say',
    );
  });

  it('reads a scaled-up stone against the heaviest and the ceiling', () => {
    expect(extrapolationNote(18000, 17000, 18787)).toBe(
      ' — less, because only carat, colour, clarity and density are constrained to raise the price; the measurements that grow with it are not.',
    );
    expect(extrapolationNote(18000, 25585, 18787)).toBe(', above any price in the training data ($18,787).');
    expect(extrapolationNote(18000, 18500, 18787)).toBe(' — about the same.');
    expect(extrapolationNote(10000, 12000, 18787)).toBe('.');
  });

  it('writes the summary line on more data, beyond or within the noise', () => {
    expect(moreDataLine(iv(-0.28, -0.42, -0.14), 4.27)).toBe(
      "Training with the batches too lowers the error on the reference test stones by 0.28 points (0.14 to 0.42); the appraisals' own noise, about 4.3% per appraisal, is the floor, so each month buys support for rare stones and a check on the new expert more than accuracy.",
    );
    expect(moreDataLine(iv(0.04, -0.08, 0.17), 4.27)).toMatch(
      /^Training with the batches too moves the error on the reference test stones by \+0\.04 points, within the noise; /,
    );
  });

  it('counts the stones without a range with the verb that agrees', () => {
    expect(withheldRanges(1)).toBe('1 test stone gets no range');
    expect(withheldRanges(3)).toBe('3 test stones get no range');
  });
});
