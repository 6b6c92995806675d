import { describe, expect, it } from 'vitest';
import {
  calibrate,
  conformalQuantile,
  cvPlusInterval,
  interval,
  minimumCalibrationRows,
  validateCalibration,
} from '../../src/engine/conformal.js';
import { rng } from './random-ensemble.js';

function normal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Heteroscedastic data: y = f(x) + s(x)·ε with s growing 20-fold over x; the model knows f, σ estimates s roughly. */
function synthetic(seed: number, n: number) {
  const random = rng(seed);
  const gauss = normal(random);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const yhat = new Float64Array(n);
  const sigma = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = random();
    const s = 0.05 + x[i];
    const f = Math.sin(6 * x[i]);
    y[i] = f + s * gauss();
    yhat[i] = f + 0.02 * gauss();
    sigma[i] = s * Math.exp(0.2 * gauss()); // an imperfect difficulty model
  }
  return { x, y, yhat, sigma };
}

function coverageOf(
  data: ReturnType<typeof synthetic>,
  calibration: ReturnType<typeof calibrate>,
  coverage: number,
  useSigma: boolean,
): number {
  let inside = 0;
  for (let i = 0; i < data.y.length; i++) {
    const { low, high } = interval(data.yhat[i], useSigma ? data.sigma[i] : 1, calibration, coverage);
    if (data.y[i] >= low && data.y[i] <= high) inside++;
  }
  return inside / data.y.length;
}

describe('split conformal', () => {
  it('takes the k-th smallest score with k = ⌈(n + 1)c⌉', () => {
    const scores = [7, 3, 19, 1, 12, 5, 16, 9, 2, 14, 18, 4, 11, 6, 17, 8, 13, 10, 15]; // 1..19 shuffled
    expect(conformalQuantile(scores, 0.9)).toEqual({ coverage: 0.9, quantile: 18, rank: 18 }); // ⌈20·0.9⌉ = 18, not the plain 90% quantile
    expect(conformalQuantile(scores, 0.8).quantile).toBe(16);
    expect(conformalQuantile(scores, 0.95).quantile).toBe(19);
    expect(conformalQuantile(scores, 0.5).quantile).toBe(10);
    expect(conformalQuantile(scores, 0.51).quantile).toBe(11); // ⌈10.2⌉
    const calibration = calibrate(
      scores.map((s, i) => (i % 2 ? s : -s)),
      [0.8, 0.9],
    ); // residuals of either sign
    expect(calibration).toEqual({
      method: 'split-conformal',
      normalised: false,
      n: 19,
      levels: [
        { coverage: 0.8, quantile: 16, rank: 16 },
        { coverage: 0.9, quantile: 18, rank: 18 },
      ],
    });
    expect(interval(100, 1, calibration, 0.9)).toEqual({ low: 82, high: 118 });
    expect(interval(100, 0.5, calibration, 0.8)).toEqual({ low: 92, high: 108 });
    expect(validateCalibration(JSON.parse(JSON.stringify(calibration)))).toEqual(calibration);
  });

  it('normalises scores by σ', () => {
    const calibration = calibrate({ y: [1, 2, 3, 10], yhat: [0, 0, 0, 0], sigma: [1, 1, 1, 10] }, [0.6]);
    // scores 1, 2, 3, 1 → sorted 1, 1, 2, 3; k = ⌈5·0.6⌉ = 3
    expect(calibration.levels[0]).toEqual({ coverage: 0.6, quantile: 2, rank: 3 });
    expect(calibration.normalised).toBe(true);
    expect(interval(5, 3, calibration, 0.6)).toEqual({ low: -1, high: 11 });
  });

  it('covers close to nominal on heteroscedastic data, with or without σ', () => {
    const calibrationRows = synthetic(1, 2000);
    const test = synthetic(2, 20000);
    const coverages = [0.5, 0.8, 0.9, 0.95];
    const adaptive = calibrate(calibrationRows, coverages);
    const plain = calibrate({ y: calibrationRows.y, yhat: calibrationRows.yhat }, coverages);
    for (const c of coverages) {
      expect(Math.abs(coverageOf(test, adaptive, c, true) - c)).toBeLessThan(0.03);
      expect(Math.abs(coverageOf(test, plain, c, false) - c)).toBeLessThan(0.03);
    }
  });

  it('gives easy rows narrower intervals than hard ones when σ is used', () => {
    const calibrationRows = synthetic(3, 2000);
    const test = synthetic(4, 10000);
    const adaptive = calibrate(calibrationRows, [0.9]);
    const plain = calibrate({ y: calibrationRows.y, yhat: calibrationRows.yhat }, [0.9]);
    const width = (lo: number, hi: number, cal: typeof adaptive, useSigma: boolean) => {
      let total = 0;
      let count = 0;
      let inside = 0;
      for (let i = 0; i < test.y.length; i++) {
        if (test.x[i] < lo || test.x[i] >= hi) continue;
        const r = interval(test.yhat[i], useSigma ? test.sigma[i] : 1, cal, 0.9);
        total += r.high - r.low;
        count++;
        if (test.y[i] >= r.low && test.y[i] <= r.high) inside++;
      }
      return { width: total / count, coverage: inside / count };
    };
    const easy = width(0, 0.2, adaptive, true);
    const hard = width(0.8, 1, adaptive, true);
    expect(easy.width * 3).toBeLessThan(hard.width);
    // plain intervals are one width for all: too wide on easy rows, too narrow on hard ones
    expect(width(0, 0.2, plain, false).coverage).toBeGreaterThan(0.99);
    expect(width(0.8, 1, plain, false).coverage).toBeLessThan(0.85);
    // adaptive ones hold roughly the nominal coverage in both groups
    expect(easy.coverage).toBeGreaterThan(0.85);
    expect(hard.coverage).toBeGreaterThan(0.85);
  });

  it('refuses bad coverages, too few rows and bad σ with a clear error', () => {
    const residuals = Array.from({ length: 18 }, (_, i) => i);
    for (const bad of [0, 1, -0.1, 1.5, NaN])
      expect(() => calibrate(residuals, [bad])).toThrow(/coverage must be a number strictly between 0 and 1/);
    expect(minimumCalibrationRows(0.9)).toBe(9);
    expect(minimumCalibrationRows(0.95)).toBe(19);
    expect(() => calibrate(residuals, [0.95])).toThrow('coverage 0.95 needs at least 19 calibration rows, found 18');
    expect(() => calibrate(residuals.slice(0, 8), [0.9])).toThrow(
      'coverage 0.9 needs at least 9 calibration rows, found 8',
    );
    expect(calibrate(residuals.slice(0, 9), [0.9]).levels[0].quantile).toBe(8);
    expect(() => calibrate([], [0.9])).toThrow(/needs calibration rows/);
    expect(() => calibrate(residuals, [])).toThrow(/at least one coverage/);
    expect(() => calibrate({ y: [1, 2], yhat: [1, 2], sigma: [1, 0] }, [0.5])).toThrow(
      'sigma[1] must be a finite number > 0, found 0',
    );
    expect(() => calibrate({ y: [1, 2], yhat: [1] }, [0.5])).toThrow('y has 2 rows but yhat has 1');
    expect(() => calibrate([1, NaN], [0.5])).toThrow(/residual 1 must be a finite number/);
    const calibration = calibrate(residuals, [0.9]);
    expect(() => interval(0, 1, calibration, 0.8)).toThrow('coverage 0.8 was not calibrated; this calibration has 0.9');
    expect(() => interval(0, -1, calibration, 0.9)).toThrow(/sigma must be a finite number > 0/);
    expect(() =>
      validateCalibration({
        method: 'split-conformal',
        normalised: false,
        n: 5,
        levels: [{ coverage: 0.9, quantile: 1, rank: 7 }],
      }),
    ).toThrow(/rank must be an integer in 1..5/);
  });

  it('refuses a stored calibration whose levels contradict each other: a rank off its coverage, unsorted quantiles, a coverage twice', () => {
    const calibration = calibrate(synthetic(5, 200), [0.9, 0.8, 0.95]);
    const edited = (edit: (levels: { coverage: number; quantile: number; rank: number }[]) => void) => {
      const copy = JSON.parse(JSON.stringify(calibration));
      edit(copy.levels);
      return () => validateCalibration(copy);
    };
    expect(edited(() => {})).not.toThrow();
    expect(edited((l) => (l[1].rank = 150))).toThrow(
      'calibration level 0.8: rank must be ⌈(n + 1)·coverage⌉ = 161 of n = 200 scores, found 150',
    );
    expect(edited((l) => (l[1].quantile = l[0].quantile * 2))).toThrow(
      /calibration level 0.9 has quantile [\d.]+, below level 0.8's [\d.]+: a wider coverage cannot give a narrower range/,
    );
    expect(edited((l) => l.push({ ...l[0], quantile: 0 }))).toThrow(
      'calibration has coverage 0.9 twice; each level needs a coverage of its own',
    );
  });

  it('CV+ covers close to nominal with K fold models', () => {
    // y ~ N(μ_row, 1); fold model k predicts with the mean residual offset of the other folds
    const random = rng(9);
    const gauss = normal(random);
    const folds = 5;
    const n = 400;
    let inside = 0;
    const trials = 400;
    for (let trial = 0; trial < trials; trial++) {
      const y = Array.from({ length: n }, () => gauss());
      const fold = y.map((_, i) => i % folds);
      const foldMean = Array.from({ length: folds }, (_, k) => {
        const others = y.filter((_, i) => fold[i] !== k);
        return others.reduce((s, v) => s + v, 0) / others.length;
      });
      const residuals = y.map((v, i) => v - foldMean[fold[i]]);
      const foldPredictions = y.map((_, i) => foldMean[fold[i]]);
      const { low, high } = cvPlusInterval(foldPredictions, residuals, 0.8);
      const next = gauss();
      if (next >= low && next <= high) inside++;
    }
    expect(Math.abs(inside / trials - 0.8)).toBeLessThan(0.06);
    expect(() => cvPlusInterval([1, 2], [1], 0.5)).toThrow(/foldPredictions has 2 rows but residuals has 1/);
  });
});
