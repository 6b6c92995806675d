import { beforeAll, describe, expect, it } from 'vitest';
import type { Appraisal } from '../../src/diamond/index.js';
import { readReferenceSplitRows } from '../../src/ingest/index.js';
import { serializeArtifact, trainModel } from '../../src/model/index.js';
import { tune } from '../../src/pipeline/tune.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';
import { DATA } from './helpers.js';
import { join } from 'node:path';

// A quarter of the reference training rows keeps each gbdt trial well under a second.
let rows: Appraisal[] = [];
beforeAll(async () => {
  const { train } = await readReferenceSplitRows(
    join(DATA, 'diamonds.csv'),
    join(DATA, 'diamonds.reference-split.txt'),
  );
  rows = train.filter((_, i) => i % 4 === 0);
});

const SMALL_SPACE = { nEstimators: [100, 200], maxDepth: [3, 4], learningRate: [0.1, 0.2] };
// The ranges' difficulty model of 30 trees, not 300, in every training here: tuning compares CV MAE, and the
// artifact's bytes are compared with a training given the same options.
const FEW = SMALL_DIFFICULTY_TREES;
const FOUR_TRIALS = { trials: 4, seed: 7, folds: 3, space: SMALL_SPACE, minImprovement: 0.01, difficultyTrees: FEW };

/**
 * One tuning with FOUR_TRIALS, run once and read by the three tests below that each check a different property of
 * it (reproducible, the winner's margin, the winner's artifact); started by whichever runs first, so each also runs
 * alone.
 */
let fourTrials: ReturnType<typeof tune> | undefined;
const tunedFour = () => (fourTrials ??= tune(rows, 'gbdt', FOUR_TRIALS));

describe('reproducible tuning', () => {
  it('runs exactly the planned trials, whatever the machine speed, and picks the same winner each time', async () => {
    const a = await tunedFour();
    // A generous upper bound changes nothing: the trials, not the clock, decide the search.
    const b = await tune(rows, 'gbdt', { ...FOUR_TRIALS, budgetMs: 3_600_000 });
    expect(a.result.trials).toHaveLength(4);
    expect(a.result.stopped).toBe('trials_done');
    expect(a.result.plannedTrials).toBe(4);
    expect(b.result.trials.map((t) => [t.source, t.params, t.mae])).toEqual(
      a.result.trials.map((t) => [t.source, t.params, t.mae]),
    );
    expect(b.result.chosen).toBe(a.result.chosen);
    expect(b.result.params).toEqual(a.result.params);
    expect(a.result.trials[0].source).toBe('defaults');
  }, 120_000);

  it('keeps the defaults unless a search trial beats them by more than the minimum improvement', async () => {
    const { result } = await tunedFour(); // minImprovement 0.01
    const defaults = result.trials[0];
    const chosen = result.trials[result.chosen];
    expect(chosen.mae).toBeLessThanOrEqual(defaults.mae);
    if (result.chosen !== 0) expect(chosen.mae).toBeLessThan(defaults.mae * 0.99);
    // Nothing that beat the incumbent by the margin was passed over.
    for (const t of result.trials.slice(result.chosen + 1)) expect(t.mae).toBeGreaterThanOrEqual(chosen.mae * 0.99);
    // An improvement no trial can reach keeps the defaults: the first served model is `loupe train`'s default.
    const strict = await tune(rows, 'gbdt', { ...FOUR_TRIALS, trials: 2, minImprovement: 1 });
    expect(strict.result.chosen).toBe(0);
    expect(strict.result.params).toEqual(strict.result.trials[0].params);
  }, 120_000);

  it("gives the chosen trial's artifact exactly as a training with its parameters gives it", async () => {
    const { result, artifact } = await tunedFour();
    const alone = trainModel(rows, { kind: 'gbdt', params: result.params, seed: 7, folds: 3, difficultyTrees: FEW });
    expect(serializeArtifact(artifact)).toBe(serializeArtifact(alone));
    expect(alone.metrics.outOfFold.mae).toBe(result.trials[result.chosen].mae);
  }, 120_000);

  it('reports when the time budget cuts the trials short', async () => {
    const { result } = await tune(rows, 'hedonic', { trials: 5, seed: 7, folds: 3, budgetMs: 0, difficultyTrees: FEW });
    expect(result.trials).toHaveLength(1); // the first trial always runs
    expect(result.stopped).toBe('budget');
    expect(result.plannedTrials).toBe(5);
  }, 60_000);

  it('refuses a trial count that is not a whole number >= 1', async () => {
    await expect(tune(rows, 'hedonic', { trials: 0, seed: 7 })).rejects.toThrow(/trials must be an integer >= 1/);
  });
});
