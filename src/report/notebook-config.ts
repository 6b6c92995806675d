/**
 * How much evidence the model notebook's heavy cells gather: tuning trials, the folds of its cross-validations
 * (the scores in 5-fold CV, the ablation ladder, coverage by segment inside the training rows), and the folds inside
 * each training (the out-of-fold predictions its ranges are calibrated on) and each tuning trial. `full`, the default,
 * is what the committed notebooks/02-model.ipynb and its exports in reports/ ran. `small`
 * (LOUPE_NOTEBOOK_CONFIG=small) runs every cell on fewer trials and folds, for the test that every cell runs and every
 * output is there (test/notebooks/model-notebook.test.ts); its numbers are not the published ones. Both are counts, never
 * a time budget, so neither depends on the machine's speed.
 */
import process from 'node:process';
import { readEnv } from '../config/index.js';

export interface NotebookConfig {
  name: 'full' | 'small';
  /** Parameter sets the tuner tries (the defaults included). */
  tuneTrials: number;
  /** Folds of the notebook's own cross-validations. */
  cvFolds: number;
  /** Folds inside each training (`trainModel`'s `folds`) and each tuning trial (`tune`'s); both default to 5. */
  modelFolds: number;
}

export const NOTEBOOK_CONFIGS: Readonly<Record<NotebookConfig['name'], NotebookConfig>> = {
  full: { name: 'full', tuneTrials: 8, cvFolds: 5, modelFolds: 5 },
  small: { name: 'small', tuneTrials: 2, cvFolds: 2, modelFolds: 2 },
};

/** The configuration LOUPE_NOTEBOOK_CONFIG names (`full` when unset or empty); any other value is an error. */
export function notebookConfig(env: Record<string, string | undefined> = process.env): NotebookConfig {
  const name = readEnv(env).LOUPE_NOTEBOOK_CONFIG ?? 'full';
  if (name !== 'full' && name !== 'small')
    throw new Error(`LOUPE_NOTEBOOK_CONFIG must be "full" or "small", got ${JSON.stringify(name)}`);
  return NOTEBOOK_CONFIGS[name];
}

/** One sentence for the notebook's first output: which configuration this run used. */
export function configSentence(config: NotebookConfig): string {
  const what =
    `${config.tuneTrials} tuning trials, ${config.cvFolds} folds in the notebook's cross-validations, ` +
    `${config.modelFolds} inside each training and tuning trial`;
  return config.name === 'full'
    ? `This run used the full configuration (${what}), as the committed notebook and its exports in \`reports/\` do.`
    : `This run used the small configuration (${what}; LOUPE_NOTEBOOK_CONFIG=small): every cell runs, but its numbers are not the published ones, which come from the full configuration (${NOTEBOOK_CONFIGS.full.tuneTrials} trials, ${NOTEBOOK_CONFIGS.full.cvFolds} and ${NOTEBOOK_CONFIGS.full.modelFolds} folds).`;
}
