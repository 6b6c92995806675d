/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2) for an Ensemble, computed the way Fast
 * TreeSHAP v2 (Yang 2021) does: everything that does not depend on the row is done once per model.
 *
 * Why this is exact. For a leaf l with value v, let U be the distinct features tested on its path (d of them),
 * z_j the product of the cover fractions cover(child)/cover(parent) over the path's splits on feature j, and o_j
 * 1 when the row takes every split on j the path's way, else 0 (a feature tested twice on a path is merged this
 * way: that is exactly what Algorithm 2's unwind step achieves). The leaf adds to feature i in U
 *     v · (o_i − z_i) · Σ_{S ⊆ U∖{i}} w(|S|, d) · Π_{j∈S} o_j · Π_{j∈U∖S∖{i}} z_j,   w(s, d) = s!(d−s−1)!/d!.
 * Since o is 0/1, a leaf's contributions depend on the row only through the d-bit mask O = {j : o_j = 1}, and
 * O only through the way the row goes at the splits on the leaf's path. So the contributions are tabulated when
 * the explainer is built; three layouts, the fastest that fits the memory budget (maxTableEntries) is used:
 *   - "vector" (vector.ts): per subtree of at most 3 splits, a table indexed by the way the row goes at the
 *     splits above and inside it. A 1,000-tree depth-4 model needs about 0.4M numbers (3.3 MB).
 *   - "weights" (leaves.ts): 2^d numbers per leaf, and one pass over the nodes for the masks.
 *   - "direct" (leaves.ts): the formula above evaluated per leaf and row (no memory).
 *
 * The folder: plan.ts walks the trees and chooses the layout, formula.ts is the arithmetic above, vector.ts and
 * leaves.ts are the layouts, kernel.ts writes the vector layout's loop out for one model; this file chooses.
 *
 * The result is in the model's output space (the margin: baseScore + Σ tree outputs); the last entry is the
 * expected value, and the entries add up to the prediction.
 *
 * Groups of features. With options.groups the players of the game are groups of features: v(G) is the
 * path-dependent expectation that follows the row at the splits on features of the groups in G and averages the
 * two children by cover at every other split. A leaf's weight in v(G) is Π over the groups j on its path of
 * (o_j if j ∈ G else z_j), with o_j and z_j taken over all the path's splits on features of group j — the very
 * form of a feature tested twice on a path. So the formula above, with U the distinct groups on the path, gives
 * the exact Shapley values of the grouped game, and everything runs unchanged with "feature" read as "player"
 * wherever a slot, a table column or an output entry is meant; a split still compares the row's own feature
 * value. Fewer distinct players per path mean narrower tables and fewer additions. The identity grouping is
 * per-feature SHAP, bit for bit.
 */
import type { Ensemble, Tree } from '../tree.js';
import type { Layout } from './layout.js';
import { LeafLayout } from './leaves.js';
import { planExplainer, type ExplainerLayout, type ExplainerOptions } from './plan.js';
import { VectorLayout } from './vector.js';

export { DEFAULT_MAX_TABLE_ENTRIES, type ExplainerLayout, type ExplainerOptions } from './plan.js';

export interface TreeExplainer {
  /** Length of the rows explained. */
  readonly numFeatures: number;
  /** Number of players: the features, or the groups when `groups` was given (max group + 1). */
  readonly numPlayers: number;
  /** The path-dependent expected value of the model's output (what the contributions start from). */
  readonly expectedValue: number;
  readonly layout: ExplainerLayout;
  /** Number of precomputed numbers held (8 bytes each). */
  readonly tableEntries: number;
  /**
   * Contributions of each player (feature, or group) followed by the expected value (length numPlayers + 1);
   * they add up to the prediction. Writes into `out` when given (it must have that length), which makes the call
   * allocation-free.
   */
  shapValues(row: ArrayLike<number>, out?: Float64Array): Float64Array;
  /**
   * shapValues into `out`, and returns the prediction, equal bit for bit to predictRow's (base + tree 0 + tree 1
   * + …), taken from the same comparisons: a valuation that needs both walks the model once.
   */
  shapValuesAndPrediction(row: ArrayLike<number>, out: Float64Array): number;
  /**
   * shapValues for many rows: one Float64Array of length numPlayers + 1 per row, each equal bit for bit to
   * shapValues(row). The vector layout takes complete rows (no missing value) in blocks through every table, so
   * a table's rows are read for a whole block while in cache.
   */
  shapValuesBatch(rows: ArrayLike<ArrayLike<number>>): Float64Array[];
}

class Explainer implements TreeExplainer {
  readonly numFeatures: number;
  readonly numPlayers: number;
  readonly expectedValue: number;
  readonly layout: ExplainerLayout;
  readonly tableEntries: number;
  private readonly tables: Layout;
  private readonly vector: VectorLayout | null;
  /** Scratch: the row as doubles. */
  private readonly x: Float64Array;

  constructor(ensemble: Ensemble, options: ExplainerOptions = {}) {
    const plan = planExplainer(ensemble, options);
    this.numFeatures = plan.numFeatures;
    this.numPlayers = plan.numPlayers;
    this.expectedValue = plan.expectedValue;
    this.layout = plan.layout;
    this.vector = plan.vector ? new VectorLayout(plan, plan.vector, options.compile ?? true) : null;
    this.tables = this.vector ?? new LeafLayout(plan, plan.layout === 'weights');
    this.tableEntries = this.tables.tableEntries;
    this.x = new Float64Array(plan.numFeatures + 1);
  }

  /** Checks the row and the output, zeroes the output, copies the row into this.x; returns whether a value is missing. */
  private loadRow(row: ArrayLike<number>, phi: Float64Array): boolean {
    const m = this.numFeatures;
    const players = this.numPlayers;
    if (row.length < m) throw new RangeError(`row has ${row.length} values, the model needs ${m}`);
    if (phi.length !== players + 1) throw new RangeError(`output must have length ${players + 1}, found ${phi.length}`);
    phi.fill(0);
    const x = this.x;
    let missing = false;
    for (let f = 0; f < m; f++) {
      const v = +row[f];
      x[f] = v;
      if (v !== v) missing = true;
    }
    return missing;
  }

  shapValues(row: ArrayLike<number>, out?: Float64Array): Float64Array {
    const phi = out ?? new Float64Array(this.numPlayers + 1);
    this.tables.add(this.x, phi, this.loadRow(row, phi));
    phi[this.numPlayers] = this.expectedValue;
    return phi;
  }

  shapValuesAndPrediction(row: ArrayLike<number>, out: Float64Array): number {
    this.shapValues(row, out);
    return this.tables.lastPrediction();
  }

  shapValuesBatch(rows: ArrayLike<ArrayLike<number>>): Float64Array[] {
    const batch = this.vector?.explainBatch(rows, this.numPlayers, this.expectedValue, (row) => this.shapValues(row));
    if (batch) return batch;
    const out: Float64Array[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) out[r] = this.shapValues(rows[r]);
    return out;
  }
}

/** Builds the per-model explainer once (validating the trees); reuse it for every row. */
export function createExplainer(ensemble: Ensemble, options?: ExplainerOptions): TreeExplainer {
  return new Explainer(ensemble, options);
}

const cache = new WeakMap<Ensemble, { trees: Tree[]; count: number; baseScore: number; explainer: TreeExplainer }>();

/** The explainer of an ensemble, built on first use; rebuilt if its tree list or base score was replaced or grown. */
function cachedExplainer(ensemble: Ensemble): TreeExplainer {
  const hit = cache.get(ensemble);
  if (
    hit &&
    hit.trees === ensemble.trees &&
    hit.count === ensemble.trees.length &&
    hit.baseScore === ensemble.baseScore
  )
    return hit.explainer;
  const explainer = createExplainer(ensemble);
  cache.set(ensemble, {
    trees: ensemble.trees,
    count: ensemble.trees.length,
    baseScore: ensemble.baseScore,
    explainer,
  });
  return explainer;
}

/**
 * SHAP values of one row: numFeatures contributions followed by the expected value; they add up to the
 * prediction. The explainer is built on first use and cached per ensemble object (trees changed in place are
 * not noticed: build a new Ensemble instead, or use createExplainer).
 */
export function shapValues(ensemble: Ensemble, row: ArrayLike<number>): Float64Array {
  return cachedExplainer(ensemble).shapValues(row);
}

export function shapValuesBatch(ensemble: Ensemble, rows: ArrayLike<ArrayLike<number>>): Float64Array[] {
  return cachedExplainer(ensemble).shapValuesBatch(rows);
}
