/**
 * report: a model card (model.md, model.html, SVG charts) for every registered model that lacks one (../report.ts).
 */
import { writeMissingCards } from '../report.js';
import type { Step } from './step.js';

export const reportStep: Step<'report'> = {
  name: 'report',
  async run(ctx) {
    ctx.state.cards = writeMissingCards(await ctx.store.listModels());
  },
  describe({ state }) {
    return state.cards.length ? `model cards written for ${state.cards.join(', ')}` : 'all model cards present';
  },
};
