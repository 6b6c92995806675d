/**
 * drift: each field's drift (PSI, KS) from the champion's training data to the appraisals new since, and the
 * champion's error on them beside its error on the reference test rows (performance drift). Also decides, from
 * the stored diamonds alone, what trains and what evaluates (../data.ts). With the performance trigger
 * (../trigger.ts), a champion that still fits the new appraisals ends the run here: "no retraining needed".
 */
import { evaluateModel, evaluateWithSegments, type LoadedModel } from '../../model/index.js';
import type { ModelRecord } from '../../registry/index.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { partitionData, snapshotRows, type Row, type Snapshot } from '../data.js';
import { featureDrift } from '../drift.js';
import { decideRetraining } from '../trigger.js';
import { loadedModel, type DriftReport, type LoadResult, type Step } from './step.js';

export const driftStep: Step<'drift'> = {
  name: 'drift',
  async run(ctx) {
    const { store, paths, config, state, log } = ctx;
    const champion = await store.getChampion();
    // A champion this version of Loupe cannot load (damaged file, or an artifact of an older feature spec) cannot
    // serve: it is not compared against, and any loadable challenger replaces it.
    const loaded = champion && ctx.load(champion);
    if (champion && loaded && 'error' in loaded)
      log.warn({ champion: champion.version, error: loaded.error }, 'the champion cannot be loaded');
    state.champion = champion && loaded && { record: champion, loaded };
    const partition = await partitionData(store, paths, config.holdoutFraction);
    state.partition = partition;
    const baseline = champion ? await store.getSnapshot(champion.trainingDataSha256) : undefined;
    const baselineMaxFile = baseline?.maxFileId ?? 0;
    state.newFiles = partition.files.filter((f) => f.id > baselineMaxFile && f.id !== partition.referenceFileId);
    const newRows = state.newFiles.flatMap((f) => partition.byFile.get(f.id) ?? []);
    state.result.drift = await driftReport(
      store,
      champion,
      loaded,
      baseline,
      state.newFiles.map((f) => f.name),
      newRows,
      partition.referenceTest,
    );
    // Consulted only when there is something to judge: new appraisals and a champion that was measured on them.
    const drift = state.result.drift;
    if (config.trigger !== 'performance' || drift.newRows === 0 || !drift.performance) return;
    const model = loadedModel(loaded);
    const perFile = !model
      ? []
      : state.newFiles.flatMap((f) => {
          const rows = partition.byFile.get(f.id) ?? [];
          return rows.length < config.triggerRule.minRows
            ? []
            : [{ file: f.name, evaluation: evaluateModel(model, rows) }];
        });
    const verdict = decideRetraining(drift, config.triggerRule, perFile);
    state.result.trigger = { ...verdict, forced: ctx.force && !verdict.retrain };
    if (verdict.retrain || ctx.force) return;
    state.result.status = 'nothing_to_do';
    state.result.champion = drift.performance.version;
    state.result.message = `no retraining needed: ${verdict.reasons.join('; ')}; champion ${drift.performance.version} stays (the new appraisals are stored)`;
    log.info({ run: ctx.runId, trigger: verdict.measures }, state.result.message);
    return { skipTo: 'report' };
  },
  describe({ state }) {
    const d = state.result.drift!;
    const t = state.result.trigger;
    const verdict = !t
      ? ''
      : t.retrain
        ? `; retraining: ${t.reasons.join('; ')}`
        : t.forced
          ? '; retraining forced (--force) although the champion fits'
          : '; no retraining needed';
    return (
      (d.note ??
        `${d.newRows} new rows; PSI large on: ${
          d.features
            .filter((f) => f.level === 'large')
            .map((f) => f.feature)
            .join(', ') || 'none'
        }` +
          (d.performance?.onNew
            ? `; champion MAPE ${d.performance.onNew.mape.toFixed(2)}% on new rows vs ${d.performance.onReferenceTest?.mape.toFixed(2) ?? '—'}% on reference test`
            : '')) + verdict
    );
  },
};

async function driftReport(
  store: PipelineStore,
  champion: ModelRecord | undefined,
  loaded: LoadResult | undefined,
  baseline: Snapshot | undefined,
  newFiles: string[],
  newRows: Row[],
  referenceTest: Row[],
): Promise<DriftReport> {
  const empty = {
    baseline: champion?.version ?? null,
    baselineRows: 0,
    newRows: newRows.length,
    newFiles,
    features: [],
    performance: null,
  };
  if (!champion) return { ...empty, note: 'no champion yet: nothing to compare the data with' };
  if (newRows.length === 0) return { ...empty, note: `no new appraisals since ${champion.version}'s training data` };
  if (!baseline)
    return { ...empty, note: `${champion.version}'s training snapshot is not recorded; drift not measured` };
  const base = await snapshotRows(store, baseline.sha256);
  const model = loadedModel(loaded);
  return {
    baseline: champion.version,
    baselineRows: base.length,
    newRows: newRows.length,
    newFiles,
    features: featureDrift(base, newRows),
    ...(model
      ? {}
      : {
          note: `performance drift not measured: ${champion.version} cannot be loaded (${loaded && 'error' in loaded ? loaded.error : ''})`,
        }),
    performance: model ? championPerformance(champion.version, model, newRows, referenceTest) : null,
  };
}

/** The champion on the new appraisals and on the reference test rows (the rows it was promoted on), by segment too. */
function championPerformance(
  version: string,
  model: LoadedModel,
  newRows: Row[],
  referenceTest: Row[],
): NonNullable<DriftReport['performance']> {
  const onNew = evaluateWithSegments(model, newRows);
  const onReferenceTest = referenceTest.length > 0 ? evaluateWithSegments(model, referenceTest) : null;
  return {
    version,
    onNew: onNew.evaluation,
    onReferenceTest: onReferenceTest?.evaluation ?? null,
    segments: { onNew: onNew.segments, onReferenceTest: onReferenceTest?.segments ?? null },
  };
}
