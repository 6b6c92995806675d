/**
 * The weights and direct layouts, which explain leaf by leaf. One pass over the nodes, parents first, finds the
 * row's mask at every leaf: each node carries the path players the row disagrees with so far. Then each leaf adds
 * its contributions for that mask:
 *   - "weights": with B(O) = v · Σ_{S ⊆ O} w(|S|, d) · Π_{j∈U∖S} z_j (2^d numbers per leaf, as Fast TreeSHAP v2
 *     stores), the leaf adds −B(O) to each i outside O and (1 − z_i)/z_i · B(O∖{i}) to each i inside O:
 *     O(nodes + Σ_leaves d) per tree.
 *   - "direct": the formula of formula.ts evaluated per leaf and row (O(d³) per leaf; no memory).
 * A leaf behind a zero cover fraction (z_i = 0, which the weights' division cannot take) uses the direct formula.
 */
import { weightedSum } from './formula.js';
import type { Layout } from './layout.js';
import { MAX_TABLE_DEPTH, isLeafAt, type ExplainerPlan } from './plan.js';

export class LeafLayout implements Layout {
  readonly tableEntries: number;
  private readonly baseScore: number;
  /**
   * The mask pass visits every node, all trees concatenated, parents first (leaves have threshold NaN); a root's
   * parent is the extra last entry, whose state is always 0.
   */
  private readonly passFeature: Int32Array;
  private readonly passThreshold: Float64Array;
  private readonly passDefaultLeft: Uint8Array;
  private readonly passParent: Int32Array;
  private readonly passIsLeft: Uint8Array;
  /** 1 << slot of the parent's player on the paths through this node (0 for a root). */
  private readonly passBit: Int32Array;
  private readonly leafPass: Int32Array;
  private readonly leafDepth: Uint8Array;
  private readonly leafValue: Float64Array;
  private readonly leafSlotStart: Int32Array;
  /** Offset of the leaf's B table, or -1 when the leaf is explained by the direct formula. */
  private readonly leafTable: Int32Array;
  /** Per distinct player of a leaf's path: the player, its zero fraction z, and (1 − z)/z. */
  private readonly slotFeature: Int32Array;
  private readonly slotZero: Float64Array;
  private readonly slotRatio: Float64Array;
  private readonly table: Float64Array;
  /** Scratch: per pass node the way the row goes (1 = left) and the path players it disagrees with. */
  private readonly goLeft: Uint8Array;
  private readonly disagree: Int32Array;
  private readonly coef: Float64Array;

  /** `tables`: the weights layout (B tables where they can be used); else the direct layout. */
  constructor(plan: ExplainerPlan, tables: boolean) {
    const { trees, walks, leafCount, slotCount } = plan;
    this.baseScore = plan.baseScore;
    const passCount = walks.reduce((n, walk) => n + walk.order.length, 0);
    this.passFeature = new Int32Array(passCount);
    this.passThreshold = new Float64Array(passCount);
    this.passDefaultLeft = new Uint8Array(passCount);
    this.passParent = new Int32Array(passCount);
    this.passIsLeft = new Uint8Array(passCount);
    this.passBit = new Int32Array(passCount);
    this.goLeft = new Uint8Array(passCount + 1);
    this.disagree = new Int32Array(passCount + 1);
    this.leafPass = new Int32Array(leafCount);
    this.leafDepth = new Uint8Array(leafCount);
    this.leafValue = new Float64Array(leafCount);
    this.leafSlotStart = new Int32Array(leafCount + 1);
    this.leafTable = new Int32Array(leafCount);
    this.slotFeature = new Int32Array(slotCount);
    this.slotZero = new Float64Array(slotCount);
    this.slotRatio = new Float64Array(slotCount);
    this.table = new Float64Array(tables ? plan.weightEntries : 0);
    this.tableEntries = this.table.length;
    this.coef = new Float64Array(plan.maxDepth + 2);

    let pi = 0;
    let li = 0;
    let lsi = 0;
    let ti = 0;
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t];
      const walk = walks[t];
      const first = pi;
      for (let q = 0; q < walk.order.length; q++, pi++) {
        const node = walk.order[q];
        const split = tree.feature[node] >= 0;
        this.passFeature[pi] = split ? tree.feature[node] : 0;
        this.passThreshold[pi] = split ? tree.threshold[node] : NaN;
        this.passDefaultLeft[pi] = split ? tree.defaultLeft[node] : 0;
        const parent = walk.parent[q];
        this.passParent[pi] = parent < 0 ? passCount : first + parent;
        this.passIsLeft[pi] = walk.isLeft[q];
        this.passBit[pi] = parent < 0 ? 0 : 1 << walk.slot[q];
      }
      for (let q = 0; q < walk.order.length; q++) {
        if (!isLeafAt(tree, walk, q)) continue;
        const zero = walk.zero[q];
        const d = zero.length;
        const value = tree.value[walk.order[q]];
        this.leafPass[li] = first + q;
        this.leafDepth[li] = d;
        this.leafValue[li] = value;
        this.leafSlotStart[li] = lsi;
        for (let j = 0; j < d; j++, lsi++) {
          this.slotFeature[lsi] = walk.features[q][j];
          this.slotZero[lsi] = zero[j];
          this.slotRatio[lsi] = (1 - zero[j]) / zero[j];
        }
        if (tables && d <= MAX_TABLE_DEPTH && zero.every((z) => z > 0)) {
          this.leafTable[li] = ti;
          const full = (1 << d) - 1;
          for (let mask = 0; mask < full; mask++)
            this.table[ti + mask] = value * weightedSum(zero, 0, d, mask, -1, this.coef);
          ti += 1 << d;
        } else {
          this.leafTable[li] = -1;
        }
        li++;
      }
    }
    this.leafSlotStart[li] = lsi;
  }

  add(x: Float64Array, phi: Float64Array): void {
    this.markDisagreements(x);
    this.addLeaves(phi);
  }

  lastPrediction(): number {
    // the mask pass marked, per node, the path players the row disagrees with: the reached leaf has none (every
    // split below a root sets a bit where the row leaves the path), one per tree, leaves in tree order
    const { leafPass, leafValue, disagree } = this;
    let sum = this.baseScore;
    for (let l = 0; l < leafPass.length; l++) if (disagree[leafPass[l]] === 0) sum += leafValue[l];
    return sum;
  }

  /** One pass, parents first: which way the row goes, and which path players it disagrees with. */
  private markDisagreements(x: Float64Array): void {
    const { passFeature, passThreshold, passDefaultLeft, passParent, passIsLeft, passBit, goLeft, disagree } = this;
    const n = passFeature.length;
    for (let k = 0; k < n; k++) {
      const p = passParent[k];
      disagree[k] = disagree[p] | ((goLeft[p] ^ passIsLeft[k]) * passBit[k]);
      const v = x[passFeature[k]];
      const t = passThreshold[k];
      goLeft[k] = v < t ? 1 : v >= t ? 0 : passDefaultLeft[k];
    }
  }

  private addLeaves(phi: Float64Array): void {
    const { leafPass, leafDepth, leafSlotStart, leafTable, slotFeature, slotRatio, table, disagree } = this;
    for (let l = 0; l < leafPass.length; l++) {
      const d = leafDepth[l];
      if (d === 0) continue;
      const mask = ((1 << d) - 1) & ~disagree[leafPass[l]];
      const base = leafTable[l];
      if (base < 0) {
        this.addDirect(l, mask, phi);
        continue;
      }
      const s0 = leafSlotStart[l];
      const outside = table[base + mask];
      for (let k = 0; k < d; k++) {
        const bit = 1 << k;
        phi[slotFeature[s0 + k]] += mask & bit ? slotRatio[s0 + k] * table[base + (mask ^ bit)] : -outside;
      }
    }
  }

  /** The leaf's contributions straight from the formula. */
  private addDirect(l: number, mask: number, phi: Float64Array): void {
    const d = this.leafDepth[l];
    const s0 = this.leafSlotStart[l];
    const value = this.leafValue[l];
    for (let i = 0; i < d; i++) {
      const oi = (mask >> i) & 1;
      const zi = this.slotZero[s0 + i];
      if (oi === zi) continue;
      phi[this.slotFeature[s0 + i]] += value * (oi - zi) * weightedSum(this.slotZero, s0, d, mask, i, this.coef);
    }
  }
}
