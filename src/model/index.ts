/**
 * The model layer's surface: train an artifact from appraisals, load it for serving, evaluate it.
 */
export * from './valuation.js';
export { FEATURE_NAMES, FEATURE_SPEC, featureRow, featureColumns } from './features.js';
export {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  ArtifactError,
  LOUPE_VERSION,
  MAX_MODEL_FILE_BYTES,
  parseArtifact,
  serializeArtifact,
} from './artifact.js';
export type { ModelArtifact } from './artifact.js';
export {
  crossValidateMany,
  finishTraining,
  trainModel,
  trainModelAsync,
  trainingDataHash,
  DEFAULT_COVERAGES,
  TooFewAppraisalsError,
  type FoldFits,
  type TrainOptions,
} from './train.js';
export { DEFAULT_DIFFICULTY_TREES } from './ranges.js';
export {
  caratLimit,
  caratLimitProblem,
  artifactSummary,
  createValuer,
  deferredValuer,
  DEFAULT_CARAT_LIMIT_FACTOR,
  loadValuer,
  MAX_RANGE_RATIO,
  roundPrice,
  type LoadedModel,
  type PricedStone,
} from './valuer.js';
export { WARNING_CODES, WARNING_CODE_LIST, type WarningCode } from './warnings.js';
export { THIN_SUPPORT, caratBin, type SupportHistogram } from './support.js';
export {
  DISTRIBUTION_GRADES,
  DISTRIBUTION_NUMBERS,
  GRADE_SCALES,
  KS_QUANTILES,
  trainingDistribution,
  type DistributionGrade,
  type DistributionNumber,
  type TrainingDistribution,
} from './distribution.js';
// The binning and drift formulas the artifact's distribution is read with (the api does not import the engine).
export { binOf, binnedKs, ksPValue, psiOfShares } from '../engine/distribution.js';
export {
  CARAT_BANDS,
  coverageBySegment,
  PARTITIONS,
  SEGMENT_GROUPS,
  segmentsOf,
  type SegmentCoverage,
} from './segments.js';
export {
  evaluateModel,
  evaluateWithSegments,
  evaluateSplit,
  crossValidate,
  rangesBySegment,
  type SegmentCoverageTables,
  type Evaluation,
  type CrossValidation,
} from './evaluate.js';
export { ACCURACY_PARTITIONS, type AccuracyPartition, type SegmentAccuracy } from './segment-accuracy.js';
export { priceMetrics, rangeMetrics, type PriceMetrics, type RangeMetrics } from './metrics.js';
export { KIND_NAMES, DEFAULT_KIND } from './kinds/index.js';
export { tellExplanation } from './explain.js';
export { importXGBoost, type ImportOptions } from './import-xgboost.js';
export {
  artifactFromExternalTraining,
  DEFAULT_XGBOOST_PARAMS,
  EXTERNALLY_TRAINED_KINDS,
  trainingTableLines,
} from './external-training.js';
// The engine's seeded generator, for the pipeline's seeded choices (the pipeline does not import the engine).
export { createRng, sampleWithoutReplacement, type Rng } from '../engine/random.js';
