/**
 * report: a model card (model.md, model.html, SVG charts) for every registered model that lacks one (../report.ts).
 */
import { writeMissingCards } from '../report.js';
import type { Step } from './step.js';

export const reportStep: Step<'report'> = {
  name: 'report',
  run(ctx) {
    ctx.state.cards = writeMissingCards(ctx.db, ctx.paths);
  },
  describe({ state }) {
    return state.cards.length ? `model cards written for ${state.cards.join(', ')}` : 'all model cards present';
  },
};
