/**
 * train: per kind that needs a model, tuning by cross-validation inside the training rows — a fixed number of
 * seeded trials, the time budget only an upper bound (../tune.ts); the chosen trial's artifact is the challenger.
 * The champion's parameters are the first trial when it is of the same kind.
 */
import type { Row } from '../data.js';
import { tune, type TuneResult } from '../tune.js';
import { need, type Step } from './step.js';

/** The ten fields of an appraisal, without the store's ids. */
export function appraisals(rows: readonly Row[]) {
  return rows.map(({ carat, cut, color, clarity, depth, table, price, x, y, z }) => ({
    carat,
    cut,
    color,
    clarity,
    depth,
    table,
    price,
    x,
    y,
    z,
  }));
}

export const trainStep: Step<'train'> = {
  name: 'train',
  async run(ctx) {
    const { config, state } = ctx;
    const training = appraisals(need(state.partition, 'the data partition').training);
    const champion = state.champion?.record;
    for (const kind of state.kindsToTrain) {
      const t0 = performance.now();
      const warmStart = champion?.kind === kind ? champion.params : undefined;
      const { result: tuning, artifact } = await tune(training, kind, {
        trials: config.tuneTrials,
        budgetMs: config.tuneBudgetMs,
        seed: config.seed,
        folds: config.tuneFolds,
        warmStart,
      });
      ctx.lock.heartbeat();
      state.challengers.push({ kind, artifact, tuning, trainMs: performance.now() - t0 });
    }
  },
  describe({ state }) {
    return state.challengers
      .map(
        (x) =>
          `${x.kind}: ${x.tuning.trials.length} of ${x.tuning.plannedTrials} trial(s) of ${x.tuning.folds}-fold CV in ${(x.tuning.spentMs / 1000).toFixed(1)} s (stopped: ${x.tuning.stopped}), chosen CV MAE $${chosenCvMae(x.tuning).toFixed(0)}`,
      )
      .join('; ');
  },
};

/** The cross-validated MAE of the trial a tuning chose (its artifact is the challenger). */
export function chosenCvMae(tuning: TuneResult): number {
  return tuning.trials[tuning.chosen].mae;
}
