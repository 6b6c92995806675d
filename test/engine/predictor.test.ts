import { describe, expect, it } from 'vitest';
import {
  compileEnsemble,
  MAX_FAST_DEPTH,
  MAX_FAST_NODES,
  predictCompiled,
  predictCompiledRow,
} from '../../src/engine/predictor.js';
import { createRng } from '../../src/engine/random.js';
import { predictRow, treeFromArrays, type Ensemble, type Tree } from '../../src/engine/tree.js';

/** A random full tree of the given depth over nf features, nodes in level order. */
function randomTree(rng: ReturnType<typeof createRng>, depth: number, nf: number): Tree {
  const n = 2 ** (depth + 1) - 1;
  const internal = 2 ** depth - 1;
  const nodes = {
    feature: [] as number[],
    threshold: [] as number[],
    left: [] as number[],
    right: [] as number[],
    defaultLeft: [] as number[],
    value: [] as number[],
    cover: [] as number[],
  };
  for (let i = 0; i < n; i++) {
    const leaf = i >= internal;
    nodes.feature.push(leaf ? -1 : rng.nextInt(nf));
    nodes.threshold.push(leaf ? 0 : rng.nextFloat());
    nodes.left.push(leaf ? -1 : 2 * i + 1);
    nodes.right.push(leaf ? -1 : 2 * i + 2);
    nodes.defaultLeft.push(rng.nextInt(2));
    nodes.value.push(leaf ? rng.nextFloat() - 0.5 : 0);
    nodes.cover.push(1);
  }
  return treeFromArrays(nodes);
}

describe('compiled batch predictor', () => {
  it('equals the reference tree walk exactly, NaN included, across block boundaries', () => {
    const rng = createRng(21);
    const nf = 5;
    const trees = Array.from({ length: 60 }, (_, t) => randomTree(rng, t % 5, nf)); // depth 0 (a lone leaf) to 4
    const ensemble: Ensemble = { baseScore: 1.25, trees, numFeatures: nf };
    const n = 300;
    const columns = Array.from({ length: nf }, () =>
      Float64Array.from({ length: n }, () => (rng.nextInt(8) === 0 ? NaN : rng.nextFloat())),
    );
    const c = compileEnsemble(ensemble);
    const out = predictCompiled(c, { columns, rows: n });
    for (let i = 0; i < n; i++) {
      const r = columns.map((col) => col[i]);
      expect(out[i]).toBe(predictRow(ensemble, r));
      expect(predictCompiledRow(c, r)).toBe(out[i]);
    }
  });

  it('walks runs of eight equally deep trees together, giving the reference walk bit for bit', () => {
    const rng = createRng(24);
    const nf = 4;
    // runs of 8 and more trees of one depth (walked eight at a time), broken by shorter runs (walked one by one)
    const depths = [...Array(19).fill(3), 2, 2, ...Array(8).fill(5), 0, ...Array(11).fill(1), 4, 4, 4];
    const trees = depths.map((d) => randomTree(rng, d, nf));
    const ensemble: Ensemble = { baseScore: -0.75, trees, numFeatures: nf };
    const c = compileEnsemble(ensemble);
    expect(c.fast).not.toBeNull();
    for (let i = 0; i < 400; i++) {
      const r = Array.from({ length: nf }, () => rng.nextFloat());
      expect(predictCompiledRow(c, r)).toBe(predictRow(ensemble, r));
    }
    // values equal to a threshold, just either side of one, and the extremes: the row's codes at their edges
    const probes = [...trees.flatMap((t) => Array.from(t.threshold)), Infinity, -Infinity, 0, 1, -0];
    for (const p of probes)
      for (const q of [p, p + 1e-12, p - 1e-12]) {
        const r = Array.from({ length: nf }, (_, f) =>
          f % 2 ? q : probes[(f * 7 + probes.indexOf(p)) % probes.length],
        );
        expect(predictCompiledRow(c, r)).toBe(predictRow(ensemble, r));
      }
  });

  it('treats values equal to a threshold and ±Infinity exactly as the reference walk does', () => {
    const rng = createRng(22);
    const trees = Array.from({ length: 30 }, () => randomTree(rng, 3, 2));
    const ensemble: Ensemble = { baseScore: 0, trees, numFeatures: 2 };
    const c = compileEnsemble(ensemble);
    expect(c.fast).not.toBeNull();
    const probes = [...trees.flatMap((t) => Array.from(t.threshold)), Infinity, -Infinity, 0, 1, -0];
    const columns = [Float64Array.from(probes), Float64Array.from(probes.slice().reverse())];
    const out = predictCompiled(c, { columns, rows: probes.length });
    for (let i = 0; i < probes.length; i++) expect(out[i]).toBe(predictRow(ensemble, [columns[0][i], columns[1][i]]));
  });

  it('walks trees deeper than the fast layout allows with the linked nodes', () => {
    const rng = createRng(23);
    const deep = randomTree(rng, MAX_FAST_DEPTH + 1, 3);
    const ensemble: Ensemble = { baseScore: 0.5, trees: [deep, randomTree(rng, 2, 3)], numFeatures: 3 };
    const c = compileEnsemble(ensemble);
    expect(c.fast).toBeNull();
    const n = 200;
    const columns = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rng.nextFloat()));
    const out = predictCompiled(c, { columns, rows: n });
    for (let i = 0; i < n; i++)
      expect(out[i]).toBe(predictRow(ensemble, [columns[0][i], columns[1][i], columns[2][i]]));
  });

  it('walks many shallow trees that padding would blow up with the linked nodes, not gigabytes of complete trees', () => {
    // A chain of 21 nodes, 10 deep, pads to 2,047: MAX_FAST_NODES of padding is reached with a few thousand of them.
    const chain = (t: number): Tree => {
      const nodes = { feature: [] as number[], threshold: [] as number[], left: [] as number[], right: [] as number[] };
      const value: number[] = [];
      for (let i = 0; i < 21; i++) {
        const split = i % 2 === 0 && i < 20;
        nodes.feature.push(split ? 0 : -1);
        nodes.threshold.push(split ? i / 20 : 0);
        nodes.left.push(split ? i + 1 : -1);
        nodes.right.push(split ? i + 2 : -1);
        value.push(split ? 0 : (t % 7) / 100 + i / 1000);
      }
      return treeFromArrays({ ...nodes, value, cover: new Array(21).fill(1) });
    };
    const count = Math.ceil(MAX_FAST_NODES / 2047) + 1;
    const ensemble: Ensemble = {
      baseScore: 0.5,
      trees: Array.from({ length: count }, (_, t) => chain(t)),
      numFeatures: 1,
    };
    const c = compileEnsemble(ensemble);
    expect(c.fast).toBeNull();
    for (const x of [0, 0.33, 0.99]) expect(predictCompiledRow(c, [x])).toBe(predictRow(ensemble, [x]));
  });

  it('recompiles when the tree list is replaced, and predicts the base score with no trees', () => {
    const ensemble: Ensemble = { baseScore: 2, trees: [], numFeatures: 1 };
    expect(
      Array.from(predictCompiled(compileEnsemble(ensemble), { columns: [Float64Array.from([1, 2])], rows: 2 })),
    ).toEqual([2, 2]);
    ensemble.trees = [
      treeFromArrays({
        feature: [0, -1, -1],
        threshold: [1.5, 0, 0],
        left: [1, -1, -1],
        right: [2, -1, -1],
        value: [0, -1, 1],
        cover: [2, 1, 1],
      }),
    ];
    expect(
      Array.from(predictCompiled(compileEnsemble(ensemble), { columns: [Float64Array.from([1, 2])], rows: 2 })),
    ).toEqual([1, 3]);
  });
});
