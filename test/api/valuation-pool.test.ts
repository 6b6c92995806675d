/**
 * Valuations on worker threads give exactly what the model gives in process: same numbers, same explanation,
 * each stone valued by the model version it was asked for, batches and single stones alike; and an answer made as
 * text on the thread is, byte for byte, what the route's serializer writes from the valuation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValuationPool } from '../../src/api/index.js';
import { answerText, valuationAnswer } from '../../src/api/answer-text.js';
import { presentValuation } from '../../src/api/present.js';
import { Valuation as ValuationSchema } from '../../src/api/schemas.js';
import { serializerCompiler } from '../../src/api/serializer.js';
import { normalisedWarnings } from '../../src/api/stone-input.js';
import type { Appraisal, Normalisation } from '../../src/diamond/index.js';
import { loadValuer, type LoadedModel, type Valuation } from '../../src/model/index.js';
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

  it("answers as text exactly what the route's serializer writes from the valuation, id and time put in", async () => {
    const serialize = serializerCompiler({
      schema: ValuationSchema,
      method: 'POST',
      url: '/v1/valuations',
      httpStatus: '200',
    }) as (v: unknown) => string;
    // stones beyond the data too (warnings, a range withheld), and grades read in another spelling
    const asked = [...stones, { ...stones[0], carat: 4.9, depth: 79, table: 43 }, { ...stones[1], x: 0 }];
    const spelled: Normalisation[] = [
      { field: 'color', from: ' g', to: 'G' },
      { field: 'clarity', from: 'vs1', to: 'VS1' },
    ];
    const normalisedOf = (i: number): Normalisation[] => (i % 5 === 0 ? spelled : []);
    const stored = { id: 'val_AAAAAAAAAAAAAAAAAAAAAA', valuedAt: '2026-12-06T02:30:00.000Z' };
    /** What the route answered before: the valuation shaped, stamped, and serialized by the 200 schema. */
    const expected = (v: Valuation, normalised: Normalisation[], stamp: boolean): string => {
      const withWarnings = { ...v, warnings: [...normalisedWarnings(normalised), ...v.warnings] };
      return serialize(stamp ? { ...stored, ...presentValuation(withWarnings) } : presentValuation(withWarnings));
    };
    for (const explain of [true, false]) {
      const threaded = await Promise.all(asked.map((s, i) => pool.valueAnswer(first, s, normalisedOf(i), { explain })));
      const here = asked.map((s) => first.value(s, { explain }));
      threaded.forEach((answer, i) => {
        expect(answerText(answer, stored)).toBe(expected(here[i], normalisedOf(i), true));
        expect(answerText(answer)).toBe(expected(here[i], normalisedOf(i), false));
        expect(answer.support).toBe(here[i].support.level);
        expect(answer.warnings).toEqual(here[i].warnings.map((w) => w.code));
        expect(valuationAnswer(here[i], normalisedOf(i))).toEqual(answer);
      });
      expect(JSON.parse(answerText(threaded[0], stored))).toMatchObject(stored);
      expect(here.some((v) => v.warnings.length > 0)).toBe(true);
      expect(here.some((v) => v.range === null)).toBe(true);
    }
    expect(errors).toEqual([]);
  });

  it('refuses work once closed', async () => {
    const closing = new ValuationPool({ threads: 1 });
    await closing.close();
    await expect(closing.value(first, stones[0])).rejects.toThrow(/closed/);
  });
});
