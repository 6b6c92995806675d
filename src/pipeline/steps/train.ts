/**
 * train: per kind that needs a model, tuning by cross-validation inside the training rows — a fixed number of
 * seeded trials, the time budget only an upper bound (../tune.ts); the chosen trial's artifact is the challenger.
 * The champion's parameters are the first trial when it is of the same kind. A kind trained by a command outside
 * Loupe (xgboost, ../trainer-command.ts) is trained once with its configured parameters, on the same folds.
 *
 * A kind whose training fails (a trainer that exits non-zero, hangs, or writes a model Loupe cannot serve) is
 * recorded with its error and the run goes on with the other kinds; only when every kind fails does the run fail
 * (and the champion keeps serving).
 */
import type { Appraisal } from '../../diamond/index.js';
import { EXTERNALLY_TRAINED_KINDS } from '../../model/index.js';
import type { PipelineConfig } from '../config.js';
import type { Row } from '../data.js';
import { trainWithCommand } from '../trainer-command.js';
import { tune, type TuneResult } from '../tune.js';
import { need, type Challenger, type Step } from './step.js';

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

/**
 * Every kind of the run failed to train (the README's "if every kind fails the run fails"): each kind's reason, in
 * one line (a trainer's stderr is already cut to its last lines, joined).
 */
export class EveryKindFailedError extends Error {
  constructor(readonly failures: readonly { kind: string; error: string }[]) {
    super(
      `every kind failed to train: ${failures.map((f) => `${f.kind}: ${f.error.replace(/\s*\n\s*/g, ' ')}`).join('; ')}`,
    );
    this.name = 'EveryKindFailedError';
  }
}

export const trainStep: Step<'train'> = {
  name: 'train',
  async run(ctx) {
    const { config, state } = ctx;
    const training = appraisals(need(state.partition, 'the data partition').training);
    const champion = state.champion?.record;
    for (const kind of state.kindsToTrain) {
      const warmStart = champion?.kind === kind ? champion.params : undefined;
      try {
        state.challengers.push(await trainKind(kind, training, config, warmStart));
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        state.failedKinds.push({ kind, error });
        ctx.log.warn({ run: ctx.runId, kind, error }, `train: ${kind} failed: ${error}`);
      }
      ctx.lock.heartbeat();
    }
    if (state.challengers.length === 0) throw new EveryKindFailedError(state.failedKinds);
  },
  describe({ state }) {
    return [
      ...state.challengers.map(
        (x) =>
          `${x.kind}: ${x.tuning.trials.length} of ${x.tuning.plannedTrials} trial(s) of ${x.tuning.folds}-fold CV in ${(x.tuning.spentMs / 1000).toFixed(1)} s (stopped: ${x.tuning.stopped}), chosen CV MAE $${chosenCvMae(x.tuning).toFixed(0)}`,
      ),
      ...state.failedKinds.map((f) => `${f.kind}: FAILED, ${f.error}`),
    ].join('; ');
  },
};

async function trainKind(
  kind: string,
  training: Appraisal[],
  config: PipelineConfig,
  warmStart: Record<string, unknown> | undefined,
): Promise<Challenger> {
  const t0 = performance.now();
  if (!EXTERNALLY_TRAINED_KINDS.includes(kind)) {
    const { result: tuning, artifact } = await tune(training, kind, {
      trials: config.tuneTrials,
      budgetMs: config.tuneBudgetMs,
      seed: config.seed,
      folds: config.tuneFolds,
      warmStart,
      difficultyTrees: config.difficultyTrees,
    });
    return { kind, artifact, tuning, trainMs: performance.now() - t0 };
  }
  const trainer = config.xgboostTrainer;
  const { artifact, ms } = await trainWithCommand(training, trainer, { seed: config.seed, folds: config.tuneFolds });
  const cv = artifact.metrics.outOfFold;
  // One trial: the configured parameters, scored by the same out-of-fold cross-validation as a tuning trial.
  const tuning: TuneResult = {
    kind,
    params: trainer.params,
    trials: [{ source: 'defaults', params: trainer.params, mae: cv.mae, mape: cv.mape, ms }],
    folds: config.tuneFolds,
    budgetMs: trainer.timeoutMs,
    spentMs: ms,
    plannedTrials: 1,
    chosen: 0,
    stopped: 'no_search_space',
  };
  return { kind, artifact, tuning, trainMs: performance.now() - t0 };
}

/** The cross-validated MAE of the trial a tuning chose (its artifact is the challenger). */
export function chosenCvMae(tuning: TuneResult): number {
  return tuning.trials[tuning.chosen].mae;
}
