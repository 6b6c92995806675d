/**
 * Appraisals recorded in the app reach the retraining pipeline as files do: the next run sees new data, trains on
 * the submission's rows but its holdout, evaluates on the frozen reference test rows plus that holdout, and the
 * app can say which model learned from them. What is checked holds for any ranges: the runs train a difficulty
 * model of SMALL_DIFFICULTY_TREES trees.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AppraisalDesk } from '../../src/api/appraisal-desk.js';
import { partitionData } from '../../src/pipeline/data.js';
import { runPipeline } from '../../src/pipeline/index.js';
import { lastLearning, listRecorded } from '../../src/store/appraisals.js';
import { openDatabase } from '../../src/store/db.js';
import { getModel } from '../../src/store/models.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import { snapshotDiamondIds } from '../../src/store/snapshots.js';
import { FAST_ANY_RANGES as QUICK, FRESH, pipelineHome } from './helpers.js';

const h = pipelineHome('loupe-recorded-test-');
afterAll(() => h.cleanup());

describe('recorded appraisals in the pipeline', () => {
  it('are learned from by the next run, their holdout evaluated on, and the learning model named', async () => {
    const first = await runPipeline(h.db, h.paths, { incoming: h.incoming, config: QUICK });
    expect(first.status).toBe('succeeded');
    expect(lastLearning(h.db)).toBeUndefined();

    // The server's own store: a connection of its own on the same database.
    const store = sqliteStore(openDatabase(h.db.name));
    const desk = new AppraisalDesk(store);
    try {
      const rows = readFileSync(FRESH('2026-10'), 'utf8').split('\n').slice(0, 301).join('\n');
      const upload = await desk.recordUpload(Buffer.from(rows), 'october.csv', 'Giulia', undefined);
      expect(upload.submission.accepted).toBeGreaterThan(290);
    } finally {
      await store.close();
    }
    const recorded = listRecorded(h.db).map((r) => r.id);
    const part = await partitionData(h.db, h.paths);
    const held = new Set([...part.holdout.values()].flat().map((r) => r.id));
    const heldRecorded = recorded.filter((id) => held.has(id));
    expect(heldRecorded.length).toBe(Math.round(recorded.length * 0.2));

    const second = await runPipeline(h.db, h.paths, { incoming: h.incoming, config: QUICK });
    expect(second.status).toBe('succeeded');
    const learning = lastLearning(h.db)!;
    expect(learning.trainedOn).toBe(recorded.length - heldRecorded.length);
    const model = getModel(h.db, learning.version)!;
    const ids = new Set(snapshotDiamondIds(h.db, model.trainingDataSha256));
    for (const id of recorded) expect(ids.has(id)).toBe(!held.has(id));
    // Evaluated on the reference test rows plus the submission's holdout.
    const evaluate = second.steps.find((s) => s.name === 'evaluate')!;
    expect(evaluate.detail).toContain(
      `${part.referenceTest.length} reference test + ${heldRecorded.length} newest holdout`,
    );
  });
});
