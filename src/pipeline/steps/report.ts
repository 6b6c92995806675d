/**
 * report: a model card (model.md, model.html, SVG charts) for every registered model that lacks one (../report.ts).
 */
import type { Step } from './step.js';

export const reportStep: Step<'report'> = {
  name: 'report',
  async run(ctx) {
    // The card's renderer (Observable Plot and a DOM for its charts) loads here, when a run gets this far, not when
    // a process that may never write a card starts (every `loupe serve` and `loupe pipeline run`).
    const { writeMissingCards } = await import('../report.js');
    ctx.state.cards = writeMissingCards(await ctx.store.listModels());
  },
  describe({ state }) {
    return state.cards.length ? `model cards written for ${state.cards.join(', ')}` : 'all model cards present';
  },
};
