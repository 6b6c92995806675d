/**
 * The model registry: versions, the champion pointer and its history, atomic artifact writes.
 */
export {
  ARTIFACT_FILE,
  championVersion,
  getChampion,
  getModel,
  listModels,
  listPromotions,
  promoteInStore,
  rollbackInStore,
  promoteModel,
  promoteModelIn,
  readArtifact,
  readArtifactAsync,
  registerModel,
  registerModelIn,
  rollbackChampion,
  rollbackToUsable,
  rollbackToUsableIn,
  setDecision,
  versionOf,
  type ModelRecord,
  type Promotion,
  type RegisterMeta,
} from './registry.js';
export {
  Accuracy,
  checkMetrics,
  handMetrics,
  labelled,
  labelledEvaluation,
  METRICS_VERSION,
  MetricsContractError,
  ModelMetrics,
  upgradeMetrics,
  type MeasuredOn,
  type Origin,
} from './metrics.js';
export { RegistryError, type RegistryErrorCode } from './errors.js';
export { sha256Hex, writeFileAtomic } from './artifact-file.js';
