/**
 * Live traffic drift with the reference data. The champion learns from the reference training rows; one partner
 * values the held-out test stones as they are, and nine more value the same stones with one characteristic each
 * moved (carat +25%, a cut one grade worse, a colour two grades darker, a clarity one grade worse, depth +2 points,
 * table +3, x and y +6%, z +5%: each stone still passes the schema's plausibility rules). The plain partner's
 * drift is the pipeline's (featureDrift) on the same stones, under PSI 0.1 on every characteristic; each moved
 * partner's row shows its characteristic over PSI 0.25 (and, for numbers, KS significant at 1%) and every other
 * characteristic exactly as the plain partner's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrafficDrift } from '../../src/api/traffic-drift.js';
import { CLARITIES, COLORS, CUTS, type Appraisal, type Stone } from '../../src/diamond/index.js';
import { createValuer, trainModel, type ModelArtifact } from '../../src/model/index.js';
import { featureDrift } from '../../src/pipeline/drift.js';
import { promoteModel, registerModel } from '../../src/registry/index.js';
import { createKey } from '../../src/store/keys.js';
import { referenceSplit, type ReferenceSplit } from '../helpers/reference.js';
import { expectProblem, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

const NINE = ['carat', 'cut', 'color', 'clarity', 'depth', 'table', 'x', 'y', 'z'] as const;
const NUMBERS = ['carat', 'depth', 'table', 'x', 'y', 'z'];
type Feature = (typeof NINE)[number];

const worse = (scale: readonly string[], grade: string, steps: number) =>
  scale[Math.max(0, scale.indexOf(grade) - steps)];
const round = (v: number, decimals: number) => Math.round(v * 10 ** decimals) / 10 ** decimals;
/** One planted shift per characteristic. */
const SHIFTS: Record<Feature, (s: Stone) => Stone> = {
  carat: (s) => ({ ...s, carat: round(s.carat * 1.25, 2) }),
  cut: (s) => ({ ...s, cut: worse(CUTS, s.cut, 1) as Stone['cut'] }),
  color: (s) => ({ ...s, color: worse(COLORS, s.color, 2) as Stone['color'] }),
  clarity: (s) => ({ ...s, clarity: worse(CLARITIES, s.clarity, 1) as Stone['clarity'] }),
  depth: (s) => ({ ...s, depth: round(s.depth + 2, 1) }),
  table: (s) => ({ ...s, table: s.table + 3 }),
  x: (s) => ({ ...s, x: round(s.x * 1.06, 2) }),
  y: (s) => ({ ...s, y: round(s.y * 1.06, 2) }),
  z: (s) => ({ ...s, z: round(s.z * 1.05, 2) }),
};

let home: TestHome;
let t: TestApp;
let split: ReferenceSplit;
let artifact: ModelArtifact;
let plain: string;
let admin: string;
const shiftedKeys = new Map<Feature, string>();
let stones: Stone[];

const stoneOf = ({ price: _price, ...stone }: Appraisal): Stone => stone;

beforeAll(async () => {
  home = await testHome({ promote: false });
  split = await referenceSplit();
  artifact = trainModel(split.train, { kind: 'hedonic', seed: 42 });
  promoteModel(home.db, registerModel(home.db, home.paths, artifact, { durationMs: 1 }).version, 'test');
  plain = createKey(home.db, { name: 'plain partner', scopes: ['valuations'] }).secret;
  for (const f of NINE) shiftedKeys.set(f, createKey(home.db, { name: `${f} moved`, scopes: ['valuations'] }).secret);
  admin = createKey(home.db, { name: 'ops', scopes: ['admin'] }).secret;
  t = await testApp(home, { open: false, quotes: false, requestLog: false });
  stones = split.test.slice(0, 1000).map(stoneOf);
}, 180_000);

afterAll(async () => {
  await t?.app.close();
  home?.cleanup();
});

const get = (url: string, key?: string) =>
  t.app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });
const valueBatch = async (key: string, batch: object[]) => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/valuations/batch?explain=false',
    headers: { authorization: `Bearer ${key}` },
    payload: { stones: batch },
  });
  expect(res.statusCode).toBe(200);
  expect((res.json() as { failed: number }).failed).toBe(0);
};

interface Drift {
  feature: string;
  kind: string;
  stones: number;
  psi: number | null;
  ks: { statistic: number | null; pValue: number | null; maxError: number } | null;
}
interface Summary {
  valued: number;
  support: Record<string, number>;
  drift: Drift[];
}
const driftOf = (s: Summary, feature: string) => s.drift.find((d) => d.feature === feature)!;

describe('GET /v1/monitoring: live traffic drift', () => {
  it('refuses a valuations key (403) and no key (401)', async () => {
    expectProblem(await get('/v1/monitoring', plain), 403);
    expectProblem(await get('/v1/monitoring'), 401);
  });

  it("measures all nine characteristics with the pipeline's PSI and KS, and each planted shift in its own row", async () => {
    await valueBatch(plain, stones);
    for (const f of NINE) await valueBatch(shiftedKeys.get(f)!, stones.map(SHIFTS[f]));

    const res = await get('/v1/monitoring', admin);
    expect(res.statusCode).toBe(200);
    const { traffic } = res.json() as {
      traffic: {
        driftReference: string;
        overall: Summary;
        partners: (Summary & { name: string })[];
        series: { valued: number }[];
      };
    };
    expect(traffic.driftReference).toBe('distribution');
    expect(traffic.overall.valued).toBe(10 * stones.length);
    expect(traffic.series.reduce((n, s) => n + s.valued, 0)).toBe(10 * stones.length);
    const of = (name: string) => traffic.partners.find((p) => p.name === name)!;

    // The plain partner: the pipeline's drift step on the same stones, every characteristic stable.
    const a = of('plain partner');
    expect(a.valued).toBe(stones.length);
    expect(a.drift.map((d) => d.feature)).toEqual(NINE);
    const pipeline = featureDrift(split.train, split.test.slice(0, 1000));
    for (const d of a.drift) {
      const p = pipeline.find((x) => x.feature === d.feature)!;
      expect(d.stones).toBe(stones.length);
      expect(d.psi, d.feature).toBeCloseTo(p.psi, 10);
      expect(d.psi, d.feature).toBeLessThan(0.1);
      if (!NUMBERS.includes(d.feature)) {
        expect(d.ks).toBeNull();
        continue;
      }
      // KS on the grid of 100 training quantiles: never above the exact statistic, at most 0.01 below it
      expect(d.ks!.maxError).toBe(0.01);
      expect(d.ks!.statistic!).toBeLessThanOrEqual(p.ks!.statistic + 1e-12);
      expect(d.ks!.statistic!).toBeGreaterThanOrEqual(p.ks!.statistic - 0.01);
      expect(d.ks!.pValue!, d.feature).toBeGreaterThan(0.01);
    }
    // Support shares are shares: they add up to one.
    expect(Object.values(a.support).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);

    // Each moved partner: its characteristic past the large-shift line, the other eight as the plain partner's.
    for (const f of NINE) {
      const b = of(`${f} moved`);
      expect(b.valued).toBe(stones.length);
      expect(driftOf(b, f).psi, f).toBeGreaterThan(0.25);
      if (NUMBERS.includes(f)) expect(driftOf(b, f).ks!.pValue!, f).toBeLessThan(0.01);
      for (const g of NINE.filter((g) => g !== f)) {
        expect(driftOf(b, g).psi, `${f} moved: ${g}`).toBeCloseTo(driftOf(a, g).psi!, 12);
        expect(driftOf(b, g).ks?.statistic, `${f} moved: ${g}`).toBe(driftOf(a, g).ks?.statistic);
      }
    }
  }, 120_000);

  it('exports the overall drift (PSI of all nine, KS of the six numbers) and support shares with fixed labels', async () => {
    const text = (await get('/metrics', admin)).body;
    const lines = text.split('\n').filter((l) => l.startsWith('loupe_traffic_'));
    const labels = (name: string) => lines.filter((l) => l.startsWith(`${name}{`)).map((l) => l.split('"')[1]);
    expect(labels('loupe_traffic_drift_psi')).toEqual(NINE);
    expect(labels('loupe_traffic_drift_ks')).toEqual(NUMBERS);
    expect(lines).toContain(`loupe_traffic_window_valuations ${10 * stones.length}`);
    expect(lines.filter((l) => l.startsWith('loupe_traffic_support_ratio{'))).toHaveLength(3);
  });
});

describe('the traffic window', () => {
  const record = (traffic: TrafficDrift, model: ReturnType<typeof createValuer>, key: number, batch: Stone[]) =>
    traffic.record(
      model,
      { id: key, name: `key ${key}` },
      batch,
      batch.map((s) => model.value(s, { explain: false })),
      0.001,
    );

  it('falls back to carat, colour and clarity (PSI) for a model file written before the training distribution', () => {
    const { distribution: _d, ...trainingData } = artifact.trainingData;
    const older = createValuer({ ...artifact, trainingData }, 'v-old');
    const traffic = new TrafficDrift();
    record(traffic, older, 1, stones);
    const report = traffic.report();
    expect(report.driftReference).toBe('support');
    expect(report.overall.drift.map((d) => [d.feature, d.ks])).toEqual([
      ['carat', null],
      ['color', null],
      ['clarity', null],
    ]);
    for (const d of report.overall.drift) expect(d.psi, d.feature).toBeLessThan(0.1);
  });

  it('counts a 4Cs-only stone for the 4Cs alone, forgets slots older than the window, pools keys past the bound', () => {
    let now = 0;
    const traffic = new TrafficDrift({ slotSeconds: 60, slots: 3, maxPartners: 2, now: () => now });
    const model = createValuer(artifact, 'v1');
    const fourCs = stones.slice(0, 10).map(({ carat, cut, color, clarity }) => ({ carat, cut, color, clarity }));
    record(traffic, model, 1, stones.slice(0, 50));
    traffic.record(
      model,
      { id: 1, name: 'key 1' },
      fourCs,
      fourCs.map((s) => model.value(s, { explain: false })),
      0,
    );
    const stonesOf = (feature: string) => traffic.overallSummary().drift.find((d) => d.feature === feature)!.stones;
    expect([stonesOf('carat'), stonesOf('cut'), stonesOf('depth'), stonesOf('z')]).toEqual([60, 60, 50, 50]);
    now = 60_000;
    record(traffic, model, 2, stones.slice(0, 5));
    record(traffic, model, 3, stones.slice(0, 7));
    record(traffic, model, 4, stones.slice(0, 1));
    expect(traffic.report().partners.map((p) => [p.name, p.valued])).toEqual([
      ['key 1', 60],
      ['key 2', 5],
      ['other keys', 8],
    ]);
    now = 3 * 60_000; // the first slot has left the window of three
    expect(traffic.overallSummary().valued).toBe(13);
    expect(traffic.report().series.map((s) => s.valued)).toEqual([13, 0, 0]);
  });
});
