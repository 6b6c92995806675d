/**
 * The trees of the ranges' difficulty model: 300 unless a run is configured otherwise (LOUPE_DIFFICULTY_TREES, or
 * difficultyTrees in code), both range calibrations (with measurements and from the 4Cs) alike. The crash tests
 * train fewer (test/helpers/small-data.ts SMALL_DIFFICULTY_TREES).
 */
import { describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { DEFAULT_DIFFICULTY_TREES, trainModel } from '../../src/model/index.js';
import { DIFFICULTY_PARAMS } from '../../src/model/ranges.js';
import { ConfigError, pipelineConfig } from '../../src/pipeline/config.js';
import { referenceSplit } from '../helpers/reference.js';

const paths = loupePaths({}, { home: '/nonexistent-loupe-home' });
const treesOf = (difficulty: { model: unknown }) =>
  (difficulty.model as { members: { model: { trees: unknown[] } }[] }).members.map((m) => m.model.trees.length);

describe('the difficulty model’s trees', () => {
  it('are 300 by default; LOUPE_DIFFICULTY_TREES or the code sets them; anything but a whole number ≥ 1 is refused', () => {
    expect(DEFAULT_DIFFICULTY_TREES).toBe(300);
    expect(DIFFICULTY_PARAMS.nEstimators).toBe(DEFAULT_DIFFICULTY_TREES);
    expect(pipelineConfig(paths, {}).difficultyTrees).toBe(300);
    expect(pipelineConfig(paths, { LOUPE_DIFFICULTY_TREES: '30' }).difficultyTrees).toBe(30);
    expect(pipelineConfig(paths, { LOUPE_DIFFICULTY_TREES: '30' }, { difficultyTrees: 7 }).difficultyTrees).toBe(7);
    for (const bad of ['0', '2.5', 'many', '10001'])
      expect(() => pipelineConfig(paths, { LOUPE_DIFFICULTY_TREES: bad })).toThrow(ConfigError);
  });

  it('a training gives both range calibrations a difficulty model of that many trees', async () => {
    const rows = (await referenceSplit()).train.slice(0, 300);
    const usual = trainModel(rows, { kind: 'hedonic', folds: 3 });
    expect(treesOf(usual.difficulty)).toEqual([300]);
    expect(treesOf(usual.fourCs.difficulty)).toEqual([300]);
    const fewer = trainModel(rows, { kind: 'hedonic', folds: 3, difficultyTrees: 30 });
    expect(treesOf(fewer.difficulty)).toEqual([30]);
    expect(treesOf(fewer.fourCs.difficulty)).toEqual([30]);
    expect(() => trainModel(rows, { kind: 'hedonic', folds: 3, difficultyTrees: 0 })).toThrow(RangeError);
  });
});
