/**
 * How evenly two threads can share a depth-wise level, from the trees a fit actually grows: a model estimate, not a
 * timing. It fits bench/scale's rows on one thread (200 trees, depth 6, 256 bins, η 0.1), then for every level of
 * every tree that the threads would run as a level job (two or more nodes whose children may split) it costs each
 * node's work as its rows (the partition) plus `h` × its smaller child's rows (that child's histogram; h defaults to
 * 1.1, near the one-thread profile's ratio of histogram to partition time per row), and compares with the even share
 * (half the level's work) the makespan of three ways of sharing it between two threads:
 *   node chunks: a node's partition and its child's histogram on one thread, largest node first (engine/threads.ts
 *     runLevel until 2026-12-06);
 *   shared histograms: partitions whole, largest first, each histogram as two feature groups any thread takes once
 *     its node is partitioned;
 *   row blocks: every node's rows split evenly between the threads (each thread's own block of every node, so the
 *     level is the even share; what it costs in waits is not modelled): runLevel since, engine/level-job.ts.
 * Boosted trees are lopsided (a split often peels a few rows off a large node), so a level's largest node decides.
 * Costs per row are taken as equal on one thread and two, and caches are left out (two cores have twice the L2):
 * read it as how lopsided the levels are, not as a forecast of times.
 *
 *   BENCH_DATA_DIR=dir npm run bench:scale ...   (writes dir/<rows>/x-columns.f64 and y.f64), then
 *   npx tsx bench/scale/level-balance.ts dir/200000 200000 [h]
 */
import { fit } from '../../src/engine/index.js';
import { readScaleData } from './data-files.js';

const [dir, rowsArg, hArg = '1.1'] = process.argv.slice(2);
const rows = Number(rowsArg);
const h = Number(hArg);
const { X, y } = readScaleData(dir, rows);
const maxDepth = 6;
const { model } = fit(X, y, { nEstimators: 200, maxDepth, maxBins: 256, learningRate: 0.1, seed: 0, threads: 1 });

interface NodeWork {
  partition: number;
  histogram: number;
}

/** Makespan of list scheduling on two threads: each task to the thread free first, a task not before `ready`. */
function schedule(tasks: { ready: number; cost: number }[], start = [0, 0]): number[] {
  const t = [...start];
  for (const task of tasks) {
    const k = t[0] <= t[1] ? 0 : 1;
    t[k] = Math.max(t[k], task.ready) + task.cost;
  }
  return t;
}

// Per depth: [node chunks, shared histograms, even share] summed over the trees.
const byDepth: number[][] = [];
for (const tree of model.ensemble.trees) {
  let level = [0];
  for (let depth = 0; level.length > 0; depth++) {
    const works: NodeWork[] = [];
    const next: number[] = [];
    for (const id of level) {
      const [l, r] = [tree.left[id], tree.right[id]];
      if (l < 0) continue;
      next.push(l, r);
      // Children at the last depth are leaves: their parent is neither partitioned nor summed (TreeGrower.terminal).
      if (depth + 1 < maxDepth)
        works.push({ partition: tree.cover[id], histogram: h * Math.min(tree.cover[l], tree.cover[r]) });
    }
    if (works.length > 1) {
      const chunks = schedule(
        works.map((w) => ({ ready: 0, cost: w.partition + w.histogram })).sort((a, b) => b.cost - a.cost),
      );
      const byPartition = [...works].sort((a, b) => b.partition - a.partition);
      const threads = [0, 0];
      const groups: { ready: number; cost: number }[] = [];
      for (const w of byPartition) {
        const k = threads[0] <= threads[1] ? 0 : 1;
        threads[k] += w.partition;
        groups.push({ ready: threads[k], cost: w.histogram / 2 }, { ready: threads[k], cost: w.histogram / 2 });
      }
      groups.sort((a, b) => a.ready - b.ready);
      const shared = schedule(groups, threads);
      const even = works.reduce((sum, w) => sum + w.partition + w.histogram, 0) / 2;
      byDepth[depth] ??= [0, 0, 0];
      const sums = byDepth[depth];
      sums[0] += Math.max(...chunks);
      sums[1] += Math.max(...shared);
      sums[2] += even;
    }
    level = next;
  }
}

console.log(`level balance on two threads — ${rows.toLocaleString('en')} rows, h ${h}; makespan ÷ even share`);
console.log('');
console.log('| depth | node chunks | shared histograms | row blocks |');
console.log('| --- | --- | --- | --- |');
const total = [0, 0, 0];
byDepth.forEach((sums, depth) => {
  if (!sums) return;
  for (const [i, v] of sums.entries()) total[i] += v;
  console.log(`| ${depth} | ×${(sums[0] / sums[2]).toFixed(3)} | ×${(sums[1] / sums[2]).toFixed(3)} | ×1 |`);
});
console.log(`| all | ×${(total[0] / total[2]).toFixed(3)} | ×${(total[1] / total[2]).toFixed(3)} | ×1 |`);
