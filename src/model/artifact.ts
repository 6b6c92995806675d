/**
 * The model artifact: one versioned JSON document that carries everything needed to serve a model — its kind
 * and fitted parameters, the feature spec it was trained with, the difficulty model and calibration behind its
 * price ranges, the hash of its training data, the ranges of that data (for warnings) and its metrics.
 * Loading validates all of it: a corrupt, truncated or incompatible file is refused with a clear error.
 * Serialisation is deterministic (no clocks, fixed key order): the same data and seed give the same bytes.
 */
import { readFileSync } from 'node:fs';
import type { NumberFieldName } from '../diamond/index.js';
import { validateCalibration, type Calibration } from '../engine/conformal.js';
import { FEATURE_SPEC } from './features.js';
import { validateSegmentScales, type SegmentScales } from './segments.js';
import { validateSupportHistogram, type SupportHistogram } from './support.js';
import { validateTrainingDistribution, type TrainingDistribution } from './distribution.js';
import { validateOutOfFold, type PriceMetrics, type RangeMetrics } from './metrics.js';
import { FLOOR_ALLOWED, validateFourCsRanges, validFloor, type FourCsRanges } from './four-cs.js';

export const ARTIFACT_FORMAT = 'loupe-model';
/**
 * 2 (2026-12-04) added the support histogram and the segment scales of the ranges; version 1 files are refused
 * with a message to retrain (their ranges were not calibrated per segment). 3 (2026-12-04) added `fourCs`, the
 * calibration of 4Cs-only valuations; version 2 files are refused with a message to retrain.
 */
export const ARTIFACT_FORMAT_VERSION = 3;

/**
 * The largest model file Loupe reads, an artifact or an XGBoost model: every reader checks the size before it reads
 * a byte, since parsing hundreds of megabytes of JSON takes gigabytes of memory. The default model's artifact is
 * about 2 MB; 256 MiB holds more nodes than a model may have (engine/tree.ts MAX_ENSEMBLE_NODES).
 */
export const MAX_MODEL_FILE_BYTES = 256 * 1024 * 1024;

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
/** Version of Loupe that wrote an artifact. */
export const LOUPE_VERSION: string = pkg.version;

export interface ModelArtifact {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: typeof ARTIFACT_FORMAT_VERSION;
  loupeVersion: string;
  kind: string;
  params: Record<string, unknown>;
  seed: number;
  featureSpec: { version: number; names: string[] };
  trainingData: {
    sha256: string;
    rows: number;
    /** Smallest and largest value of each numeric field among the training rows. */
    ranges: Partial<Record<NumberFieldName, [number, number]>>;
    /** How many training stones there are of each carat, colour and clarity (support.ts). */
    support: SupportHistogram;
    /**
     * Per characteristic, the training values' PSI deciles and a KS grid with its counts (numbers), or the count of
     * each grade (distribution.ts): what the live traffic window measures drift against. Added 2026-12-05; a file
     * written before has none (the window then falls back to carat, colour and clarity from the support histogram).
     */
    distribution?: TrainingDistribution;
  };
  /** The fitted model of `kind` (see kinds/). */
  model: unknown;
  /** The difficulty model σ(x) > 0 behind adaptive ranges: a payload of any kind (gbdt since 2026-12-05, hedonic before: both load) of log |residual|. */
  difficulty: { kind: string; model: unknown; floor: number };
  /** σ scales per segment (carat band, cut, colour, clarity, support), fitted on out-of-fold rows (segments.ts). */
  segmentScales: SegmentScales;
  /** Split-conformal calibration of |log-price residual| / σ on rows the models did not learn from. */
  calibration: Calibration;
  /** How 4Cs-only stones (no measurements) are valued and their ranges calibrated (four-cs.ts). */
  fourCs: FourCsRanges;
  /** Measured while training, on out-of-fold predictions (rows each fold's model did not see). */
  metrics: { outOfFold: PriceMetrics & { range: RangeMetrics } };
}

/** The numeric fields whose training ranges a model carries: each one's [smallest, largest] training value. */
export const TRAINING_RANGE_FIELDS: readonly NumberFieldName[] = ['carat', 'depth', 'table', 'x', 'y', 'z', 'price'];

export class ArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactError';
  }
}

export function serializeArtifact(artifact: ModelArtifact): string {
  return `${JSON.stringify(artifact)}\n`;
}

/** Parses and validates an artifact; throws ArtifactError saying what is wrong. */
export function parseArtifact(text: string): ModelArtifact {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ArtifactError(
      `model file is not valid JSON (${(err as Error).message}); it may be truncated or corrupt (${text.length} bytes)`,
    );
  }
  const a = value as Partial<ModelArtifact> | null;
  if (!a || typeof a !== 'object' || a.format !== ARTIFACT_FORMAT) {
    throw new ArtifactError(
      `not a Loupe model file (format is ${JSON.stringify(a?.format)}, expected "${ARTIFACT_FORMAT}")`,
    );
  }
  const older: Record<number, string> = {
    1: 'predates support counts and ranges calibrated per segment',
    2: 'predates valuations from the 4Cs alone (their ranges need a calibration of their own)',
  };
  const version = a.formatVersion as number | undefined;
  if (version !== undefined && older[version]) {
    throw new ArtifactError(
      `model file format version ${version} ${older[version]}; retrain the model (loupe train) to serve it with Loupe ${LOUPE_VERSION}`,
    );
  }
  if (a.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw new ArtifactError(
      `model file format version ${String(a.formatVersion)} is not supported by Loupe ${LOUPE_VERSION} (supports ${ARTIFACT_FORMAT_VERSION})`,
    );
  }
  const spec = a.featureSpec;
  if (!spec || spec.version !== FEATURE_SPEC.version || spec.names?.join('|') !== FEATURE_SPEC.names.join('|')) {
    throw new ArtifactError(
      `model was trained with feature spec ${JSON.stringify(spec)}; this Loupe computes ${JSON.stringify(FEATURE_SPEC)}`,
    );
  }
  const required: (keyof ModelArtifact)[] = [
    'kind',
    'params',
    'seed',
    'trainingData',
    'model',
    'difficulty',
    'segmentScales',
    'calibration',
    'fourCs',
    'metrics',
  ];
  for (const key of required) {
    if (a[key] === undefined || a[key] === null) throw new ArtifactError(`model file lacks "${key}"`);
  }
  const problem = headerProblem(a as ModelArtifact);
  if (problem) throw new ArtifactError(`model file ${problem}`);
  try {
    validateTrainingData(a.trainingData as ModelArtifact['trainingData']);
  } catch (err) {
    throw new ArtifactError(`model file has no valid training data: ${(err as Error).message}`);
  }
  try {
    validateSupportHistogram(a.trainingData?.support);
    validateSegmentScales(a.segmentScales);
  } catch (err) {
    throw new ArtifactError(`model file has no valid support or segment scales: ${(err as Error).message}`);
  }
  if (a.trainingData?.distribution !== undefined) {
    try {
      validateTrainingDistribution(a.trainingData.distribution, a.trainingData.rows);
    } catch (err) {
      throw new ArtifactError(`model file has no valid training distribution: ${(err as Error).message}`);
    }
  }
  try {
    validateCalibration(a.calibration);
  } catch (err) {
    throw new ArtifactError(`model file has no valid range calibration: ${(err as Error).message}`);
  }
  try {
    validateFourCsRanges(a.fourCs);
  } catch (err) {
    throw new ArtifactError(`model file has no valid 4Cs-only calibration: ${(err as Error).message}`);
  }
  try {
    validateOutOfFold(a.metrics?.outOfFold);
  } catch (err) {
    throw new ArtifactError(`model file has no valid metrics: ${(err as Error).message}`);
  }
  return a as ModelArtifact;
}

/**
 * What serving reads of the training data besides its histograms: the ranges behind the carat limit (1.5 × the
 * heaviest carat), the warnings of a stone outside them and the explanation's typical stone (its rows and hash are
 * checked with the header, headerProblem). Damaged (a string, null, a field missing, min > max), the limit would read
 * "NaN ct" and refuse every stone, or vanish.
 */
function validateTrainingData(t: ModelArtifact['trainingData']): void {
  const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));
  const expected = 'expected [min, max], two numbers with min ≤ max';
  const ranges = t.ranges as unknown;
  if (typeof ranges !== 'object' || ranges === null || Array.isArray(ranges))
    throw new Error(
      `trainingData.ranges is ${show(ranges)}; expected an object of ${TRAINING_RANGE_FIELDS.join(', ')}, each ${expected}`,
    );
  for (const field of TRAINING_RANGE_FIELDS) {
    const r = (ranges as Record<string, unknown>)[field];
    const ok =
      Array.isArray(r) &&
      r.length === 2 &&
      r.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
      (r[0] as number) <= (r[1] as number);
    if (!ok) throw new Error(`trainingData.ranges.${field} is ${show(r)}; ${expected}`);
  }
}

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with the fields that describe the model (its kind, seed, data, difficulty floor), or undefined. */
function headerProblem(a: ModelArtifact): string | undefined {
  if (typeof a.kind !== 'string') return `has kind ${JSON.stringify(a.kind)}; it must be the name of a model kind`;
  if (typeof a.loupeVersion !== 'string') return 'lacks the version of Loupe that wrote it (loupeVersion)';
  if (!isPlainObject(a.params)) return 'has params that are not an object';
  if (!(Number.isInteger(a.seed) && a.seed >= 0)) return `has seed ${JSON.stringify(a.seed)}, not a whole number`;
  const data = a.trainingData;
  if (!isPlainObject(data) || typeof data.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(data.sha256))
    return 'lacks the SHA-256 of its training data (trainingData.sha256, 64 hex digits)';
  if (!(Number.isInteger(data.rows) && data.rows > 0))
    return `has trainingData.rows ${JSON.stringify(data.rows)}; it must be a positive whole number`;
  if (!isPlainObject(a.difficulty) || typeof a.difficulty.kind !== 'string' || !validFloor(a.difficulty.floor))
    return `has no valid difficulty model: it needs a kind and a floor, ${FLOOR_ALLOWED}`;
  return undefined;
}
