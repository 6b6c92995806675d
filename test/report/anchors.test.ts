import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_XGBOOST } from '../../src/report/anchors.js';

describe('published anchors', () => {
  it('are the figures of the anchor row in the accuracy benchmark results', () => {
    const row = readFileSync(new URL('../../bench/results/accuracy.md', import.meta.url), 'utf8')
      .split('\n')
      .find((line) => line.includes('published tuned XGBoost'));
    if (!row) throw new Error('bench/results/accuracy.md has no anchor row');
    const cells = row.split('|').map((c) => c.trim());
    const { split, cv } = PUBLISHED_XGBOOST;
    expect(cells.slice(2, 6)).toEqual([`$${split.mae}`, `$${split.rmse}`, `${split.mape.toFixed(2)}%`, '—']);
    expect(cells[6]).toBe(split.r2?.toFixed(4));
    expect(cells[8]).toBe(`$${cv.mae}`);
    expect(cells[10]).toBe(`${cv.mape.toFixed(2)}%`);
  });

  it('name their source and the rows they were scored on', () => {
    expect(PUBLISHED_XGBOOST.source).toMatch(/reference-split/);
    expect(PUBLISHED_XGBOOST.split.testRows).toBe(998);
    expect(PUBLISHED_XGBOOST.cv.folds).toBe(5);
  });
});
