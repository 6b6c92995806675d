/**
 * Reads an XGBoost model saved as JSON (`booster.save_model('m.json')`, XGBoost 1.x and 2.x) into an Ensemble,
 * so that Loupe can serve, explain and compare against a model trained elsewhere.
 *
 * Supported: the gbtree booster with one output, numerical splits, and an objective whose output is the margin
 * itself (squared error and the other identity-link regressions). Anything else (dart, gblinear, several
 * classes or targets, categorical splits, logistic/Poisson/… links) is refused with an error naming what was
 * found, rather than loaded into something that would predict wrongly.
 *
 * float32: XGBoost stores thresholds and leaf values as float32 and casts each input to float32 before testing
 * `x < threshold`. Reading the threshold as a double and testing the double input would disagree for inputs
 * that round to the threshold (e.g. x = 0.70499999 rounds up to the float32 threshold 0.705 and goes right in
 * XGBoost). Instead of rounding every input at prediction time, each threshold t is replaced by the smallest
 * double b that rounds to t or above: then `x < b` holds exactly when `fround(x) < t`, so the shared split
 * rule (left when value < threshold) reproduces XGBoost's decisions bit for bit at no cost per row. Leaf values
 * and covers are taken as the float32 numbers XGBoost holds; sums are done in double (XGBoost sums in float32,
 * so predictions agree to float32 rounding, about 1e-7 relative).
 *
 * A model file may come from anyone, so its structure is checked as Loupe's own format is: each tree's links must
 * make a tree (no cycle, no shared child, at most MAX_TREE_DEPTH deep: tree.ts), the model at most
 * MAX_ENSEMBLE_NODES nodes and at least one tree, and its writer XGBoost 1 to 3 (whose JSON schema this reader
 * knows). Its values are float32, so its sums cannot overflow.
 */
import { MAX_ENSEMBLE_NODES, treeFromArrays, treeLinkProblem, type Ensemble, type Tree } from './tree.js';

export interface XGBoostModel {
  ensemble: Ensemble;
  /** Feature names saved with the model, when it was trained with them. */
  featureNames?: string[];
  objective: string;
  /** XGBoost version that wrote the file, e.g. "1.7.4". */
  version: string;
  /** The base score as XGBoost stores it (for identity-link objectives it is the margin the trees start from). */
  baseScore: number;
  /** Saved by early stopping; informative only (every tree is loaded, as Booster.predict does by default). */
  bestIteration?: number;
}

/** Objectives whose prediction is the margin (baseScore + Σ trees) untransformed. */
const IDENTITY_OBJECTIVES = ['reg:squarederror', 'reg:pseudohubererror', 'reg:absoluteerror', 'reg:linear'];

class XGBoostFormatError extends Error {
  override name = 'XGBoostFormatError';
}

function fail(message: string): never {
  throw new XGBoostFormatError(`not a supported XGBoost model: ${message}`);
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${where} is missing or not an object`);
  return value as Record<string, unknown>;
}

/** XGBoost writes numbers in parameters as strings ("5E-1"); 2.x writes the base score as "[5E-1]". */
function numberParam(value: unknown, where: string): number {
  if (typeof value !== 'number' && typeof value !== 'string') fail(`${where} is missing`);
  let text = String(value).trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    const parts = text
      .slice(1, -1)
      .split(',')
      .filter((p) => p.trim() !== '');
    if (parts.length !== 1)
      fail(`${where} has ${parts.length} values (${text}); only single-output models are supported`);
    text = parts[0].trim();
  }
  const n = Number(text);
  if (text === '' || !Number.isFinite(n)) fail(`${where} is not a number: ${JSON.stringify(value)}`);
  return n;
}

function numberArray(tree: Record<string, unknown>, key: string, length: number, t: number): number[] {
  const value = tree[key];
  if (!Array.isArray(value)) fail(`tree ${t}: ${key} is missing`);
  if (value.length !== length) fail(`tree ${t}: ${key} has ${value.length} entries, expected ${length}`);
  return value.map((v, i) => {
    const n = typeof v === 'boolean' ? Number(v) : v;
    if (typeof n !== 'number' || Number.isNaN(n)) fail(`tree ${t}: ${key}[${i}] is not a number`);
    return n;
  });
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The next double above x (x finite). */
function nextDoubleUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  u64[0] = x > 0 ? u64[0] + 1n : u64[0] - 1n;
  return f64[0];
}

/**
 * The smallest double b such that fround(x) < t ⇔ x < b for every double x, where t is a float32. b is the
 * midpoint between t and the float32 below it, moved up by one double when that midpoint itself rounds down
 * (round-half-to-even picks the neighbour with an even significand).
 */
export function float32SplitBoundary(threshold: number): number {
  const t = Math.fround(threshold);
  if (!Number.isFinite(t)) return t;
  if (t === 0) return -(2 ** -150); // −2^-150 rounds to −0, which is not < 0
  f32[0] = t;
  const bits = u32[0];
  // the float32 just below t: toward zero for positives, away from zero for negatives
  u32[0] = t > 0 ? bits - 1 : bits + 1;
  // below −max float32 lies −2^128 (−Infinity in float32): inputs past the midpoint overflow to −Infinity
  const below = Number.isFinite(f32[0]) ? f32[0] : -(2 ** 128);
  const midpoint = (below + t) / 2; // exact in double
  const tIsEven = (bits & 1) === 0;
  return tIsEven ? midpoint : nextDoubleUp(midpoint);
}

function readTree(value: unknown, t: number, numFeatures: number): Tree {
  const tree = object(value, `tree ${t}`);
  const left = tree.left_children;
  if (!Array.isArray(left)) fail(`tree ${t}: left_children is missing`);
  const n = left.length;
  if (n === 0) fail(`tree ${t} has no nodes`);
  const param = tree.tree_param as Record<string, unknown> | undefined;
  if (param?.size_leaf_vector !== undefined && numberParam(param.size_leaf_vector, `tree ${t} size_leaf_vector`) > 1) {
    fail(
      `tree ${t} has vector leaves (size_leaf_vector ${String(param.size_leaf_vector)}); only single-output trees are supported`,
    );
  }
  const splitType = tree.split_type;
  if (Array.isArray(splitType) && splitType.some((s) => s !== 0))
    fail(`tree ${t} has categorical splits; only numerical splits are supported`);
  if (Array.isArray(tree.categories_nodes) && tree.categories_nodes.length > 0)
    fail(`tree ${t} has categorical splits; only numerical splits are supported`);
  const leftChildren = numberArray(tree, 'left_children', n, t);
  const rightChildren = numberArray(tree, 'right_children', n, t);
  const splitIndices = numberArray(tree, 'split_indices', n, t);
  const splitConditions = numberArray(tree, 'split_conditions', n, t);
  const defaultLeft = numberArray(tree, 'default_left', n, t);
  const sumHessian = numberArray(tree, 'sum_hessian', n, t);
  const feature: number[] = new Array(n);
  const threshold: number[] = new Array(n);
  const leafValue: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const l = leftChildren[i];
    const r = rightChildren[i];
    if (l === -1) {
      if (r !== -1) fail(`tree ${t} node ${i}: left child -1 but right child ${r}`);
      feature[i] = -1;
      threshold[i] = 0;
      leafValue[i] = Math.fround(splitConditions[i]);
      if (!Number.isFinite(leafValue[i])) fail(`tree ${t} node ${i}: leaf value ${splitConditions[i]} is not finite`);
    } else {
      for (const c of [l, r])
        if (!(Number.isInteger(c) && c > 0 && c < n))
          fail(`tree ${t} node ${i}: child ${c} is not a node of the tree (0..${n - 1})`);
      const f = splitIndices[i];
      if (!(Number.isInteger(f) && f >= 0 && f < numFeatures))
        fail(`tree ${t} node ${i}: split feature ${f} is outside the model's ${numFeatures} features`);
      feature[i] = f;
      threshold[i] = float32SplitBoundary(splitConditions[i]);
      leafValue[i] = 0;
    }
  }
  const built = treeFromArrays({
    feature,
    threshold,
    left: leftChildren,
    right: rightChildren,
    defaultLeft: defaultLeft.map((d) => (d ? 1 : 0)),
    value: leafValue,
    cover: sumHessian.map((h) => Math.fround(h)),
  });
  const problem = treeLinkProblem(built);
  if (problem) fail(`tree ${t}: ${problem}`);
  return built;
}

/** XGBoost versions whose JSON model schema this reader knows. */
const KNOWN_MAJOR_VERSIONS = [1, 2, 3];

/**
 * Reads XGBoost's JSON model (the text of the file or the parsed object). Throws an error that names what was
 * found when the model is of a kind Loupe cannot reproduce exactly.
 */
export function readXGBoostModel(json: string | object): XGBoostModel {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (error) {
      fail(
        `the text is not JSON (${(error as Error).message}); save the model with a .json file name (UBJSON is not read)`,
      );
    }
  }
  const root = object(doc, 'the document');
  const versionValue = root.version;
  if (
    !Array.isArray(versionValue) ||
    versionValue.length !== 3 ||
    !versionValue.every((v) => Number.isInteger(v) && v >= 0)
  )
    fail(`version ${JSON.stringify(versionValue)} is not XGBoost's [major, minor, patch]`);
  const version = versionValue.join('.');
  if (!KNOWN_MAJOR_VERSIONS.includes(versionValue[0] as number))
    fail(`written by XGBoost ${version}; Loupe reads models written by XGBoost 1.x to 3.x`);
  const learner = object(root.learner, 'learner');
  const objectiveName = object(learner.objective, 'learner.objective').name;
  if (typeof objectiveName !== 'string') fail('learner.objective.name is missing');
  if (!IDENTITY_OBJECTIVES.includes(objectiveName)) {
    fail(`objective "${objectiveName}" transforms the margin; supported objectives: ${IDENTITY_OBJECTIVES.join(', ')}`);
  }
  const modelParam = object(learner.learner_model_param, 'learner.learner_model_param');
  const numFeatures = numberParam(modelParam.num_feature, 'learner_model_param.num_feature');
  if (!Number.isInteger(numFeatures) || numFeatures < 1)
    fail(`num_feature must be a positive integer, found ${numFeatures}`);
  const numClass =
    modelParam.num_class === undefined ? 0 : numberParam(modelParam.num_class, 'learner_model_param.num_class');
  if (numClass > 1) fail(`the model has ${numClass} classes; only single-output regression is supported`);
  const numTarget =
    modelParam.num_target === undefined ? 1 : numberParam(modelParam.num_target, 'learner_model_param.num_target');
  if (numTarget !== 1) fail(`the model has ${numTarget} targets; only single-output regression is supported`);
  const baseScore = numberParam(modelParam.base_score, 'learner_model_param.base_score');

  const booster = object(learner.gradient_booster, 'learner.gradient_booster');
  if (booster.name !== 'gbtree')
    fail(`booster "${String(booster.name)}"; only gbtree is supported (dart and gblinear are not)`);
  const model = object(booster.model, 'gradient_booster.model');
  const trees = model.trees;
  if (!Array.isArray(trees)) fail('gradient_booster.model.trees is missing');
  if (trees.length === 0) fail('gradient_booster.model.trees is empty: the model has no trees');
  let nodes = 0;
  for (const tree of trees) {
    const left = (tree as Record<string, unknown> | null)?.left_children;
    nodes += Array.isArray(left) ? left.length : 0;
  }
  if (nodes > MAX_ENSEMBLE_NODES)
    fail(`the trees have ${nodes} nodes in all; a model may have at most ${MAX_ENSEMBLE_NODES}`);
  const treeInfo = model.tree_info;
  if (Array.isArray(treeInfo) && treeInfo.some((g) => g !== 0))
    fail('trees belong to several output groups; only single-output regression is supported');
  const ensembleTrees = trees.map((tree, t) => readTree(tree, t, numFeatures));

  const names = learner.feature_names;
  const featureNames = Array.isArray(names) && names.length > 0 ? names.map(String) : undefined;
  if (featureNames && featureNames.length !== numFeatures)
    fail(`${featureNames.length} feature names for ${numFeatures} features`);
  const attributes = (learner.attributes ?? {}) as Record<string, unknown>;
  const bestIteration =
    attributes.best_iteration === undefined
      ? undefined
      : numberParam(attributes.best_iteration, 'attributes.best_iteration');

  return {
    ensemble: { baseScore: Math.fround(baseScore), trees: ensembleTrees, numFeatures },
    ...(featureNames ? { featureNames } : {}),
    objective: objectiveName,
    version,
    baseScore: Math.fround(baseScore),
    ...(bestIteration === undefined ? {} : { bestIteration }),
  };
}

export { XGBoostFormatError };
