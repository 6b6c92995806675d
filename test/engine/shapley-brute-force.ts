/**
 * Brute-force Shapley values of tree ensembles, for the TreeSHAP tests: every subset of players enumerated, with
 * the path-dependent conditional expectation computed by walking each tree. Exponential — small cases only.
 */
import { expect } from 'vitest';
import type { Ensemble, Tree } from '../../src/engine/tree.js';

/** E[f(x) | x_G], path-dependent: follow x at splits whose feature's group is in G, else average the children by cover. */
export function conditional(
  tree: Tree,
  row: ArrayLike<number>,
  follows: (feature: number) => boolean,
  node = 0,
): number {
  const f = tree.feature[node];
  if (f < 0) return tree.value[node];
  const l = tree.left[node];
  const r = tree.right[node];
  if (follows(f)) {
    const v = row[f];
    const goLeft = Number.isNaN(v) ? tree.defaultLeft[node] === 1 : v < tree.threshold[node];
    return conditional(tree, row, follows, goLeft ? l : r);
  }
  const c = tree.cover[node];
  return (
    (tree.cover[l] / c) * conditional(tree, row, follows, l) + (tree.cover[r] / c) * conditional(tree, row, follows, r)
  );
}

/** Shapley values of the game whose players are the groups, by enumerating every subset of groups. */
export function bruteForceGrouped(
  ensemble: Ensemble,
  row: ArrayLike<number>,
  groups: number[],
  players: number,
): Float64Array {
  const value = (mask: number) => {
    let sum = ensemble.baseScore;
    for (const tree of ensemble.trees) sum += conditional(tree, row, (f) => ((mask >> groups[f]) & 1) === 1);
    return sum;
  };
  const values = Float64Array.from({ length: 1 << players }, (_, mask) => value(mask));
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = new Float64Array(players + 1);
  for (let i = 0; i < players; i++) {
    for (let mask = 0; mask < 1 << players; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let g = 0; g < players; g++) size += (mask >> g) & 1;
      phi[i] += ((fact(size) * fact(players - size - 1)) / fact(players)) * (values[mask | (1 << i)] - values[mask]);
    }
  }
  phi[players] = values[0];
  return phi;
}

export function expectClose(actual: Float64Array, expected: Float64Array, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
      throw new Error(
        `entry ${i}: ${actual[i]} vs ${expected[i]} (difference ${Math.abs(actual[i] - expected[i])})\n actual ${Array.from(actual)}\n expected ${Array.from(expected)}`,
      );
    }
  }
}

export const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);

/** Shapley values with every feature its own player. */
export function bruteForce(ensemble: Ensemble, row: ArrayLike<number>): Float64Array {
  const m = ensemble.numFeatures;
  return bruteForceGrouped(
    ensemble,
    row,
    Array.from({ length: m }, (_, f) => f),
    m,
  );
}
