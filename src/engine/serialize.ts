/**
 * Versioned JSON for a boosted model. The text is
 *   {"format":"loupe-gbdt","version":1,"checksum":"<16 hex>","model":{…}}
 * where the checksum covers the exact JSON of "model". Serialising is deterministic (fixed key order, shortest
 * round-trip numbers), so the same model always gives the same bytes. Deserialising refuses, with a
 * ModelFormatError saying what is wrong, text that is not JSON (e.g. truncated), another format or version, a
 * checksum mismatch (altered bytes), or a structure that is not a valid ensemble: trees whose links are not a
 * tree (tree.ts treeLinkProblem), deeper than MAX_TREE_DEPTH, more than MAX_ENSEMBLE_NODES nodes in all, or
 * outputs that overflow.
 */

import type { BoostedModel } from './booster.js';
import { resolveOptions } from './options.js';
import { MAX_ENSEMBLE_NODES, outputBounds, treeLinkProblem, type Tree } from './tree.js';

export const MODEL_FORMAT = 'loupe-gbdt';
export const MODEL_FORMAT_VERSION = 1;

export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}

const TREE_FIELDS = ['feature', 'threshold', 'left', 'right', 'defaultLeft', 'value', 'cover'] as const;

/** 64-bit checksum (two independent 32-bit multiplicative hashes) of a string; detects accidental damage, not tampering. */
export function checksum(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x27d4eb2f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

export function serialize(model: BoostedModel): string {
  const { ensemble } = model;
  const body = {
    numFeatures: ensemble.numFeatures,
    featureNames: [...model.featureNames],
    options: resolveOptions(model.options, ensemble.numFeatures),
    baseScore: ensemble.baseScore,
    trees: ensemble.trees.map((t) => Object.fromEntries(TREE_FIELDS.map((k) => [k, Array.from(t[k])]))),
  };
  const bodyText = JSON.stringify(body);
  return `{"format":${JSON.stringify(MODEL_FORMAT)},"version":${MODEL_FORMAT_VERSION},"checksum":"${checksum(bodyText)}","model":${bodyText}}`;
}

function fail(message: string): never {
  throw new ModelFormatError(message);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deserialize(text: string): BoostedModel {
  if (typeof text !== 'string') fail(`model text must be a string, got ${typeof text}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    fail(`model text is not valid JSON (truncated or corrupted?): ${(err as Error).message}`);
  }
  if (!isObject(doc)) fail('model text must be a JSON object');
  if (doc.format !== MODEL_FORMAT)
    fail(`not a Loupe boosted model: format is ${JSON.stringify(doc.format)}, expected "${MODEL_FORMAT}"`);
  if (doc.version !== MODEL_FORMAT_VERSION)
    fail(
      `model format version ${JSON.stringify(doc.version)} is not supported; this Loupe reads version ${MODEL_FORMAT_VERSION}`,
    );
  if (!isObject(doc.model)) fail('model text has no "model" object');
  if (typeof doc.checksum !== 'string' || checksum(JSON.stringify(doc.model)) !== doc.checksum) {
    fail('model checksum does not match its content: the text was altered or corrupted');
  }
  const m = doc.model;
  const numFeatures = m.numFeatures;
  if (!Number.isInteger(numFeatures) || (numFeatures as number) < 1)
    fail(`model.numFeatures must be a positive integer, got ${JSON.stringify(numFeatures)}`);
  const nf = numFeatures as number;
  if (
    !Array.isArray(m.featureNames) ||
    m.featureNames.length !== nf ||
    !m.featureNames.every((s) => typeof s === 'string')
  ) {
    fail(`model.featureNames must be ${nf} strings`);
  }
  if (typeof m.baseScore !== 'number' || !Number.isFinite(m.baseScore)) fail('model.baseScore must be a finite number');
  if (!isObject(m.options)) fail('model.options must be an object');
  let options: ReturnType<typeof resolveOptions>;
  try {
    options = resolveOptions(m.options as never, nf);
  } catch (err) {
    fail(`model.options are invalid: ${(err as Error).message}`);
  }
  if (!Array.isArray(m.trees) || m.trees.length === 0) fail('model.trees must be a non-empty array of trees');
  let nodes = 0;
  for (const t of m.trees) nodes += isObject(t) && Array.isArray(t.feature) ? t.feature.length : 0;
  if (nodes > MAX_ENSEMBLE_NODES)
    fail(`model.trees have ${nodes} nodes in all; a model may have at most ${MAX_ENSEMBLE_NODES}`);
  const trees = m.trees.map((t, i) => readTree(t, i, nf));
  const ensemble = { baseScore: m.baseScore, trees, numFeatures: nf };
  if (!outputBounds(ensemble).every(Number.isFinite))
    fail("model.trees' leaf values add up past the largest number: the model's outputs overflow");
  return {
    ensemble,
    featureNames: [...(m.featureNames as string[])],
    options,
  };
}

function readTree(raw: unknown, index: number, nf: number): Tree {
  const where = `model.trees[${index}]`;
  if (!isObject(raw)) fail(`${where} must be an object`);
  for (const k of TREE_FIELDS) {
    const arr = raw[k];
    if (!Array.isArray(arr) || !arr.every((v) => typeof v === 'number'))
      fail(`${where}.${k} must be an array of numbers`);
  }
  const n = (raw.feature as number[]).length;
  if (n < 1) fail(`${where} has no nodes`);
  for (const k of TREE_FIELDS)
    if ((raw[k] as number[]).length !== n)
      fail(`${where}.${k} has ${(raw[k] as number[]).length} entries, feature has ${n}`);
  const tree: Tree = {
    feature: Int32Array.from(raw.feature as number[]),
    threshold: Float64Array.from(raw.threshold as number[]),
    left: Int32Array.from(raw.left as number[]),
    right: Int32Array.from(raw.right as number[]),
    defaultLeft: Uint8Array.from(raw.defaultLeft as number[]),
    value: Float64Array.from(raw.value as number[]),
    cover: Float64Array.from(raw.cover as number[]),
  };
  const parents = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const f = (raw.feature as number[])[i];
    const at = `${where} node ${i}`;
    if (!Number.isInteger(f) || f < -1 || f >= nf)
      fail(`${at}: feature ${f} is not -1 (leaf) or a feature index below ${nf}`);
    if (!Number.isFinite(tree.value[i]) || !Number.isFinite(tree.cover[i]))
      fail(`${at}: value and cover must be finite`);
    const dl = (raw.defaultLeft as number[])[i];
    if (dl !== 0 && dl !== 1) fail(`${at}: defaultLeft must be 0 or 1, got ${dl}`);
    const l = (raw.left as number[])[i];
    const r = (raw.right as number[])[i];
    if (f < 0) {
      if (l !== -1 || r !== -1) fail(`${at}: a leaf must have left = right = -1`);
      continue;
    }
    if (!Number.isFinite(tree.threshold[i])) fail(`${at}: threshold ${tree.threshold[i]} is not a finite number`);
    // Children after their parent: every walk ends, and no node is its own ancestor.
    for (const c of [l, r]) {
      if (!Number.isInteger(c) || c <= i || c >= n)
        fail(`${at}: child ${c} must be a node index after ${i} and below ${n}`);
      parents[c]++;
    }
  }
  for (let i = 1; i < n; i++)
    if (parents[i] !== 1)
      fail(`${where} node ${i} has ${parents[i]} parents; every node but the root needs exactly one`);
  const problem = treeLinkProblem(tree);
  if (problem) fail(`${where}: ${problem}`);
  return tree;
}
