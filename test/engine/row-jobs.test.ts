/**
 * The row passes threads split into blocks (engine/row-jobs.ts): any blocks of a node's range, placed left rows
 * first then right rows, block by block, give exactly the single-thread stable partition; the prediction update
 * over blocks gives exactly the update over the whole range.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/engine/random.js';
import {
  addSegments,
  blockStart,
  copyRows,
  newSegments,
  placeBlock,
  SIDES,
  splitBlock,
  splitRows,
} from '../../src/engine/row-jobs.js';

const rng = createRng(7);
const n = 5000;
const col = Uint8Array.from({ length: n }, () => rng.nextInt(40));
const sides = Uint8Array.from({ length: SIDES }, (_, b) => (b <= 17 || b === 33 ? 1 : 0));

/** index[start..end) partitioned by blocks cut at `cuts` (inside the range), as FitThreads.partition places them. */
function byBlocks(index: Uint32Array, start: number, end: number, cuts: number[]): number {
  const bounds = [start, ...cuts, end];
  const left = new Uint32Array(n);
  const right = new Uint32Array(n);
  const counts = bounds.slice(1).map((to, t) => splitBlock(col, sides, index, left, right, bounds[t], to));
  let at = start;
  counts.forEach((c, t) => {
    copyRows(index, at, left, bounds[t], c);
    at += c;
  });
  const mid = at;
  counts.forEach((c, t) => {
    const rights = bounds[t + 1] - bounds[t] - c;
    copyRows(index, at, right, bounds[t], rights);
    at += rights;
  });
  return mid;
}

describe('row jobs', () => {
  it('partition by blocks equals the stable partition, whatever the blocks', () => {
    const rows = Uint32Array.from({ length: n }, (_, i) => i).filter(() => rng.nextFloat() < 0.7);
    const [start, end] = [100, rows.length - 50];
    const single = rows.slice();
    const mid = splitRows(col, sides, single, new Uint32Array(n), start, end);
    copyRows(single, mid, new Uint32Array(0), 0, 0);
    // Complete the single-thread partition as the grower does (right rows after the left ones).
    const scratch = new Uint32Array(n);
    const again = rows.slice();
    const l = splitRows(col, sides, again, scratch, start, end);
    copyRows(again, l, scratch, 0, end - l);
    let lefts = 0;
    for (let k = start; k < end; k++) lefts += sides[col[rows[k]]];
    expect(l - start).toBe(lefts);
    for (const cuts of [[], [start + 1], [1234], [900, 901, 2000, end - 1], [start, end]]) {
      const blocked = rows.slice();
      expect(byBlocks(blocked, start, end, cuts)).toBe(l);
      expect(blocked).toEqual(again);
    }
  });

  it('each thread placing its own block gives the stable partition, for any thread count', () => {
    const rows = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const [start, end] = [37, n - 11];
    const single = rows.slice();
    const scratch = new Uint32Array(n);
    const l = splitRows(col, sides, single, scratch, start, end);
    copyRows(single, l, scratch, 0, end - l);
    for (const threads of [1, 2, 3, 5]) {
      const index = rows.slice();
      const left = new Uint32Array(n);
      const right = new Uint32Array(n);
      const counts = new Int32Array(2 + threads);
      for (let t = 0; t < threads; t++) {
        const [from, to] = [blockStart(start, end, t, threads), blockStart(start, end, t + 1, threads)];
        counts[2 + t] = splitBlock(col, sides, index, left, right, from, to);
      }
      // Placed last thread first: each thread writes only its own part of the index.
      const mids = [];
      for (let t = threads - 1; t >= 0; t--)
        mids.push(placeBlock(index, left, right, counts, 2, start, end, t, threads));
      expect(mids.every((m) => m === l)).toBe(true);
      expect(index).toEqual(single);
    }
  });

  it('adds leaf values over blocks exactly as over the whole range', () => {
    const index = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const columns = [col, col.map((c) => 39 - c)];
    const seg = newSegments(4, false);
    const spec = [
      [0, 1200, -1, 0.125],
      [1200, 1200, -1, 9],
      [1200, 3100, 1, 0.3],
      [3100, n, 0, -0.7],
    ];
    spec.forEach(([start, end, f, v], s) => {
      seg.start[s] = start;
      seg.end[s] = end;
      seg.feature[s] = f;
      seg.values[2 * s] = v;
      seg.values[2 * s + 1] = v / 3;
      seg.sides.set(sides, s * SIDES);
    });
    const before = Float64Array.from({ length: n }, () => rng.nextFloat());
    const whole = before.slice();
    const blocked = before.slice();
    addSegments(whole, index, columns, seg, 4, 0, n);
    for (const [from, to] of [
      [0, 777],
      [777, 3100],
      [3100, 3101],
      [3101, n],
    ])
      addSegments(blocked, index, columns, seg, 4, from, to);
    expect(blocked).toEqual(whole);
    // A leaf's rows gain its value; a routed node's rows one of its two values, by their side.
    expect(whole[index[5]]).toBe(before[index[5]] + 0.125);
    const row = index[2000];
    expect(whole[row]).toBe(before[row] + seg.values[4 + sides[columns[1][row]]]);
  });
});
