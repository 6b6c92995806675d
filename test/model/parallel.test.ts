import { beforeAll, describe, expect, it } from 'vitest';
import { fit } from '../../src/engine/index.js';
import { serializeArtifact, trainModel, trainModelAsync } from '../../src/model/index.js';
import { featureColumns } from '../../src/model/features.js';
import { engineThreadsPerFit, fitAll, fitCounts, trainThreads } from '../../src/model/parallel-fit.js';
import { referenceSplit, type ReferenceSplit } from '../helpers/reference.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

let data: ReferenceSplit;
// Small enough to keep the test quick; every part of a real gbdt training is there (folds, bag, final fit, the
// difficulty models of both range calibrations). 400 rows: what is compared (bytes, fit counts) does not depend on
// how many, nor on how many trees (the difficulty models get 30, not 300).
const params = { nEstimators: 40, bag: 2 };
const difficultyTrees = SMALL_DIFFICULTY_TREES;

beforeAll(async () => {
  data = await referenceSplit();
});

describe('parallel training', () => {
  it('gives the sequential artifact byte for byte (gbdt, 2 threads), and the fits ran in threads', async () => {
    const rows = data.train.slice(0, 400);
    const sequential = serializeArtifact(
      trainModel(rows, { kind: 'gbdt', seed: 11, folds: 3, params, difficultyTrees }),
    );
    const before = fitCounts();
    const parallel = serializeArtifact(
      await trainModelAsync(rows, { kind: 'gbdt', seed: 11, folds: 3, params, difficultyTrees, threads: 2 }),
    );
    // 3 fold fits + the final fit, 2 boosters each, and the difficulty models of both range calibrations (3 folds
    // + all rows, each): shared between this thread and the worker.
    const after = fitCounts();
    expect(after.threadFailure).toBeUndefined();
    expect(after.inThreads - before.inThreads).toBeGreaterThan(0);
    expect(after.inThreads - before.inThreads + after.inProcess - before.inProcess).toBe(8 + 2 * 4);
    expect(parallel).toBe(sequential);
    // The pool is reused: a second training is the same again.
    expect(
      serializeArtifact(
        await trainModelAsync(rows, { kind: 'gbdt', seed: 11, folds: 3, params, difficultyTrees, threads: 2 }),
      ),
    ).toBe(sequential);
  });

  it('shares the threads out between fits side by side, so engine threads never oversubscribe them', () => {
    expect(engineThreadsPerFit(2, 2)).toBe(1); // two fold fits on two threads: one engine thread each
    expect(engineThreadsPerFit(2, 1)).toBe(2); // a lone fit gets both
    expect(engineThreadsPerFit(8, 3)).toBe(2);
    expect(engineThreadsPerFit(1, 4)).toBe(1);
  });

  it('differs when the seed does (the comparison above can fail)', async () => {
    const rows = data.train.slice(0, 400);
    const a = serializeArtifact(
      await trainModelAsync(rows, { kind: 'gbdt', seed: 11, folds: 3, params, difficultyTrees, threads: 2 }),
    );
    const b = serializeArtifact(
      await trainModelAsync(rows, { kind: 'gbdt', seed: 12, folds: 3, params, difficultyTrees, threads: 2 }),
    );
    expect(a).not.toBe(b);
  });

  it('trains in-process with one thread, and for kinds without a fit plan (hedonic)', async () => {
    const rows = data.train.slice(0, 400);
    const before = fitCounts();
    const one = await trainModelAsync(rows, { kind: 'gbdt', seed: 5, folds: 3, params, difficultyTrees, threads: 1 });
    expect(fitCounts().inThreads).toBe(before.inThreads);
    expect(serializeArtifact(one)).toBe(
      serializeArtifact(trainModel(rows, { kind: 'gbdt', seed: 5, folds: 3, params, difficultyTrees })),
    );
    const hedonic = await trainModelAsync(rows, { kind: 'hedonic', seed: 5, difficultyTrees, threads: 2 });
    expect(serializeArtifact(hedonic)).toBe(
      serializeArtifact(trainModel(rows, { kind: 'hedonic', seed: 5, difficultyTrees })),
    );
  });

  it('returns models in job order, equal to in-process fits, and rejects a bad fit with the in-process error', async () => {
    const X = featureColumns(data.train.slice(0, 300));
    const y = Float64Array.from(data.train.slice(0, 300), (r) => Math.log(r.price));
    const jobs = [1, 2, 3].map((seed) => ({ X, y, options: { nEstimators: 10 + seed, subsample: 0.7, seed } }));
    const models = await fitAll(jobs, 3);
    models.forEach((m, i) => {
      expect(m).toEqual(fit(X, y, jobs[i].options).model);
    });
    await expect(fitAll([jobs[0], { X, y, options: { learningRate: 2 } }], 2)).rejects.toThrow(
      /option learningRate must be/,
    );
  });

  it('reads LOUPE_TRAIN_THREADS', () => {
    expect(trainThreads({ LOUPE_TRAIN_THREADS: '1' })).toBe(1);
    expect(trainThreads({ LOUPE_TRAIN_THREADS: '3' })).toBe(3);
    expect(trainThreads({})).toBeGreaterThanOrEqual(1);
    expect(trainThreads({})).toBeLessThanOrEqual(2);
    expect(() => trainThreads({ LOUPE_TRAIN_THREADS: '0' })).toThrow(/LOUPE_TRAIN_THREADS/);
    expect(() => trainThreads({ LOUPE_TRAIN_THREADS: 'two' })).toThrow(/LOUPE_TRAIN_THREADS/);
  });
});
