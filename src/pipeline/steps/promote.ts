/**
 * promote: the decision. The challenger with the best cross-validated MAE is put to the champion by the promotion
 * rule (../decide.ts); a champion this version of Loupe cannot load is replaced outright. Nothing changes yet:
 * the register step carries the decision out. The decision is kept as a function of the challenger's name, so
 * that it names the challenger by kind now and by its version once registered.
 */
import { decide, type Decision } from '../decide.js';
import { chosenCvMae } from './train.js';
import { loadedModel, type Step } from './step.js';

export const challengerName = (kind: string): string => `the ${kind} challenger`;

export const promoteStep: Step<'promote'> = {
  name: 'promote',
  run({ config, state }) {
    const best = state.evaluated.reduce((a, b) => (chosenCvMae(b.tuning) < chosenCvMae(a.tuning) ? b : a));
    state.best = best;
    const champion = state.champion;
    const unloadable = champion && !loadedModel(champion.loaded) ? champion : undefined;
    const decisionFor = (name: string): Decision =>
      unloadable
        ? {
            promote: true,
            reason: `${name} replaces ${unloadable.record.version}, which this version of Loupe cannot load (${'error' in unloadable.loaded ? unloadable.loaded.error : ''})`,
          }
        : decide(best.evaluation.combined, state.championEvaluation?.combined, config.promotion, {
            challenger: name,
            champion: champion?.record.version,
          });
    state.decision = {
      promote: decisionFor(challengerName(best.kind)).promote,
      reasonFor: (name) => decisionFor(name).reason,
    };
  },
  describe({ state }) {
    return state.decision!.reasonFor(challengerName(state.best!.kind));
  },
};
