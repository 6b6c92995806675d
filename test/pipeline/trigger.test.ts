/**
 * The performance trigger with real data, no mocks: a fresh batch from the same market as the reference data
 * leaves the champion fit ("no retraining needed", nothing trained, the rows stored); a batch with a planted
 * market move (every price +15 %) makes the run train; `force` trains although the champion fits.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateModel, loadValuer } from '../../src/model/index.js';
import { retrainTrigger, runPipeline, decideRetraining, DEFAULT_TRIGGER_RULE } from '../../src/pipeline/index.js';
import { getChampion, listModels, readArtifact } from '../../src/registry/index.js';
import { listRuns } from '../../src/store/runs.js';
import type { Appraisal } from '../../src/diamond/index.js';
import { FAST, FRESH, pipelineHome, type PipelineHome } from './helpers.js';

let h: PipelineHome;
const config = { ...FAST, trigger: 'performance' as const };
const run = (force = false) => runPipeline(h.db, h.paths, { incoming: h.incoming, config, force });

/** A fresh batch with every price multiplied by `factor`: the same stones in a market that moved. */
function movedBatch(month: string, factor: number): string {
  const [header, ...rows] = readFileSync(FRESH(month), 'utf8').trim().split('\n');
  const price = header.split(',').indexOf('price');
  const moved = rows.map((line) => {
    const cells = line.split(',');
    cells[price] = String(Math.round(Number(cells[price]) * factor));
    return cells.join(',');
  });
  return `${[header, ...moved].join('\n')}\n`;
}

const NUMBERS = new Set(['carat', 'depth', 'table', 'price', 'x', 'y', 'z']);
/** The rows of a CSV text as appraisals (the fresh batches are plain: no quoting). */
function appraisals(csv: string): Appraisal[] {
  const [header, ...rows] = csv.trim().split('\n');
  const names = header.split(',');
  return rows.map(
    (line) =>
      Object.fromEntries(
        line.split(',').map((v, i) => [names[i], NUMBERS.has(names[i]) ? Number(v) : v]),
      ) as unknown as Appraisal,
  );
}

beforeAll(async () => {
  h = pipelineHome('loupe-trigger-');
  // No champion yet: the trigger has nothing to judge, the first model is trained.
  const first = await run();
  expect(first.trigger).toBeNull();
  expect(first.champion).toBe('v0001');
}, 300_000);

afterAll(() => h?.cleanup());

describe('the performance trigger', () => {
  it('finds the champion fit on a fresh batch of the same market: no retraining, the rows stored', async () => {
    h.feed(FRESH('2026-09'));
    const r = await run();
    expect(r.status).toBe('nothing_to_do');
    expect(r.message).toMatch(/^no retraining needed: MAPE \d+\.\d+% on 1,9\d\d new appraisals against/);
    expect(r.trigger).toMatchObject({ retrain: false, forced: false, measures: { champion: 'v0001' } });
    expect(r.trained).toEqual([]);
    expect(listModels(h.db).map((m) => m.version)).toEqual(['v0001']);
    expect(r.files[0]).toMatchObject({ status: 'ingested' });
    expect(r.files[0].accepted).toBeGreaterThan(1900);
    const [recorded] = listRuns(h.db, 1);
    expect(recorded).toMatchObject({ status: 'nothing_to_do', decision: r.message });
    const kept = (recorded.summary as { trigger: { measures: { batches: { mape: number }[] } } }).trigger;
    expect(kept.measures.batches[0].mape).toBe(r.trigger!.measures!.batches[0].mape);
    // The live accuracy history: the champion on the new appraisals, beside its error on the reference test rows.
    expect((recorded.summary as { accuracy: unknown }).accuracy).toMatchObject({
      champion: 'v0001',
      rows: r.files[0].accepted,
      mape: r.trigger!.measures!.batches[0].mape,
      referenceMape: r.trigger!.measures!.mapeReference,
      nominal: 90,
    });
  }, 300_000);

  it('trains when the market moved (every price +15 %), and the new model fits the moved prices better', async () => {
    const movedCsv = movedBatch('2026-10', 1.15);
    h.write('2026-10-moved.csv', movedCsv);
    const before = getChampion(h.db)!;
    const r = await run();
    expect(r.trigger?.retrain).toBe(true);
    expect(r.trigger?.reasons.join(' ')).toMatch(/MAPE [\d.]+% on 1,9\d\d rows of 2026-10-moved\.csv/);
    expect(r.trained.length).toBe(1);
    // The challenger learned from the moved rows too: on them it errs less than the champion it was put against.
    const moved = appraisals(movedCsv);
    const mapeOn = (version: string) => {
      const record = listModels(h.db).find((m) => m.version === version)!;
      return evaluateModel(loadValuer(readArtifact(record), version), moved).mape;
    };
    const challenger = r.trained[0].version!;
    expect(mapeOn(challenger)).toBeLessThan(mapeOn(before.version));
  }, 300_000);

  it('trains on --force although the champion fits, and says so', async () => {
    h.feed(FRESH('2026-11'));
    const r = await run(true);
    expect(r.trigger).toMatchObject({ retrain: false, forced: true });
    expect(r.trained.length).toBe(1);
    expect(r.steps.find((s) => s.name === 'drift')?.detail).toMatch(/retraining (forced|:)/);
    // --force trains on new appraisals, not the same data again: with none, the run does nothing (the README says so)
    const again = await run(true);
    expect(again.status).toBe('nothing_to_do');
    expect(again.message).toMatch(/^no new data: .*nothing to do$/);
    expect(again.trained).toEqual([]);
  }, 300_000);

  it('refuses an unknown trigger, and judges nothing without a measured champion', () => {
    expect(retrainTrigger(undefined)).toBe('always');
    expect(retrainTrigger(' Performance ')).toBe('performance');
    expect(() => retrainTrigger('sometimes')).toThrow(/always, performance/);
    const verdict = decideRetraining(
      {
        baseline: null,
        baselineRows: 0,
        newRows: 10,
        newFiles: [],
        features: [],
        performance: null,
        note: 'no champion',
      },
      DEFAULT_TRIGGER_RULE,
    );
    expect(verdict).toEqual({ retrain: true, reasons: ['no champion'], measures: null });
  });
});
