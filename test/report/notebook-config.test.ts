import { describe, expect, it } from 'vitest';
import { configSentence, NOTEBOOK_CONFIGS, notebookConfig } from '../../src/report/notebook-config.js';

describe('notebook configuration', () => {
  it('is the full one unless LOUPE_NOTEBOOK_CONFIG asks for the small one', () => {
    expect(notebookConfig({})).toEqual({ name: 'full', tuneTrials: 8, cvFolds: 5, modelFolds: 5 });
    expect(notebookConfig({ LOUPE_NOTEBOOK_CONFIG: '' })).toBe(NOTEBOOK_CONFIGS.full);
    expect(notebookConfig({ LOUPE_NOTEBOOK_CONFIG: '  ' })).toBe(NOTEBOOK_CONFIGS.full);
    expect(notebookConfig({ LOUPE_NOTEBOOK_CONFIG: 'full' })).toBe(NOTEBOOK_CONFIGS.full);
    expect(notebookConfig({ LOUPE_NOTEBOOK_CONFIG: 'small' })).toEqual({
      name: 'small',
      tuneTrials: 2,
      cvFolds: 2,
      modelFolds: 2,
    });
  });

  it('refuses any other value, naming the allowed ones', () => {
    expect(() => notebookConfig({ LOUPE_NOTEBOOK_CONFIG: 'quick' })).toThrow(
      'LOUPE_NOTEBOOK_CONFIG must be "full" or "small", got "quick"',
    );
  });

  it('says in one sentence which configuration ran', () => {
    expect(configSentence(NOTEBOOK_CONFIGS.full)).toBe(
      "This run used the full configuration (8 tuning trials, 5 folds in the notebook's cross-validations, 5 inside each training and tuning trial), as the committed notebook and its exports in `reports/` do.",
    );
    expect(configSentence(NOTEBOOK_CONFIGS.small)).toBe(
      "This run used the small configuration (2 tuning trials, 2 folds in the notebook's cross-validations, 2 inside each training and tuning trial; LOUPE_NOTEBOOK_CONFIG=small): every cell runs, but its numbers are not the published ones, which come from the full configuration (8 trials, 5 and 5 folds).",
    );
  });
});
