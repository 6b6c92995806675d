/**
 * The story of issue 5 on the real files: from the reference data alone, feeding 2026-09, 2026-10 and 2026-11
 * one at a time; the registry grows by one model per batch, the defects of 2026-11 are rejected and reported,
 * the champion changes exactly when the promotion rule says so, and a run with no new data does nothing.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns, runPipeline, type PipelineResult } from '../../src/pipeline/index.js';
import {
  championVersion,
  getChampion,
  getModel,
  listModels,
  listPromotions,
  readArtifact,
  upgradeMetrics,
} from '../../src/registry/index.js';
import { listRejects } from '../../src/store/rejects.js';
import { FAST, FRESH, pipelineHome, type PipelineHome } from './helpers.js';

let h: PipelineHome;
/** Reference rows minus the frozen test split, plus 80 % of each batch's accepted rows. */
let trainingRows = 4984 - 997;
beforeAll(() => {
  h = pipelineHome();
});
afterAll(() => h.cleanup());

const run = (config = {}): Promise<PipelineResult> =>
  runPipeline(h.db, h.paths, { incoming: h.incoming, config: { ...FAST, ...config } });

/** What the promotion rule says, recomputed from the recorded evaluations. */
function ruleSays(r: PipelineResult): boolean {
  const challenger = r.trained[0].evaluation.combined.mae;
  const { champion } = upgradeMetrics(getModel(h.db, r.trained[0].version!)!.metrics);
  return champion === null || challenger <= champion.evaluation.combined.mae * 1.02;
}

describe('retraining on the real files, batch by batch', () => {
  it('starts from the reference data alone: ingests it, trains v0001 and makes it champion, with a model card', async () => {
    const r = await run();
    expect(r.status).toBe('succeeded');
    expect(r.files.map((f) => [f.file, f.status, f.accepted, f.rejected])).toEqual([
      ['diamonds.csv', 'ingested', 4984, 16],
    ]);
    expect(r.trained.map((t) => t.version)).toEqual(['v0001']);
    expect(r.champion).toBe('v0001');
    expect(r.decision?.reason).toMatch(/no champion yet: v0001 becomes the first champion/);
    // Frozen test rows (997 of the published 998 are valid) never train; the rest of the valid rows do.
    const v1 = getModel(h.db, 'v0001')!;
    expect(v1.trainingRows).toBe(4984 - 997);
    expect(upgradeMetrics(v1.metrics).evaluationRows?.referenceTest).toBe(997);
    const dir = join(h.paths.models, 'v0001');
    for (const f of ['model.json', 'model.md', 'model.html', 'error-by-segment.svg', 'explanation-summary.svg'])
      expect(existsSync(join(dir, f))).toBe(true);
    expect(readFileSync(join(dir, 'model.md'), 'utf8')).toMatch(
      /## Error by segment[\s\S]*!\[error by segment\]\(error-by-segment.svg\)/,
    );
    expect(r.steps.map((s) => s.name)).toEqual([
      'ingest',
      'drift',
      'snapshot',
      'train',
      'evaluate',
      'promote',
      'register',
      'report',
    ]);
  });

  for (const month of ['2026-09', '2026-10']) {
    it(`feeds ${month}: one more model, drift reported, champion changed only if the rule says so`, async () => {
      const before = listModels(h.db).length;
      const championBefore = championVersion(h.db);
      h.feed(FRESH(month));
      const r = await run();
      expect(r.status).toBe('succeeded');
      expect(r.files.map((f) => [f.file, f.status, f.rowsRead])).toEqual([[`${month}.csv`, 'ingested', 2000]]);
      const accepted = r.files[0].accepted;
      expect(accepted).toBeGreaterThan(1990);
      trainingRows += accepted - Math.round(accepted * 0.2);
      expect(existsSync(join(h.incoming, 'done', `${month}.csv`))).toBe(true);
      expect(listModels(h.db)).toHaveLength(before + 1);
      expect(r.drift?.features).toHaveLength(10);
      expect(r.drift?.performance?.onNew?.n).toBe(accepted);
      expect(r.decision?.promote).toBe(ruleSays(r));
      expect(championVersion(h.db)).toBe(r.decision?.promote ? r.trained[0].version : championBefore);
      // 20 % of the batch is held out for evaluation and never trains.
      expect(upgradeMetrics(getModel(h.db, r.trained[0].version!)!.metrics).evaluationRows?.newest).toBe(
        Math.round(accepted * 0.2),
      );
      expect(getModel(h.db, r.trained[0].version!)!.trainingRows).toBe(trainingRows);
      expect(existsSync(join(h.paths.models, r.trained[0].version!, 'drift.svg'))).toBe(true);
    });
  }

  it('feeds the messy 2026-11: its defects are rejected with reasons and reported; the good rows train', async () => {
    const before = listModels(h.db).length;
    h.feed(FRESH('2026-11'));
    const r = await run();
    const file = r.files[0];
    expect([file.file, file.status, file.rowsRead]).toEqual(['2026-11.csv', 'ingested', 2006]);
    expect(file.rejected).toBeGreaterThan(20);
    expect(file.accepted + file.rejected).toBe(2006);
    expect(Object.values(file.byReason).reduce((a, b) => a + b, 0)).toBe(file.rejected);
    const fileId = (h.db.prepare("SELECT id FROM files WHERE name = '2026-11.csv'").get() as { id: number }).id;
    expect(listRejects(h.db, { fileId })).toHaveLength(file.rejected);
    expect(listModels(h.db)).toHaveLength(before + 1);
    expect(r.decision?.promote).toBe(ruleSays(r));
    const newest = getModel(h.db, r.trained[0].version!)!;
    expect(newest.trainingRows).toBe(trainingRows + file.accepted - Math.round(file.accepted * 0.2));
  });

  it('does nothing when run again with no new data, and says so', async () => {
    const models = listModels(h.db);
    const champion = championVersion(h.db);
    const r = await run();
    expect(r.status).toBe('nothing_to_do');
    expect(r.message).toMatch(/no new data.*nothing to do/);
    expect(r.trained).toEqual([]);
    expect(listModels(h.db)).toEqual(models);
    expect(championVersion(h.db)).toBe(champion);
    expect(listRuns(h.db)[0].status).toBe('nothing_to_do');
  });

  it('moves a failed file aside with its report, skips a file already ingested, and goes on with the rest', async () => {
    h.write('broken.csv', Buffer.from('carat,cut\u0000\n'));
    h.feed(FRESH('2026-10'), 'again-2026-10.csv');
    h.write('no-price.csv', 'carat,cut,color,clarity,depth,table,x,y,z\n0.3,Ideal,E,VS1,61,55,4.3,4.3,2.6\n');
    const r = await run();
    expect(r.files.map((f) => [f.file, f.status])).toEqual([
      ['again-2026-10.csv', 'already_ingested'],
      ['broken.csv', 'failed'],
      ['no-price.csv', 'failed'],
    ]);
    expect(readdirSync(join(h.incoming, 'failed')).sort()).toEqual([
      'broken.csv',
      'broken.csv.report.json',
      'no-price.csv',
      'no-price.csv.report.json',
    ]);
    const report = JSON.parse(readFileSync(join(h.incoming, 'failed', 'no-price.csv.report.json'), 'utf8')) as {
      message: string;
    };
    expect(report.message).toMatch(/price/);
    expect(r.status).toBe('nothing_to_do');
    expect(readdirSync(h.incoming).filter((f) => f.endsWith('.csv'))).toEqual([]);
  });

  it('keeps the champion, and says why, when the challenger is worse than the rule allows', async () => {
    // New, valid appraisals (distinct from every stored row), with a rule that demands a 50 % improvement.
    const lines = readFileSync(FRESH('2026-10'), 'utf8').trim().split('\n');
    const rows = lines.slice(1, 401).map((l) => {
      const f = l.split(',');
      f[6] = String(Number(f[6]) + 1);
      return f.join(',');
    });
    h.write('2026-12.csv', `${lines[0]}\n${rows.join('\n')}\n`);
    const champion = getChampion(h.db)!;
    const r = await run({ promotion: { metric: 'mae', tolerance: -0.5, coverageMarginPts: 5 } });
    expect(r.status).toBe('succeeded');
    expect(r.decision?.promote).toBe(false);
    expect(r.decision?.reason).toMatch(
      new RegExp(`${champion.version} stays champion: ${r.trained[0].version} is worse, MAE`),
    );
    expect(championVersion(h.db)).toBe(champion.version);
    expect(getModel(h.db, r.trained[0].version!)!.decision).toMatch(/^kept the champion:/);
    expect(() => readArtifact(getChampion(h.db)!)).not.toThrow();
  });

  it('keeps an auditable history: every run with its steps and decision, every promotion', () => {
    const runs = listRuns(h.db);
    expect(runs.map((r) => r.status).reverse()).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
      'nothing_to_do',
      'nothing_to_do',
      'succeeded',
    ]);
    expect(runs.every((r) => r.finishedAt !== null && r.steps.length >= 4)).toBe(true);
    const promotions = listPromotions(h.db);
    expect(promotions[0].version).toBe('v0001');
    expect(promotions.length).toBeGreaterThanOrEqual(1);
    const models = listModels(h.db);
    expect(models.map((m) => m.version)).toEqual(['v0001', 'v0002', 'v0003', 'v0004', 'v0005']);
    expect(models.every((m) => m.gitCommit === null || /^[0-9a-f]{40}(-dirty)?$/.test(m.gitCommit))).toBe(true);
  });
});
