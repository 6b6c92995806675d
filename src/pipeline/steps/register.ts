/**
 * register: every challenger, promoted or not, with its metrics, snapshot, parameters, tuning trials, duration,
 * git commit and the decision — and the promotion, if decided — in one transaction. Each artifact file is written
 * (atomically) before its row. Nothing the champion depends on changed before this step.
 */
import {
  labelled,
  labelledEvaluation,
  METRICS_VERSION,
  promoteModelIn,
  registerModelIn,
  type ModelMetrics,
  type ModelRecord,
} from '../../registry/index.js';
import { gitCommit } from '../git.js';
import { need, type EvaluatedChallenger, type RunContext, type Step } from './step.js';

export const registerStep: Step<'register'> = {
  name: 'register',
  // After an artifact's file, before its row; after the rows, before the promotion (both inside the transaction).
  checkpoints: ['artifact-written', 'before-promotion'],
  async run(ctx) {
    const { store, state } = ctx;
    const best = need(state.best, 'the challenger');
    const decision = need(state.decision, 'the decision');
    const commit = gitCommit();
    state.registered = await store.writeTransaction(async (w) => {
      const records: ModelRecord[] = [];
      for (const c of state.evaluated) {
        const registered = await registerModelIn(w, ctx.paths, c.artifact, {
          durationMs: Math.round(c.trainMs),
          gitCommit: commit,
          metrics: metricsOf(ctx, c),
          onArtifactWritten: () => ctx.checkpoint('artifact-written'),
        });
        const reason = decision.reasonFor(registered.version);
        await w.setDecision(
          registered.version,
          c !== best
            ? `not the challenger: CV MAE of ${best.kind} was lower`
            : decision.promote
              ? `promoted: ${reason}`
              : `kept the champion: ${reason}`,
        );
        if (c === best && decision.promote) {
          ctx.checkpoint('before-promotion');
          await promoteModelIn(w, registered.version, reason);
        }
        records.push((await w.getModel(registered.version))!);
      }
      return records;
    });
    const result = state.result;
    result.trained = state.evaluated.map((c, i) => ({
      kind: c.kind,
      tuning: c.tuning,
      trainMs: c.trainMs,
      evaluation: c.evaluation,
      version: state.registered[i].version,
      promoted: c === best && decision.promote,
    }));
    const bestVersion = state.registered[state.evaluated.indexOf(best)].version;
    result.decision = {
      promote: decision.promote,
      reason: decision.reasonFor(bestVersion),
      challenger: bestVersion,
      champion: state.champion?.record.version ?? null,
    };
    result.champion = (await store.getChampion())?.version ?? null;
    result.message = result.decision.reason;
  },
  describe({ state }) {
    const r = state.registered;
    return `registered ${r.map((m) => m.version).join(', ')}${state.decision!.promote ? `; champion is now ${state.result.decision!.challenger}` : `; champion ${state.champion?.record.version} kept`}`;
  },
};

/** What the registry records as a model's metrics (the registry's contract): its out-of-fold and evaluation scores and how it came about. */
function metricsOf({ config, runId, state }: RunContext, c: EvaluatedChallenger): ModelMetrics {
  const champion = state.champion?.record;
  const snapshot = state.result.snapshot!;
  const sets = state.sets!;
  const drift = state.result.drift;
  return {
    version: METRICS_VERSION,
    origin: { by: 'pipeline', run: runId, evaluationRowsLeftOut: true },
    outOfFold: labelled(c.artifact.metrics.outOfFold, 'cross-validation', c.tuning.folds),
    evaluation: labelledEvaluation(c.evaluation),
    champion:
      champion && state.championEvaluation
        ? { version: champion.version, evaluation: labelledEvaluation(state.championEvaluation) }
        : null,
    evaluationRows: {
      referenceTest: sets.referenceTest.length,
      newest: sets.newest.length,
      newestFiles: state.newestFiles.map((f) => f.name),
    },
    tuning: c.tuning,
    drift: drift && {
      ...drift,
      performance: drift.performance && {
        version: drift.performance.version,
        onNew: drift.performance.onNew && labelled(drift.performance.onNew, 'new-appraisals'),
        onReferenceTest:
          drift.performance.onReferenceTest && labelled(drift.performance.onReferenceTest, 'reference-test'),
      },
    },
    snapshot: { sha256: snapshot.sha256, rows: snapshot.rows, maxFileId: snapshot.maxFileId },
    promotionRule: config.promotion,
  };
}
