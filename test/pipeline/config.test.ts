/**
 * The pipeline's settings from the environment (src/pipeline/config.ts): a count that is not a whole number is a
 * usage error naming the variable and what is allowed, found before anything is ingested — not a failure of every
 * kind after the files have gone in.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { ConfigError, pipelineConfig } from '../../src/pipeline/config.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { HEADER, ROW_A } from '../ingest/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-pipeline-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const paths = loupePaths({}, { home: join(dir, 'home') });

describe('counts in the environment', () => {
  it.each([
    ['LOUPE_TUNE_TRIALS', '2.5', 'LOUPE_TUNE_TRIALS=2.5 is not a whole number from 1 to 1000'],
    ['LOUPE_TUNE_FOLDS', '2.5', 'LOUPE_TUNE_FOLDS=2.5 is not a whole number from 2 to 10'],
    ['LOUPE_RETRAIN_MIN_ROWS', '100.5', 'LOUPE_RETRAIN_MIN_ROWS=100.5 is not a whole number from 1 to 1000000'],
    ['LOUPE_DIFFICULTY_TREES', '30.5', 'LOUPE_DIFFICULTY_TREES=30.5 is not a whole number from 1 to 10000'],
    // plain decimals only, as the CLI's options and row values are read
    ['LOUPE_TUNE_TRIALS', '0x8', 'LOUPE_TUNE_TRIALS=0x8 is not a whole number from 1 to 1000'],
    ['LOUPE_RETRAIN_MIN_ROWS', 'Infinity', 'LOUPE_RETRAIN_MIN_ROWS=Infinity is not a whole number from 1 to 1000000'],
    ['LOUPE_TUNE_BUDGET_MS', '0x10', 'LOUPE_TUNE_BUDGET_MS=0x10 is not a number from'],
  ])('%s=%s is refused', (name, value, message) => {
    expect(() => pipelineConfig(paths, { [name]: value })).toThrow(ConfigError);
    expect(() => pipelineConfig(paths, { [name]: value })).toThrow(message);
  });

  it('whole numbers in range are taken', () => {
    const c = pipelineConfig(paths, {
      LOUPE_TUNE_TRIALS: '2',
      LOUPE_TUNE_FOLDS: '4',
      LOUPE_RETRAIN_MIN_ROWS: '50',
      LOUPE_DIFFICULTY_TREES: '30',
    });
    expect([c.tuneTrials, c.tuneFolds, c.triggerRule.minRows, c.difficultyTrees]).toEqual([2, 4, 50, 30]);
  });

  it('pipeline run with LOUPE_TUNE_TRIALS=2.5: exit 2 and one line, before the landed file is ingested', async () => {
    const home = join(dir, 'cli-home');
    mkdirSync(join(home, 'incoming'), { recursive: true });
    const landed = join(home, 'incoming', 'batch.csv');
    writeFileSync(landed, `${HEADER}\n${ROW_A}\n`);
    const r = await loupeInProcess(['pipeline', 'run', '--home', home, '--kinds', 'hedonic'], {
      LOUPE_TUNE_TRIALS: '2.5',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('loupe: LOUPE_TUNE_TRIALS=2.5 is not a whole number from 1 to 1000\n');
    expect(existsSync(landed)).toBe(true);
    expect(existsSync(join(home, 'incoming', 'done'))).toBe(false);
  });
});

describe('an empty or blank variable', () => {
  it('means the default, as if unset, for every variable of the pipeline', () => {
    const names = [
      'LOUPE_MODEL_KINDS',
      'LOUPE_TUNE_TRIALS',
      'LOUPE_TUNE_BUDGET_MS',
      'LOUPE_TUNE_FOLDS',
      'LOUPE_DIFFICULTY_TREES',
      'LOUPE_PROMOTE_METRIC',
      'LOUPE_PROMOTE_TOLERANCE',
      'LOUPE_INCOMING',
      'LOUPE_XGBOOST_TRAINER',
      'LOUPE_XGBOOST_PARAMS',
      'LOUPE_TRAINER_TIMEOUT_S',
      'LOUPE_RETRAIN_TRIGGER',
      'LOUPE_RETRAIN_TOLERANCE',
      'LOUPE_RETRAIN_COVERAGE_BAND',
      'LOUPE_RETRAIN_PSI',
      'LOUPE_RETRAIN_MIN_ROWS',
    ];
    const defaults = pipelineConfig(paths, {});
    expect(defaults.incoming).toBe(join(paths.home, 'incoming'));
    for (const blank of ['', '  '])
      expect(pipelineConfig(paths, Object.fromEntries(names.map((n) => [n, blank])))).toEqual(defaults);
  });
});
