/**
 * One chunk of a level job (engine/threads.ts runLevel) or of a round's start (runRound), as every thread of a fit
 * runs it: the main thread with its own LevelContext, each worker with one made of the same shared arrays
 * (engine/thread-worker.ts sends this source). Self-contained: it uses nothing but its arguments and Atomics (a test runner rewrites calls to imports).
 *
 * On threads the grower's row index is cut into one block per thread for the whole tree (block b: positions
 * ⌊m·b/T⌋ to ⌊m·(b+1)/T⌋ of a tree on m rows), and every node keeps its rows in each block: a range per block
 * (items: [feature or histogram id, start₀, end₀, start₁, end₁, …], stride 1 + 2T). Rows are ascending within a
 * block and every block's rows come before the next block's, so reading a node's ranges block after block visits
 * its rows in the one-thread order: every sum is the one-thread sum, bit for bit.
 *
 * A level job with `parts` partitions has 2·parts·T chunks, claimed in order:
 *   partition chunks (node, block): a stable in-place partition of the node's range in that block, its scratch at
 *     the range's own positions (so no two chunks share one) — no placement afterwards, and every node of the level
 *     is split evenly between the threads whatever its size;
 *   histogram chunks (node, feature group): once the node's blocks are partitioned (partsDone), the group's sums of
 *     its smaller child over the child's ranges; the thread that completes a node's last group finds both
 *     children's splits (level-splits.ts) when the job asks for them.
 * Without partitions, the chunks are (histogram item, feature group) over the items' own ranges.
 *
 * A round's start (squared error, every row) has 2T + 1 chunks: per block, the last tree's prediction update on the
 * block's positions and this round's gradients and root index on its rows (the same rows: a block's positions only
 * ever hold its own rows), then, once every block is done (roundDone), the root's histogram by feature group and
 * the root's sums (one chunk: the one-thread order).
 */

import type { waitFor } from './thread-sync.js';

/** What a level chunk reads and calls; the functions differ by thread (WebAssembly or JS kernels, message ports). */
export interface LevelContext {
  threads: number;
  /** Per item: [feature or histogram id, then start and end per block]. */
  items: Int32Array;
  /** Partition items in the order their chunks are claimed (largest node first: a shorter wait at the end). */
  order: Int32Array;
  /** Per partition item and block: where the block's right rows begin. */
  mids: Int32Array;
  /** Per partition item: the child whose histogram to sum (0 left, 1 right, −1 none) and that histogram's id. */
  smallSide: Int32Array;
  histOf: Int32Array;
  /** Per partition item: blocks partitioned, feature groups summed (zeroed before the job). */
  partsDone: Int32Array;
  groupsDone: Int32Array;
  /** Stable partition of index[start..end) by partition item p's feature and side table; returns the mid. */
  partition(p: number, start: number, end: number): number;
  /** Feature group g's sums of rows index[start..end) added to histogram `id` (in row order). */
  sum(id: number, g: number, start: number, end: number): void;
  /** Both children's splits of partition item p once its child's histogram is complete, when the job asks for them. */
  splits(p: number): void;
  /** thread-sync.ts waitFor. */
  waitFor: typeof waitFor;
  /** A round's start: blocks done (word 0, zeroed before the job); block b's chunk; chunk k ≥ T's work. */
  roundDone: Int32Array;
  roundBlock(b: number): void;
  roundRest(k: number): void;
}

/** Runs chunk `chunk` of a level job with `parts` partitions (0: histogram items only); `spin` as in waitFor. */
export function levelChunk(chunk: number, parts: number, c: LevelContext, spin: number): void {
  const threads = c.threads;
  const stride = 1 + 2 * threads;
  const items = c.items;
  if (parts === 0) {
    const q = Math.floor(chunk / threads);
    const g = chunk - q * threads;
    for (let b = 0; b < threads; b++) {
      const at = stride * q + 1 + 2 * b;
      if (items[at] < items[at + 1]) c.sum(items[stride * q], g, items[at], items[at + 1]);
    }
    return;
  }
  const half = parts * threads;
  if (chunk < half) {
    const p = c.order[Math.floor(chunk / threads)];
    const b = chunk % threads;
    const at = stride * p + 1 + 2 * b;
    try {
      c.mids[p * threads + b] = items[at] < items[at + 1] ? c.partition(p, items[at], items[at + 1]) : items[at];
    } finally {
      // Counted even when the partition failed (the job then fails): nobody waits for it forever.
      Atomics.add(c.partsDone, p, 1);
      Atomics.notify(c.partsDone, p);
    }
    return;
  }
  const k = chunk - half;
  const p = c.order[Math.floor(k / threads)];
  const g = k % threads;
  const side = c.smallSide[p];
  if (side < 0) return;
  c.waitFor(c.partsDone, p, threads, spin);
  for (let b = 0; b < threads; b++) {
    const at = stride * p + 1 + 2 * b;
    const mid = c.mids[p * threads + b];
    const from = side === 0 ? items[at] : mid;
    const to = side === 0 ? mid : items[at + 1];
    if (from < to) c.sum(c.histOf[p], g, from, to);
  }
  if (Atomics.add(c.groupsDone, p, 1) + 1 === threads) c.splits(p);
}

/** Runs chunk `chunk` of a round's start (see the header). */
export function roundChunk(chunk: number, c: LevelContext, spin: number): void {
  const threads = c.threads;
  if (chunk < threads) {
    try {
      c.roundBlock(chunk);
    } finally {
      Atomics.add(c.roundDone, 0, 1);
      Atomics.notify(c.roundDone, 0);
    }
    return;
  }
  c.waitFor(c.roundDone, 0, threads, spin);
  c.roundRest(chunk - threads);
}
