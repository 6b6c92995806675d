/**
 * snapshot: the training rows, named by the SHA-256 of their content and recorded as a list of diamond ids. If
 * every configured kind already has a loadable model on exactly this snapshot (and the champion loads), there is
 * nothing to do: the run says so and goes straight to the report.
 */
import { saveSnapshot } from '../data.js';
import { loadedModel, need, type Step } from './step.js';

export const snapshotStep: Step<'snapshot'> = {
  name: 'snapshot',
  async run(ctx) {
    const { store, config, state } = ctx;
    const snapshot = await saveSnapshot(store, need(state.partition, 'the data partition').training);
    state.result.snapshot = snapshot;
    const champion = state.champion;
    const championLoads = loadedModel(champion?.loaded) !== undefined;
    const models = await store.listModels();
    state.kindsToTrain =
      champion && !championLoads
        ? config.kinds
        : config.kinds.filter(
            (k) =>
              !models.some((m) => m.kind === k && m.trainingDataSha256 === snapshot.sha256 && 'model' in ctx.load(m)),
          );
    if (!champion || !championLoads || state.kindsToTrain.length > 0) return;
    const same = models.filter((m) => m.trainingDataSha256 === snapshot.sha256).map((m) => m.version);
    state.result.status = 'nothing_to_do';
    state.result.champion = champion.record.version;
    state.result.message = `no new data: the training data (snapshot ${snapshot.sha256.slice(0, 12)}…) is what ${same.join(', ')} learned from; champion ${champion.record.version} stays; nothing to do`;
    ctx.log.info({ run: ctx.runId }, state.result.message);
    return { skipTo: 'report' };
  },
  describe({ state }) {
    const s = state.result.snapshot!;
    return `${s.rows} training rows, sha256 ${s.sha256.slice(0, 12)}…`;
  },
};
