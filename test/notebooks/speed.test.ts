/**
 * No result of the notebooks may depend on how fast the machine is. The model notebook's tuner used to run under
 * a 240 s time budget: on a loaded machine the budget cut the search after fewer trials, and the notebook also
 * printed how many seconds it took, so the executed notebook differed from run to run. It now asks for a number of
 * trials and no budget. These tests hold the notebooks to that, and run the notebook's computations on a machine
 * made artificially slow (a clock that jumps ten minutes at every reading) to show the numbers stay the same.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Appraisal } from '../../src/diamond/index.js';
import { readReferenceSplitRows } from '../../src/ingest/index.js';
import { createRng, featureColumns, featureRow } from '../../src/model/index.js';
import { getKind } from '../../src/model/kinds/index.js';
import { tune } from '../../src/pipeline/tune.js';
import { bootstrapInterval } from '../../src/report/intervals.js';
import { mean } from '../../src/report/stats.js';
import { DATA } from '../pipeline/helpers.js';

const root = resolve(import.meta.dirname, '../..');
const codeCells = (name: string): string[] =>
  (
    JSON.parse(readFileSync(join(root, 'notebooks', name), 'utf8')) as {
      cells: { cell_type: string; source: string | string[] }[];
    }
  ).cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));

/** A slow machine: every reading of the clock is ten minutes after the last. */
function slowClock(): void {
  let now = performance.now();
  vi.spyOn(performance, 'now').mockImplementation(() => {
    now += 600_000;
    return now;
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

let rows: Appraisal[] = [];
let test: Appraisal[] = [];
beforeAll(async () => {
  const split = await readReferenceSplitRows(join(DATA, 'diamonds.csv'), join(DATA, 'diamonds.reference-split.txt'));
  rows = split.train.filter((_, i) => i % 4 === 0);
  test = split.test.filter((_, i) => i % 4 === 0);
});

describe('notebook results do not depend on the machine speed', () => {
  it('the notebooks read no clock, and the model notebook tunes by a number of trials without a time budget', () => {
    for (const name of ['01-data.ipynb', '02-model.ipynb']) {
      for (const source of codeCells(name)) expect(source, name).not.toMatch(/performance\.now|Date\.now|spentMs/);
    }
    const tuning = codeCells('02-model.ipynb').filter((s) => /\btune\(/.test(s));
    expect(tuning).toHaveLength(1);
    const call = tuning[0].slice(tuning[0].indexOf('tune('));
    expect(call).toMatch(/^tune\(train, 'gbdt', \{ trials: tuneTrials, folds: CONFIG\.modelFolds, seed: 42 \}\)/);
    expect(call).not.toMatch(/budgetMs/);
  });

  it('tuning by a number of trials gives the same search and choice on a slow machine; a time budget would not', async () => {
    // The hedonic kind keeps the test quick; the tuner reads the clock the same way for every kind.
    const options = { trials: 2, seed: 7, folds: 3 };
    const summary = (r: Awaited<ReturnType<typeof tune>>) => ({
      trials: r.result.trials.map((t) => [t.source, t.params, t.mae, t.mape]),
      chosen: r.result.chosen,
      stopped: r.result.stopped,
      model: JSON.stringify(r.artifact.model),
    });
    const normal = summary(await tune(rows, 'hedonic', options));
    slowClock();
    const slow = summary(await tune(rows, 'hedonic', options));
    expect(slow).toEqual(normal);
    expect(normal.trials).toHaveLength(2);
    // The slow clock is felt: the budget the notebook used to give (240 s) stops this search after its first trial.
    const budgeted = await tune(rows, 'hedonic', { ...options, budgetMs: 240_000 });
    expect(budgeted.result.stopped).toBe('budget');
    expect(budgeted.result.trials).toHaveLength(1);
  }, 180_000);

  it('a learning-curve point and its paired change are the same on a slow machine', () => {
    const kind = getKind('gbdt');
    const params = { ...kind.defaultParams, nEstimators: 60, learningRate: 0.06 };
    const errors = (train: readonly Appraisal[]) => {
      const model = kind.fit(
        featureColumns(train),
        Float64Array.from(train, (s) => Math.log(s.price)),
        params,
        { seed: 42 },
      );
      return test.map((s) => Math.abs(Math.exp(model.predictLog(featureRow(s))) / s.price - 1) * 100);
    };
    const curve = () => {
      const small = errors(rows.slice(0, 300));
      const all = errors(rows);
      const rng = createRng(42);
      const change = bootstrapInterval(
        all.map((a, i) => a - small[i]),
        mean,
        { random: () => rng.nextFloat() },
      );
      return { small: mean(small), all: mean(all), change };
    };
    const normal = curve();
    slowClock();
    expect(curve()).toEqual(normal);
    expect(normal.change.estimate).toBeCloseTo(normal.all - normal.small, 9);
  }, 120_000);
});
