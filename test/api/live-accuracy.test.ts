/**
 * The live accuracy history through GET /v1/monitoring, with real data: the first run trains the champion on the
 * reference data, then two fresh monthly batches arrive and the performance trigger measures the champion on
 * them ("no retraining needed"). The API answers both runs' figures, oldest first — overall and by carat band and
 * grade, beside the same champion on the rows it was promoted on — and they are the figures of the champion on
 * those stones, recomputed here from the stored rows of the two files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARAT_BANDS, evaluateModel, evaluateWithSegments, loadValuer, segmentsOf } from '../../src/model/index.js';
import { partitionData, runPipeline, type PipelineResult } from '../../src/pipeline/index.js';
import { getChampion, readArtifact } from '../../src/registry/index.js';
import { createKey } from '../../src/store/keys.js';
import { FAST, FRESH, pipelineHome, type PipelineHome } from '../pipeline/helpers.js';
import { expectProblem, testApp, type TestApp } from './helpers.js';

let h: PipelineHome;
let t: TestApp;
let admin: string;
let partner: string;
const measured: PipelineResult[] = [];
const config = { ...FAST, trigger: 'performance' as const };

beforeAll(async () => {
  h = pipelineHome('loupe-live-accuracy-');
  await runPipeline(h.db, h.paths, { incoming: h.incoming, config });
  for (const month of ['2026-09', '2026-10']) {
    h.feed(FRESH(month));
    measured.push(await runPipeline(h.db, h.paths, { incoming: h.incoming, config }));
  }
  admin = createKey(h.db, { name: 'ops', scopes: ['admin'] }).secret;
  partner = createKey(h.db, { name: 'ACME', scopes: ['valuations'] }).secret;
  t = await testApp({ ...h, promote: () => getChampion(h.db)! }, { open: false, quotes: false, requestLog: false });
}, 300_000);

afterAll(async () => {
  await t?.app.close();
  h?.cleanup();
});

const get = (url: string, key?: string) =>
  t.app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('GET /v1/monitoring: the live accuracy history', () => {
  it("answers each run's measure of the champion on the new appraisals, oldest first", async () => {
    expect(measured.map((r) => r.status)).toEqual(['nothing_to_do', 'nothing_to_do']);
    const res = await get('/v1/monitoring', admin);
    expect(res.statusCode).toBe(200);
    const { accuracy } = res.json();
    expect(accuracy.runs).toBe(50);
    expect(accuracy.history.map((e: { runId: number }) => e.runId)).toEqual(measured.map((r) => r.runId));
    // The second run measures both batches: new since the champion's training data, which did not change.
    const stored = await partitionData(h.db, h.paths);
    const rowsOf = (name: string) => stored.byFile.get(stored.files.find((f) => f.name === name)!.id)!;
    const september = rowsOf('2026-09.csv');
    const both = [...september, ...rowsOf('2026-10.csv')];
    expect(accuracy.history.map((e: { rows: number }) => e.rows)).toEqual([september.length, both.length]);
    expect(september.length).toBe(measured[0].files[0].accepted);

    const champion = getChampion(h.db)!;
    const model = loadValuer(readArtifact(champion), champion.version);
    const [first, second] = accuracy.history;
    for (const [entry, rows] of [
      [first, september],
      [second, both],
    ] as const) {
      const { evaluation, segments } = evaluateWithSegments(model, rows);
      expect(entry).toMatchObject({ champion: 'v0001', nominal: 90 });
      expect(entry.mae).toBeCloseTo(evaluation.mae, 6);
      expect(entry.mape).toBeCloseTo(evaluation.mape, 6);
      expect(entry.coverage).toBeCloseTo(evaluation.range.coverage, 6);
      expect(entry.segments).toEqual(segments.map((s) => expect.objectContaining(s)));
    }
    // Each group's figures are the champion's on that group's stones alone, measured the ordinary way.
    const groupOf = (partition: string, r: (typeof both)[number]) =>
      partition === 'carat' ? CARAT_BANDS[segmentsOf(r, 'typical')[0]] : r[partition as 'cut' | 'color' | 'clarity'];
    for (const s of second.segments as {
      partition: string;
      group: string;
      rows: number;
      mae: number;
      mape: number;
    }[]) {
      const members = both.filter((r) => groupOf(s.partition, r) === s.group);
      const alone = evaluateModel(model, members);
      expect([s.rows, s.mae, s.mape]).toEqual([
        members.length,
        expect.closeTo(alone.mae, 6),
        expect.closeTo(alone.mape, 6),
      ]);
    }
    // Every carat band and grade of the new stones, each stone counted once per partition.
    for (const partition of ['carat', 'cut', 'color', 'clarity']) {
      const groups = second.segments.filter((s: { partition: string }) => s.partition === partition);
      expect(groups.reduce((n: number, s: { rows: number }) => n + s.rows, 0)).toBe(both.length);
    }
    expect(
      second.segments
        .filter((s: { partition: string }) => s.partition === 'carat')
        .map((s: { group: string }) => s.group),
    ).toEqual([...CARAT_BANDS]);
  }, 60_000);

  it('puts the champion at promotion beside it: the reference test rows, overall and by segment', async () => {
    const { accuracy } = (await get('/v1/monitoring', admin)).json();
    const entry = accuracy.history[1];
    const reference = measured[1].drift!.performance!.onReferenceTest!;
    expect(entry.atPromotion).toEqual({
      rows: reference.n,
      mae: reference.mae,
      mape: reference.mape,
      coverage: reference.range.coverage,
    });
    expect(entry.atPromotion.rows).toBeGreaterThan(900);
    const band = entry.segments.find((s: { group: string }) => s.group === '0.5–1 ct');
    expect(band.atPromotion.rows).toBeGreaterThan(0);
    expect(band.atPromotion.rows).toBeLessThan(entry.atPromotion.rows);
    // A fresh batch of the same market: within the trigger's tolerance of the error at promotion.
    expect(entry.mape).toBeLessThan(entry.atPromotion.mape * 1.25);
  });

  it('answers the last N runs only (?runs), and refuses a bad N or a valuations key', async () => {
    const last = (await get('/v1/monitoring?runs=1', admin)).json().accuracy;
    expect(last.runs).toBe(1);
    expect(last.history.map((e: { runId: number }) => e.runId)).toEqual([measured[1].runId]);
    for (const bad of ['0', '501', 'abc', '1.5']) {
      const problem = expectProblem(await get(`/v1/monitoring?runs=${bad}`, admin), 400);
      expect(JSON.stringify(problem)).toContain('runs');
    }
    expectProblem(await get('/v1/monitoring', partner), 403);
  });

  it('tells the web app whether to show its Monitoring link (/web-access.json, always 200)', async () => {
    for (const [key, monitoring] of [
      [undefined, false],
      [partner, false],
      [admin, true],
      ['lp_not-a-key', false],
    ] as const) {
      const res = await get('/web-access.json', key);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ monitoring });
    }
  });
});
