/**
 * The vector layout: the tree is cut into units, subtrees of at most 3 (else 1, else 0) splits (plan.ts). A unit's
 * T tests are the splits above it and inside it; for each of the 2^T ways a row can go at them, the table holds the
 * sum of its leaves' contributions per player the unit tests. A row then costs, per unit, T comparisons and one
 * table row added: for a depth-4 tree, 4 units of 5 comparisons and about 4 additions.
 */
import { countAtMost, countBelow, thresholdTables } from '../cuts.js';
import type { Tree } from '../tree.js';
import { leafVector } from './formula.js';
import {
  compileVectorBlockKernel,
  compileVectorKernel,
  type UnitGroups,
  type VectorBlockKernel,
  type VectorKernel,
} from './kernel.js';
import type { Layout } from './layout.js';
import { isLeafAt, type ExplainerPlan, type TreeWalk, type VectorPlan } from './plan.js';

/** Rows per block of explainBatch: enough to reuse each table's rows, few enough for the block's codes and outputs to stay in L1. */
const BLOCK_ROWS = 32;

export class VectorLayout implements Layout {
  readonly tableEntries: number;
  /**
   * Units with the same number of tests T and players W form a group, stored back to back: unit k of group g has
   * tests firstTest[g] + k·T …, players firstPlayer[g] + k·W … and table rows of W numbers from
   * firstEntry[g] + k·W·2^T. Loops with fixed trip counts per group keep branches predictable.
   */
  private readonly groups: UnitGroups;
  private readonly unitFeature: Int32Array;
  private readonly table: Float64Array;
  /**
   * For the prediction, per unit (in table order): its tree, its inner tests' count I, the ways at the splits
   * above it that lead into it (the index's high bits), and from unitLeafStart the value of the leaf the row
   * reaches for each of the 2^I ways at its inner tests. Exactly one unit per tree is reached.
   */
  private readonly unitTree: Int32Array;
  private readonly unitInner: Uint8Array;
  private readonly unitPath: Int32Array;
  private readonly unitLeafStart: Int32Array;
  private readonly unitLeaf: Float64Array;
  private readonly baseScore: number;
  /** Scratch: the output of each tree for the row (for the prediction). */
  private readonly treeOutput: Float64Array;
  /** Scratch: per unit, the row's index into its table (the ways at its tests). */
  private readonly unitIndex: Int32Array;
  /**
   * Complete rows take the tests as integer comparisons (cuts.ts): per feature the sorted distinct thresholds its
   * tests use, and per test the position of its threshold there; "x < threshold" is "code ≤ position".
   */
  private readonly cuts: Float64Array[];
  private readonly code: Int32Array;
  private readonly testPosition: Int32Array;
  private readonly testFeature: Int32Array;
  private readonly testThreshold: Float64Array;
  private readonly testDefaultLeft: Uint8Array;
  /** Complete rows: the unit loop compiled for this model (kernel.ts); undefined with `compile: false`. */
  private readonly kernel: VectorKernel | undefined;
  private readonly blockKernel: VectorBlockKernel | undefined;

  constructor(plan: ExplainerPlan, vector: VectorPlan, compile: boolean) {
    const { trees, walks } = plan;
    const units = vector.units;
    this.baseScore = plan.baseScore;
    let testCount = 0;
    let featureCount = 0;
    const runs: { start: number; count: number; tests: number; width: number }[] = [];
    units.forEach((unit, u) => {
      testCount += unit.tests.length;
      featureCount += unit.features.length;
      const last = runs[runs.length - 1];
      if (last && last.tests === unit.tests.length && last.width === unit.features.length) last.count++;
      else runs.push({ start: u, count: 1, tests: unit.tests.length, width: unit.features.length });
    });
    this.groups = {
      units: Int32Array.from(runs, (g) => g.count),
      tests: Int32Array.from(runs, (g) => g.tests),
      width: Int32Array.from(runs, (g) => g.width),
      firstTest: new Int32Array(runs.length),
      firstPlayer: new Int32Array(runs.length),
      firstEntry: new Int32Array(runs.length),
    };
    this.unitFeature = new Int32Array(featureCount);
    this.unitTree = new Int32Array(units.length);
    this.unitInner = new Uint8Array(units.length);
    this.unitPath = new Int32Array(units.length);
    this.unitLeafStart = new Int32Array(units.length);
    this.treeOutput = new Float64Array(trees.length);
    this.unitIndex = new Int32Array(units.length);
    let leafSlots = 0;
    units.forEach((unit, u) => {
      const walk = walks[unit.tree];
      let ancestors = 0;
      let path = 0;
      for (let c = unit.q; walk.parent[c] >= 0; c = walk.parent[c]) path |= walk.isLeft[c] << ancestors++;
      this.unitTree[u] = unit.tree;
      this.unitInner[u] = unit.tests.length - ancestors;
      this.unitPath[u] = path;
      this.unitLeafStart[u] = leafSlots;
      leafSlots += 1 << (unit.tests.length - ancestors);
    });
    this.unitLeaf = new Float64Array(leafSlots);
    units.forEach((unit, u) => {
      // the leaf reached for each way at the inner tests (inner test k is bit I − 1 − k, as in the row index)
      const walk = walks[unit.tree];
      const inner = unit.tests.slice(unit.tests.length - this.unitInner[u]);
      const I = inner.length;
      for (let ways = 0; ways < 1 << I; ways++) {
        let p = unit.q;
        while (!isLeafAt(trees[unit.tree], walk, p)) {
          const goLeft = (ways >> (I - 1 - inner.indexOf(p))) & 1;
          p = goLeft ? p + 1 : p + 1 + walk.size[p + 1];
        }
        this.unitLeaf[this.unitLeafStart[u] + ways] = trees[unit.tree].value[walk.order[p]];
      }
    });
    this.testFeature = new Int32Array(testCount);
    this.testThreshold = new Float64Array(testCount);
    this.testDefaultLeft = new Uint8Array(testCount);
    this.testPosition = new Int32Array(testCount);
    this.code = new Int32Array(plan.numFeatures);
    // every split is a test of some unit (above it or inside it), so the tables hold every threshold of the trees
    this.cuts = thresholdTables(trees, plan.numFeatures);
    this.table = new Float64Array(vector.entries);
    this.tableEntries = this.table.length;

    const coef = new Float64Array(plan.maxDepth + 2);
    let ti = 0;
    let si = 0;
    let fi = 0;
    runs.forEach((run, g) => {
      this.groups.firstTest[g] = si;
      this.groups.firstPlayer[g] = fi;
      this.groups.firstEntry[g] = ti;
      for (let u = run.start; u < run.start + run.count; u++) {
        const unit = units[u];
        const tree = trees[unit.tree];
        const walk = walks[unit.tree];
        for (const p of unit.tests) {
          const node = walk.order[p];
          this.testFeature[si] = tree.feature[node];
          this.testThreshold[si] = tree.threshold[node];
          this.testDefaultLeft[si] = tree.defaultLeft[node];
          this.testPosition[si] = countBelow(this.cuts[tree.feature[node]], tree.threshold[node]);
          si++;
        }
        for (const f of unit.features) this.unitFeature[fi++] = f;
        this.fillUnit(tree, walk, unit.q, unit.tests, unit.features, ti, coef);
        ti += unit.features.length << unit.tests.length;
      }
    });
    this.kernel = compile ? compileVectorKernel(this.groups) : undefined;
    this.blockKernel = compile ? compileVectorBlockKernel(this.groups) : undefined;
  }

  /**
   * Tabulates a unit (the subtree at q): for each way a row can go at its T tests, the sum over its leaves of
   * their contributions, one entry per unit player. Test j is bit T − 1 − j of the row index, as the unit loop
   * shifts the bits in.
   */
  private fillUnit(
    tree: Tree,
    walk: TreeWalk,
    q: number,
    tests: number[],
    features: number[],
    offset: number,
    coef: Float64Array,
  ): void {
    const T = tests.length;
    const testBit = new Map(tests.map((p, j) => [p, T - 1 - j]));
    const leaves: {
      vector: Float64Array;
      d: number;
      map: number[];
      steps: { bit: number; isLeft: number; slot: number }[];
    }[] = [];
    for (let p = q; p < q + walk.size[q]; p++) {
      if (!isLeafAt(tree, walk, p)) continue;
      const steps: { bit: number; isLeft: number; slot: number }[] = [];
      for (let c = p; walk.parent[c] >= 0; c = walk.parent[c])
        steps.push({ bit: testBit.get(walk.parent[c]) as number, isLeft: walk.isLeft[c], slot: walk.slot[c] });
      leaves.push({
        vector: leafVector(tree.value[walk.order[p]], walk.zero[p], coef),
        d: walk.features[p].length,
        map: walk.features[p].map((f) => features.indexOf(f)),
        steps,
      });
    }
    for (let ways = 0; ways < 1 << T; ways++) {
      const entry = offset + ways * features.length;
      for (const leaf of leaves) {
        let mask = (1 << leaf.d) - 1;
        for (const step of leaf.steps) if (((ways >> step.bit) & 1) !== step.isLeft) mask &= ~(1 << step.slot);
        for (let i = 0; i < leaf.d; i++) this.table[entry + leaf.map[i]] += leaf.vector[mask * leaf.d + i];
      }
    }
  }

  add(x: Float64Array, phi: Float64Array, missing: boolean): void {
    if (missing) {
      this.addUnitsPlain(x, phi, true);
      return;
    }
    const code = this.code;
    for (let f = 0; f < code.length; f++) code[f] = countAtMost(this.cuts[f], x[f]);
    if (this.kernel)
      this.kernel(code, this.testFeature, this.testPosition, this.unitFeature, this.table, phi, this.unitIndex);
    else this.addUnitsPlain(x, phi, false);
  }

  /**
   * The unit loop, not compiled: per unit, T comparisons make the row index, then one table row of W numbers is
   * added. A complete row's comparisons use the codes add() has just computed.
   */
  private addUnitsPlain(x: Float64Array, phi: Float64Array, missing: boolean): void {
    const { unitFeature, testFeature, testThreshold, testDefaultLeft, testPosition, table, code, unitIndex } = this;
    const { units: groupUnits, tests: groupTests, width: groupWidth, firstTest, firstPlayer, firstEntry } = this.groups;
    let unit = 0;
    for (let g = 0; g < groupUnits.length; g++) {
      const units = groupUnits[g];
      const tests = groupTests[g];
      const width = groupWidth[g];
      const stride = width << tests;
      let s = firstTest[g];
      let f = firstPlayer[g];
      let base = firstEntry[g];
      for (let u = 0; u < units; u++, base += stride) {
        let index = 0;
        if (missing) {
          for (let j = 0; j < tests; j++, s++) {
            const v = x[testFeature[s]];
            index = (index << 1) | (v !== v ? testDefaultLeft[s] : v < testThreshold[s] ? 1 : 0);
          }
        } else {
          // left (bit 1) when code ≤ position, i.e. code − position − 1 < 0
          for (let j = 0; j < tests; j++, s++)
            index = (index << 1) | ((code[testFeature[s]] - testPosition[s] - 1) >>> 31);
        }
        const row = base + index * width;
        for (let i = 0; i < width; i++, f++) phi[unitFeature[f]] += table[row + i];
        unitIndex[unit++] = index;
      }
    }
  }

  lastPrediction(): number {
    // a separate loop over the row indices the unit loop recorded keeps that hot loop as it is
    const { unitTree, unitInner, unitPath, unitLeafStart, unitLeaf, unitIndex, treeOutput } = this;
    for (let u = 0; u < unitIndex.length; u++) {
      const index = unitIndex[u];
      const inner = unitInner[u];
      if (index >>> inner === unitPath[u])
        treeOutput[unitTree[u]] = unitLeaf[unitLeafStart[u] + (index & ((1 << inner) - 1))];
    }
    let sum = this.baseScore;
    for (let t = 0; t < treeOutput.length; t++) sum += treeOutput[t];
    return sum;
  }

  /**
   * Contributions of many rows (length players + 1 each, the expected value last), complete rows in blocks through
   * the compiled block kernel, rows with a missing value through `one`; null when the layout is not compiled.
   */
  explainBatch(
    rows: ArrayLike<ArrayLike<number>>,
    numPlayers: number,
    expectedValue: number,
    one: (row: ArrayLike<number>) => Float64Array,
  ): Float64Array[] | null {
    const kernel = this.blockKernel;
    if (!kernel) return null;
    const players = numPlayers + 1;
    const out: Float64Array[] = new Array(rows.length);
    const m = this.code.length;
    const codes = new Int32Array(BLOCK_ROWS * m);
    const phi = new Float64Array(BLOCK_ROWS * players);
    const block: number[] = [];
    const flush = (): void => {
      phi.fill(0);
      kernel(block.length, codes, m, this.testFeature, this.testPosition, this.unitFeature, this.table, phi, players);
      block.forEach((r, b) => {
        const values = phi.slice(b * players, (b + 1) * players);
        values[numPlayers] = expectedValue;
        out[r] = values;
      });
      block.length = 0;
    };
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (row.length < m) throw new RangeError(`row has ${row.length} values, the model needs ${m}`);
      let complete = true;
      for (let f = 0; f < m; f++) if (+row[f] !== +row[f]) complete = false;
      if (!complete) {
        out[r] = one(row);
        continue;
      }
      const at = block.length * m;
      for (let f = 0; f < m; f++) codes[at + f] = countAtMost(this.cuts[f], +row[f]);
      block.push(r);
      if (block.length === BLOCK_ROWS) flush();
    }
    if (block.length > 0) flush();
    return out;
  }
}
