/**
 * Valuations on worker threads give exactly what the model gives in process: same numbers, same explanation,
 * each stone valued by the model version it was asked for, batches and single stones alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValuationPool } from '../../src/api/index.js';
import type { Appraisal } from '../../src/diamond/index.js';
import { loadValuer, type LoadedModel } from '../../src/model/index.js';
import { getChampion, readArtifact } from '../../src/registry/index.js';
import { listAppraisals } from '../../src/store/diamonds.js';
import { testHome, type TestHome } from './helpers.js';

let home: TestHome;
let first: LoadedModel;
let second: LoadedModel;
let stones: Appraisal[];
let pool: ValuationPool;
const errors: Error[] = [];

const champion = (): LoadedModel => {
  const record = getChampion(home.db)!;
  return loadValuer(readArtifact(record), record.version);
};

beforeAll(async () => {
  home = await testHome();
  first = champion();
  home.promote({ seed: 7, rows: 3000 });
  second = champion();
  stones = listAppraisals(home.db).filter((_, i) => i % 97 === 0);
  pool = new ValuationPool({ threads: 2, onError: (e) => errors.push(e) });
});
afterAll(async () => {
  await pool.close();
  home.cleanup();
});

describe('valuation pool', () => {
  it('values each stone exactly as the model does in process, explanation included', async () => {
    expect(stones.length).toBeGreaterThan(40);
    const threaded = await Promise.all(stones.map((s) => pool.value(first, s)));
    expect(threaded).toEqual(stones.map((s) => first.value(s)));
    expect(threaded[0].explanation?.steps).toHaveLength(5);
    expect(errors).toEqual([]);
  });

  it('values a batch, without explanations when asked, with the model version each request named', async () => {
    const [a, b] = await Promise.all([
      pool.valueMany(first, stones, { explain: false }),
      pool.valueMany(second, stones),
    ]);
    expect(a).toEqual(stones.map((s) => first.value(s, { explain: false })));
    expect(a.every((v) => v.explanation === undefined && v.modelVersion === first.version)).toBe(true);
    expect(b).toEqual(stones.map((s) => second.value(s)));
    expect(b.every((v) => v.modelVersion === second.version)).toBe(true);
    expect(first.version).not.toBe(second.version);
    expect(errors).toEqual([]);
  });

  it('refuses work once closed', async () => {
    const closing = new ValuationPool({ threads: 1 });
    await closing.close();
    await expect(closing.value(first, stones[0])).rejects.toThrow(/closed/);
  });
});
