/**
 * Sizes Loupe's AWS serving fleet and prices it from measurements, never from typed-in throughput:
 *   reads  bench/results/api.json      (the API benchmark: requests/s on `cores` cores, explain on) or, when newer,
 *          bench/results/api-backends.json (its PostgreSQL side: the store the cloud design's tasks use)
 *          bench/results/training.json (optional: {rows, fitSeconds} of one model fit, see TrainingBench)
 *          bench/results/pipeline.json (optional: {runs: [{rows, seconds}]} of whole pipeline runs)
 *   writes docs/cloud/capacity.md      (fleet per tier, monthly cost, cost per million, one training run)
 *
 *   npm run capacity
 *
 * Prices are list prices typed into capacity/prices.ts with the date they were read: nothing can be fetched here,
 * so they are stated assumptions. The parts: capacity/inputs.ts (reading), capacity/prices.ts (dated prices and
 * assumptions), capacity/formulas.ts (sizing and cost), capacity/render.ts (the Markdown).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { perVcpu } from './capacity/formulas.js';
import { readPipelineBench, readServingBench, readTrainingBench } from './capacity/inputs.js';
import { ASSUMPTIONS, PRICES } from './capacity/prices.js';
import { perVcpuBasis, renderCapacity } from './capacity/render.js';

export * from './capacity/formulas.js';
export * from './capacity/inputs.js';
export * from './capacity/prices.js';
export * from './capacity/render.js';

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const api = readServingBench(resolve(root, 'bench/results'));
    const trainingPath = resolve(root, 'bench/results/training.json');
    const training = readTrainingBench(trainingPath);
    if (!training) console.warn(`capacity: ${trainingPath} not found; the training line is not computed.`);
    const pipelinePath = resolve(root, 'bench/results/pipeline.json');
    const pipeline = readPipelineBench(pipelinePath);
    if (!pipeline) console.warn(`capacity: ${pipelinePath} not found; no measured pipeline run is priced.`);
    const out = resolve(root, 'docs/cloud/capacity.md');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, renderCapacity(api, training, PRICES, ASSUMPTIONS, pipeline));
    console.log(
      `capacity: wrote ${out}: ${Math.round(perVcpu(api))} valuations/s per vCPU (${perVcpuBasis(api)}), measured ${api.date}`,
    );
  } catch (e) {
    console.error(`capacity: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
