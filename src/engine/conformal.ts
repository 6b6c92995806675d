/**
 * Calibrated prediction intervals by split conformal prediction with normalised (adaptive) scores.
 *
 * On calibration rows the model never trained on, score_i = |y_i − ŷ_i| / σ_i, where σ_i > 0 is a difficulty
 * estimate the caller supplies (e.g. a second model of |residual|; σ ≡ 1 is plain split conformal). For a
 * coverage c = 1 − α the calibrated quantile q is the k-th smallest score with k = ⌈(n + 1)(1 − α)⌉ (the
 * (n+1)(1−α)/n empirical quantile taken with the "higher" rule), and the interval for a new row is
 * ŷ ± q·σ. If calibration and new rows are exchangeable, the interval holds the truth with probability at
 * least c, whatever the model (Lei et al. 2018; Papadopoulos et al. 2002 for the normalised scores).
 *
 * Everything here is in the model's output space. Loupe's model works in log price, so a symmetric interval
 * there is a multiplicative price range: [price·e^(−qσ), price·e^(qσ)] — exponentiate low and high.
 */

export interface CalibrationLevel {
  /** Nominal coverage in (0, 1), e.g. 0.9. */
  coverage: number;
  /** The calibrated score quantile: the interval is ŷ ± quantile·σ. */
  quantile: number;
  /** Rank k of that score among the n calibration scores (1-based), k = ⌈(n + 1)·coverage⌉. */
  rank: number;
}

/** Plain data (JSON-serialisable): store it next to the model. */
export interface Calibration {
  method: 'split-conformal';
  /** True when scores were divided by a per-row σ (adaptive intervals). */
  normalised: boolean;
  /** Number of calibration rows. */
  n: number;
  levels: CalibrationLevel[];
}

export interface CalibrationRows {
  y: ArrayLike<number>;
  yhat: ArrayLike<number>;
  /** Per-row difficulty σ_i > 0; omitted means σ ≡ 1. */
  sigma?: ArrayLike<number>;
}

export interface Interval {
  low: number;
  high: number;
}

function checkCoverage(coverage: number): void {
  if (typeof coverage !== 'number' || !(coverage > 0 && coverage < 1)) {
    throw new RangeError(`coverage must be a number strictly between 0 and 1 (e.g. 0.9), found ${coverage}`);
  }
}

/** k = ⌈(n + 1)·c⌉, guarded against (n + 1)·c landing a hair above an integer through rounding. */
function conformalRank(n: number, coverage: number): number {
  const exact = (n + 1) * coverage;
  const nearest = Math.round(exact);
  return Math.abs(exact - nearest) < 1e-9 * (n + 1) ? nearest : Math.ceil(exact);
}

/** Fewest calibration rows that give a finite quantile at this coverage: n ≥ c / (1 − c). */
export function minimumCalibrationRows(coverage: number): number {
  checkCoverage(coverage);
  let n = Math.max(1, Math.floor(coverage / (1 - coverage)) - 1);
  while (conformalRank(n, coverage) > n) n++;
  return n;
}

/** The finite-sample-corrected quantile of the scores for one coverage (see the header). */
export function conformalQuantile(scores: ArrayLike<number>, coverage: number): CalibrationLevel {
  checkCoverage(coverage);
  const n = scores.length;
  const rank = conformalRank(n, coverage);
  if (rank > n) {
    throw new RangeError(
      `coverage ${coverage} needs at least ${minimumCalibrationRows(coverage)} calibration rows, found ${n}`,
    );
  }
  const sorted = Float64Array.from(scores).sort();
  return { coverage, quantile: sorted[rank - 1], rank };
}

function scoresOf(input: ArrayLike<number> | CalibrationRows): { scores: Float64Array; normalised: boolean } {
  if (!('y' in input)) {
    const residuals = input as ArrayLike<number>;
    const scores = new Float64Array(residuals.length);
    for (let i = 0; i < residuals.length; i++) {
      const r = residuals[i];
      if (!Number.isFinite(r)) throw new RangeError(`residual ${i} must be a finite number, found ${r}`);
      scores[i] = Math.abs(r);
    }
    return { scores, normalised: false };
  }
  const { y, yhat, sigma } = input;
  if (yhat.length !== y.length) throw new RangeError(`y has ${y.length} rows but yhat has ${yhat.length}`);
  if (sigma && sigma.length !== y.length) throw new RangeError(`y has ${y.length} rows but sigma has ${sigma.length}`);
  const scores = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new RangeError(`y[${i}] must be a finite number, found ${y[i]}`);
    if (!Number.isFinite(yhat[i])) throw new RangeError(`yhat[${i}] must be a finite number, found ${yhat[i]}`);
    const s = sigma ? sigma[i] : 1;
    if (!(s > 0 && Number.isFinite(s))) throw new RangeError(`sigma[${i}] must be a finite number > 0, found ${s}`);
    scores[i] = Math.abs(y[i] - yhat[i]) / s;
  }
  return { scores, normalised: sigma !== undefined };
}

/**
 * Calibrates on held-out rows: either plain residuals y − ŷ (σ ≡ 1) or {y, yhat, sigma}. One level per
 * requested coverage; each must be in (0, 1) and have enough rows (n ≥ c / (1 − c), e.g. 9 for 0.9).
 */
export function calibrate(input: ArrayLike<number> | CalibrationRows, coverages: readonly number[]): Calibration {
  if (coverages.length === 0) throw new RangeError('calibrate needs at least one coverage, e.g. [0.8, 0.9]');
  const { scores, normalised } = scoresOf(input);
  if (scores.length === 0) throw new RangeError('calibrate needs calibration rows, found none');
  const sorted = scores.slice().sort();
  const levels = coverages.map((coverage) => {
    checkCoverage(coverage);
    const rank = conformalRank(sorted.length, coverage);
    if (rank > sorted.length) {
      throw new RangeError(
        `coverage ${coverage} needs at least ${minimumCalibrationRows(coverage)} calibration rows, found ${sorted.length}`,
      );
    }
    return { coverage, quantile: sorted[rank - 1], rank };
  });
  return { method: 'split-conformal', normalised, n: sorted.length, levels };
}

function levelOf(calibration: Calibration, coverage: number): CalibrationLevel {
  checkCoverage(coverage);
  const level = calibration.levels.find((l) => Math.abs(l.coverage - coverage) < 1e-12);
  if (!level) {
    const have = calibration.levels.map((l) => l.coverage).join(', ');
    throw new RangeError(`coverage ${coverage} was not calibrated; this calibration has ${have}`);
  }
  return level;
}

/** The interval ŷ ± q·σ for a new row (σ = 1 for a calibration made without σ). */
export function interval(yhat: number, sigma: number, calibration: Calibration, coverage: number): Interval {
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new RangeError(`sigma must be a finite number > 0, found ${sigma}`);
  const { quantile } = levelOf(calibration, coverage);
  const half = quantile * sigma;
  return { low: yhat - half, high: yhat + half };
}

/** Checks a calibration read back from storage before it is trusted. */
export function validateCalibration(value: unknown): Calibration {
  const c = value as Partial<Calibration> | null;
  if (!c || typeof c !== 'object' || c.method !== 'split-conformal')
    throw new TypeError('not a calibration: method must be "split-conformal"');
  if (typeof c.normalised !== 'boolean') throw new TypeError('calibration.normalised must be a boolean');
  if (!Number.isInteger(c.n) || (c.n as number) < 1)
    throw new TypeError(`calibration.n must be a positive integer, found ${c.n}`);
  if (!Array.isArray(c.levels) || c.levels.length === 0)
    throw new TypeError('calibration.levels must be a non-empty array');
  for (const level of c.levels) {
    checkCoverage(level?.coverage);
    if (!(typeof level.quantile === 'number' && level.quantile >= 0 && Number.isFinite(level.quantile)))
      throw new TypeError(
        `calibration level ${level.coverage}: quantile must be a finite number ≥ 0, found ${level.quantile}`,
      );
    if (!(Number.isInteger(level.rank) && level.rank >= 1 && level.rank <= (c.n as number)))
      throw new TypeError(
        `calibration level ${level.coverage}: rank must be an integer in 1..${c.n}, found ${level.rank}`,
      );
    const rank = conformalRank(c.n as number, level.coverage);
    if (level.rank !== rank)
      throw new TypeError(
        `calibration level ${level.coverage}: rank must be ⌈(n + 1)·coverage⌉ = ${rank} of n = ${c.n} scores, found ${level.rank}`,
      );
  }
  // Every level is a quantile of the same scores: a higher coverage takes a later one, so its range is never narrower.
  const byCoverage = [...c.levels].sort((a, b) => a.coverage - b.coverage);
  for (let k = 1; k < byCoverage.length; k++) {
    const [lower, higher] = [byCoverage[k - 1], byCoverage[k]];
    if (lower.coverage === higher.coverage)
      throw new TypeError(`calibration has coverage ${higher.coverage} twice; each level needs a coverage of its own`);
    if (higher.quantile < lower.quantile)
      throw new TypeError(
        `calibration level ${higher.coverage} has quantile ${higher.quantile}, below level ${lower.coverage}'s ${lower.quantile}: a wider coverage cannot give a narrower range`,
      );
  }
  return c as Calibration;
}

/**
 * CV+ (Barber et al. 2021) for one new row: uses every training row i once, with the prediction for the new
 * row from the fold model that did not see row i (`foldPredictions[i]`) and row i's out-of-fold residual
 * |y_i − ŷ_{−i}| (`residuals[i]`). Coverage is at least 1 − 2α in theory and close to 1 − α in practice; it
 * needs no held-out calibration set, at the price of K models.
 */
export function cvPlusInterval(
  foldPredictions: ArrayLike<number>,
  residuals: ArrayLike<number>,
  coverage: number,
): Interval {
  checkCoverage(coverage);
  const n = residuals.length;
  if (foldPredictions.length !== n)
    throw new RangeError(`foldPredictions has ${foldPredictions.length} rows but residuals has ${n}`);
  const rank = conformalRank(n, coverage);
  if (rank > n)
    throw new RangeError(`coverage ${coverage} needs at least ${minimumCalibrationRows(coverage)} rows, found ${n}`);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.abs(residuals[i]);
    const p = foldPredictions[i];
    if (!Number.isFinite(r) || !Number.isFinite(p))
      throw new RangeError(`row ${i}: prediction and residual must be finite numbers`);
    lower[i] = p - r;
    upper[i] = p + r;
  }
  lower.sort();
  upper.sort();
  // low: the ⌊α(n+1)⌋-th smallest of p − r, i.e. the rank-th largest; high: the rank-th smallest of p + r
  return { low: lower[n - rank], high: upper[rank - 1] };
}
