/**
 * Live traffic drift with the reference data: two partners value the same held-out stones, one of them with every
 * colour moved two grades down. Only that partner's colour drift rises; carat and clarity read the same for both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLORS, type Appraisal } from '../../src/diamond/index.js';
import { createKey } from '../../src/store/keys.js';
import { referenceSplit } from '../helpers/reference.js';
import { expectProblem, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

let home: TestHome;
let t: TestApp;
let plain: string;
let shifted: string;
let admin: string;
let stones: Omit<Appraisal, 'price'>[];

const stoneOf = ({ price: _price, ...stone }: Appraisal) => stone;

beforeAll(async () => {
  home = await testHome();
  plain = createKey(home.db, { name: 'plain partner', scopes: ['valuations'] }).secret;
  shifted = createKey(home.db, { name: 'shifted partner', scopes: ['valuations'] }).secret;
  admin = createKey(home.db, { name: 'ops', scopes: ['admin'] }).secret;
  t = await testApp(home, { open: false, quotes: false, requestLog: false });
  stones = (await referenceSplit()).test.slice(0, 1000).map(stoneOf);
}, 120_000);

afterAll(async () => {
  await t?.app.close();
  home?.cleanup();
});

const get = (url: string, key?: string) =>
  t.app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });
const valueBatch = async (key: string, batch: object[]) => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/valuations/batch',
    headers: { authorization: `Bearer ${key}` },
    payload: { stones: batch },
  });
  expect(res.statusCode).toBe(200);
};

interface Summary {
  valued: number;
  support: Record<string, number>;
  drift: { feature: string; psi: number | null }[];
}
const psiOf = (s: Summary, feature: string) => s.drift.find((d) => d.feature === feature)?.psi;

describe('GET /v1/monitoring: live traffic drift', () => {
  it('refuses a valuations key (403) and no key (401)', async () => {
    expectProblem(await get('/v1/monitoring', plain), 403);
    expectProblem(await get('/v1/monitoring'), 401);
  });

  it('sees a colour shift in the partner that sent it, on colour only', async () => {
    await valueBatch(plain, stones);
    const darker = stones.map((s) => ({ ...s, color: COLORS[Math.max(0, COLORS.indexOf(s.color) - 2)] }));
    await valueBatch(shifted, darker);

    const res = await get('/v1/monitoring', admin);
    expect(res.statusCode).toBe(200);
    const { traffic } = res.json() as {
      traffic: { overall: Summary; partners: (Summary & { name: string })[]; series: { valued: number }[] };
    };
    const of = (name: string) => traffic.partners.find((p) => p.name === name)!;
    const [a, b] = [of('plain partner'), of('shifted partner')];
    expect(a.valued).toBe(stones.length);
    expect(b.valued).toBe(stones.length);
    expect(traffic.overall.valued).toBe(2 * stones.length);
    expect(traffic.series.reduce((n, s) => n + s.valued, 0)).toBe(2 * stones.length);

    // Held-out stones come from the training population: every characteristic stable.
    for (const d of a.drift) expect(d.psi, d.feature).toBeLessThan(0.1);
    // The shifted batch: colour moves past the large-shift line; carat and clarity are those of the plain batch.
    expect(psiOf(b, 'color')).toBeGreaterThan(0.25);
    expect(psiOf(b, 'carat')).toBeCloseTo(psiOf(a, 'carat')!, 12);
    expect(psiOf(b, 'clarity')).toBeCloseTo(psiOf(a, 'clarity')!, 12);
    // Support shares are shares: they add up to one.
    const shares = Object.values(a.support).reduce((s, x) => s + x, 0);
    expect(shares).toBeCloseTo(1, 12);
  });

  it('exports the overall drift and support shares as metrics with fixed labels', async () => {
    const text = (await get('/metrics', admin)).body;
    const lines = text.split('\n').filter((l) => l.startsWith('loupe_traffic_'));
    expect(lines.filter((l) => l.startsWith('loupe_traffic_drift_psi{')).map((l) => l.split('"')[1])).toEqual([
      'carat',
      'color',
      'clarity',
    ]);
    expect(lines).toContain(`loupe_traffic_window_valuations ${2 * stones.length}`);
    expect(lines.filter((l) => l.startsWith('loupe_traffic_support_ratio{'))).toHaveLength(3);
  });
});
