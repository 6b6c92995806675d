/**
 * The row passes threads split into blocks (engine/row-jobs.ts, engine/level-job.ts): a node's rows partitioned
 * in place block by block give, read block after block, exactly the single-range stable partition's left rows and
 * then its right rows (so every sum over them keeps the one-thread order); the prediction update over blocks gives
 * exactly the update over the whole range.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/engine/random.js';
import { addSegments, blockStart, copyRows, newSegments, partitionNode } from '../../src/engine/row-jobs.js';
import { SIDES, splitRows } from '../../src/engine/row-jobs.js';

const rng = createRng(7);
const n = 5000;
const col = Uint8Array.from({ length: n }, () => rng.nextInt(40));
const sides = Uint8Array.from({ length: SIDES }, (_, b) => (b <= 17 || b === 33 ? 1 : 0));

describe('row jobs', () => {
  it('partitioning every block of a node in place gives the stable partition, block after block', () => {
    const rows = Uint32Array.from({ length: n }, (_, i) => i).filter(() => rng.nextFloat() < 0.7);
    const [start, end] = [100, rows.length - 50];
    const single = rows.slice();
    const scratch = new Uint32Array(n);
    const l = splitRows(col, sides, single, scratch, start, end);
    copyRows(single, l, scratch, 0, end - l);
    let lefts = 0;
    for (let k = start; k < end; k++) lefts += sides[col[rows[k]]];
    expect(l - start).toBe(lefts);
    for (const threads of [1, 2, 3, 5]) {
      const index = rows.slice();
      const bounds = Array.from({ length: threads + 1 }, (_, b) => blockStart(start, end, b, threads));
      // Blocks in any order (each its own scratch positions), as threads claim them.
      const mids = new Array<number>(threads);
      for (let b = threads - 1; b >= 0; b--)
        mids[b] = partitionNode(col, sides, index, new Uint32Array(n), bounds[b], bounds[b + 1]);
      const left = mids.flatMap((mid, b) => Array.from(index.subarray(bounds[b], mid)));
      const right = mids.flatMap((mid, b) => Array.from(index.subarray(mid, bounds[b + 1])));
      expect(left).toEqual(Array.from(single.subarray(start, l)));
      expect(right).toEqual(Array.from(single.subarray(l, end)));
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
