/**
 * The metrics contract: what is written is checked, what was written before the contract is read through one
 * upgrade, and every figure says which rows it was measured on.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { trainModel, type ModelArtifact } from '../../src/model/index.js';
import {
  checkMetrics,
  getModel,
  handMetrics,
  listModels,
  METRICS_VERSION,
  MetricsContractError,
  registerModel,
  upgradeMetrics,
} from '../../src/registry/index.js';
import { openDatabase } from '../../src/store/db.js';
import { referenceSplit } from '../helpers/reference.js';

const figures = (n: number, mae: number) => ({
  n,
  mae,
  rmse: mae * 2,
  mape: 7,
  mdape: 5,
  r2: 0.98,
  range: { coverage: 90.5, nominal: 90, medianRelativeWidth: 25, withheld: 0 },
});

/** A pipeline's record as written before the contract (no version, no labels): the shape of main before v2. */
const PIPELINE_V1 = {
  outOfFold: figures(3987, 288),
  evaluation: {
    referenceTest: figures(997, 298),
    newest: null,
    combined: figures(997, 298),
    segments: [{ by: 'cut', segment: 'Fair', n: 31, mae: 402, mape: 9.8 }],
    explanation: [{ factor: 'carat', meanAbsEffectPct: 61.2 }],
  },
  champion: null,
  evaluationRows: { referenceTest: 997, newest: 0, newestFiles: [] },
  tuning: {
    kind: 'gbdt',
    params: { trees: 500 },
    trials: [{ source: 'defaults', params: { trees: 500 }, mae: 288, mape: 7.1, ms: 900 }],
    folds: 3,
    budgetMs: 600000,
    spentMs: 900,
    plannedTrials: 1,
    chosen: 0,
    stopped: 'trials_done',
  },
  drift: null,
  snapshot: { sha256: 'a'.repeat(64), rows: 3987, maxFileId: 1 },
  promotionRule: { metric: 'mae', tolerance: 0.02, coverageMarginPts: 5 },
  run: 4,
};

describe('upgradeMetrics', () => {
  it('reads a pipeline record of before the contract, labelling each figure with its rows', () => {
    const m = upgradeMetrics(PIPELINE_V1);
    expect(m.version).toBe(METRICS_VERSION);
    expect(m.origin).toEqual({ by: 'pipeline', run: 4, evaluationRowsLeftOut: true });
    expect(m.evaluation?.referenceTest?.measuredOn).toMatchObject({ rows: 'reference-test', heldOut: true });
    expect(m.evaluation?.combined.mae).toBe(298);
    expect(m.outOfFold?.measuredOn).toMatchObject({ rows: 'cross-validation', heldOut: false });
    expect(m.outOfFold?.measuredOn.label).toMatch(/cross-validation inside the 3,987 training rows, not held out/);
    expect(m.tuning?.trials).toHaveLength(1);
    expect(m.promotionRule).toEqual(PIPELINE_V1.promotionRule);
    // what it gives is the contract itself: writing it back is accepted
    expect(checkMetrics(m)).toEqual(m);
  });

  it('reads a hand-registered record ({ outOfFold } only), and an imported XGBoost model on its calibration file', () => {
    const trained = upgradeMetrics({ outOfFold: figures(4984, 301) }, 'gbdt');
    expect(trained.origin).toEqual({ by: 'loupe train', run: null, evaluationRowsLeftOut: null });
    expect(trained.evaluation).toBeNull();
    expect(trained.outOfFold?.measuredOn.rows).toBe('cross-validation');
    const imported = upgradeMetrics({ outOfFold: figures(500, 310) }, 'xgboost');
    expect(imported.origin.by).toBe('loupe import-xgboost');
    expect(imported.outOfFold?.measuredOn).toMatchObject({ rows: 'calibration-file', heldOut: false });
  });

  it('leaves out what does not fit rather than guessing a number', () => {
    const m = upgradeMetrics({ mape: 0.1, evaluation: { combined: { mae: 'n/a' } }, tuning: 'none' });
    expect(m.outOfFold).toBeNull();
    expect(m.evaluation).toBeNull();
    expect(m.tuning).toBeNull();
    expect(upgradeMetrics(null).origin.by).toBe('loupe train');
  });

  it('a record in the contract comes back as it is', () => {
    const m = handMetrics(figures(100, 50), { by: 'loupe train', evaluationRowsLeftOut: true });
    expect(upgradeMetrics(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });
});

describe('registerModel checks the metrics it writes', () => {
  let artifact: ModelArtifact;
  let dir: string;
  beforeAll(async () => {
    const { train } = await referenceSplit();
    artifact = trainModel(train.slice(0, 600), { kind: 'hedonic', seed: 1 });
    dir = mkdtempSync(join(tmpdir(), 'loupe-metrics-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses metrics outside the contract, before writing a file or a row', () => {
    const paths = loupePaths({}, { home: dir });
    const db = openDatabase(paths.database);
    try {
      const bad = { ...handMetrics(artifact.metrics.outOfFold, { by: 'loupe train', evaluationRowsLeftOut: null }) };
      const broken = { ...bad, outOfFold: { ...bad.outOfFold!, measuredOn: undefined } } as unknown as typeof bad;
      expect(() => registerModel(db, paths, artifact, { durationMs: 1, metrics: broken })).toThrow(
        MetricsContractError,
      );
      expect(() => registerModel(db, paths, artifact, { durationMs: 1, metrics: broken })).toThrow(
        /outOfFold.*measuredOn/,
      );
      expect(listModels(db)).toEqual([]);
      expect(existsSync(join(paths.models, 'v0001'))).toBe(false);
      // by default the artifact's own figures, labelled as cross-validation, are recorded
      const ok = registerModel(db, paths, artifact, { durationMs: 1 });
      const stored = upgradeMetrics(getModel(db, ok.version)!.metrics);
      expect(stored).toEqual(getModel(db, ok.version)!.metrics);
      expect(stored.outOfFold).toMatchObject({ n: 600, measuredOn: { rows: 'cross-validation', heldOut: false } });
    } finally {
      db.close();
    }
  });
});
