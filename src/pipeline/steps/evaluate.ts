/**
 * evaluate: the challengers and the champion on the same rows — the reference test split and the holdout of the
 * files new since the champion's snapshot (or of the newest file) — by ../evaluate.ts.
 */
import { createValuer } from '../../model/index.js';
import { evaluateOnSets } from '../evaluate.js';
import { appraisals } from './train.js';
import { loadedModel, need, type Step } from './step.js';

export const evaluateStep: Step<'evaluate'> = {
  name: 'evaluate',
  run({ state }) {
    const partition = need(state.partition, 'the data partition');
    state.newestFiles =
      state.newFiles.length > 0
        ? state.newFiles
        : partition.files.filter((f) => f.id !== partition.referenceFileId).slice(-1);
    const sets = {
      referenceTest: appraisals(partition.referenceTest),
      newest: appraisals(state.newestFiles.flatMap((f) => partition.holdout.get(f.id) ?? [])),
    };
    state.sets = sets;
    state.evaluated = state.challengers.map((c) => ({
      ...c,
      evaluation: evaluateOnSets(createValuer(c.artifact, 'challenger'), sets),
    }));
    const champion = loadedModel(state.champion?.loaded);
    state.championEvaluation = champion ? evaluateOnSets(champion, sets) : undefined;
  },
  describe({ state }) {
    const sets = state.sets!;
    return (
      `${sets.referenceTest.length} reference test + ${sets.newest.length} newest holdout rows (${state.newestFiles.map((f) => f.name).join(', ') || 'none'}); ` +
      state.evaluated.map((c) => `${c.kind} MAE $${c.evaluation.combined.mae.toFixed(0)}`).join(', ') +
      (state.championEvaluation
        ? `; champion ${state.champion!.record.version} MAE $${state.championEvaluation.combined.mae.toFixed(0)}`
        : '')
    );
  },
};
