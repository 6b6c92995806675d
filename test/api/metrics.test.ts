import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, ModelSource, registryChampions } from '../../src/api/index.js';
import { sqliteStore } from '../../src/store/sqlite-store.js';
import { metricsAccess } from '../../src/api/settings.js';
import { LOUPE_VERSION } from '../../src/model/index.js';
import { createKey } from '../../src/store/keys.js';
import { listFiles } from '../../src/store/files.js';
import { finishRun, startRun } from '../../src/store/runs.js';
import { expectProblem, STONE, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

let home: TestHome;
let keyed: TestApp;
let open: TestApp;
let partner: string;
let admin: string;

beforeAll(async () => {
  home = await testHome();
  partner = createKey(home.db, { name: 'ACME', scopes: ['valuations'] }).secret;
  admin = createKey(home.db, { name: 'ops', scopes: ['admin'] }).secret;
  keyed = await testApp(home, { open: false });
  open = await testApp(home, { open: true });
}, 120_000);

afterAll(async () => {
  await keyed?.app.close();
  await open?.app.close();
  home?.cleanup();
});

const scrape = async (t: TestApp, auth?: string) =>
  t.app.inject({ method: 'GET', url: '/metrics', headers: auth ? { authorization: `Bearer ${auth}` } : {} });
/** The series (sample lines) of one metric family in a scrape. */
const series = (text: string, name: string) =>
  text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('GET /metrics', () => {
  it('needs an admin key on a keyed server: a valuations key gets 403, no key 401', async () => {
    expectProblem(await scrape(keyed, partner), 403);
    expectProblem(await scrape(keyed), 401);
    const res = await scrape(keyed, admin);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('is keyless on an open (loopback) server', async () => {
    expect((await scrape(open)).statusCode).toBe(200);
  });

  it('counts a stone beyond the carat limit as refused, alone (422) as in a batch', async () => {
    const small = await testApp(home, { open: true, requestLog: false, maxCarat: 0.5 });
    try {
      const version = small.models.current!.version;
      const refused = async () => {
        const line = series((await scrape(small)).body, 'loupe_valuations_total').find((l) =>
          l.includes(`model_version="${version}",outcome="refused"`),
        );
        return Number(line?.split(' ').at(-1) ?? 0);
      };
      const before = await refused();
      const single = await small.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE });
      expect(expectProblem(single, 422).type).toBe('/problems/beyond-limit');
      expect(await refused()).toBe(before + 1);
      const batch = await small.app.inject({
        method: 'POST',
        url: '/v1/valuations/batch',
        payload: { stones: [STONE] },
      });
      expect(batch.json().failed).toBe(1);
      expect(await refused()).toBe(before + 2);
    } finally {
      await small.app.close();
    }
  });

  it('counts valuations by model version and outcome, and requests by route pattern and status', async () => {
    const version = open.models.current!.version;
    for (let i = 0; i < 3; i++)
      expect((await open.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE })).statusCode).toBe(200);
    expect(
      (await open.app.inject({ method: 'POST', url: '/v1/valuations', payload: { ...STONE, carat: -1 } })).statusCode,
    ).toBe(400);
    const batch = await open.app.inject({
      method: 'POST',
      url: '/v1/valuations/batch',
      payload: { stones: [STONE, { ...STONE, carat: 'big' }, STONE] },
    });
    expect(batch.statusCode).toBe(200);
    await open.app.inject({ method: 'GET', url: '/v1/models/v9999' });
    const text = (await scrape(open)).body;
    expect(text).toContain(`loupe_valuations_total{model_version="${version}",outcome="valued"} 5`);
    expect(text).toContain(`loupe_valuations_total{model_version="${version}",outcome="refused"} 2`);
    expect(text).toContain('loupe_http_requests_total{route="/v1/valuations",method="POST",status="200"} 3');
    expect(text).toContain('loupe_http_requests_total{route="/v1/models/:version",method="GET",status="404"} 1');
    expect(text).toMatch(/loupe_valuation_duration_seconds_count\{kind="single"\} 3\n/);
    expect(text).toMatch(/loupe_valuation_duration_seconds_count\{kind="batch"\} 1\n/);
    expect(text).toContain(`loupe_champion_info{version="${version}",kind="hedonic",trained_by="${LOUPE_VERSION}"} 1`);
    expect(text).toContain(`loupe_build_info{version="${LOUPE_VERSION}",nodejs_version="${process.versions.node}"} 1`);
    expect(series(text, 'loupe_champion_mae_dollars')[0]).toMatch(/^loupe_champion_mae_dollars \d+(\.\d+)?$/);
    expect(series(text, 'loupe_champion_mape_ratio')[0]).toMatch(/^loupe_champion_mape_ratio 0\.\d+/);
    expect(series(text, 'loupe_champion_age_seconds')).toHaveLength(1);
    expect(series(text, 'loupe_request_log_pending')).toHaveLength(1);
    expect(series(text, 'loupe_request_log_dropped_total')).toEqual(['loupe_request_log_dropped_total 0']);
    expect(text).toContain('process_cpu_seconds_total');
    // No stone value and no key reaches a label.
    expect(text).not.toContain(partner);
    expect(text).not.toContain('big');
  });

  it('counts the warnings given, by model version and code', async () => {
    const version = open.models.current!.version;
    const missing = `loupe_valuation_warnings_total{model_version="${version}",code="measurements_missing"}`;
    const count = (text: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(missing))
          ?.split(' ')[1] ?? 0,
      );
    const before = count((await scrape(open)).body);
    const { depth, table, x, y, z, ...fourCs } = STONE;
    expect((await open.app.inject({ method: 'POST', url: '/v1/valuations', payload: fourCs })).statusCode).toBe(200);
    const batch = await open.app.inject({
      method: 'POST',
      url: '/v1/valuations/batch',
      payload: { stones: [fourCs, STONE, fourCs] },
    });
    expect(batch.statusCode).toBe(200);
    const text = (await scrape(open)).body;
    expect(count(text) - before).toBe(3);
    // Every code of the list has its series once the version gave a warning (zero until one is given).
    expect(series(text, 'loupe_valuation_warnings_total').length).toBeGreaterThanOrEqual(4);
  });

  it('reads ingestion and pipeline runs from the database at each scrape', async () => {
    const files = listFiles(home.db);
    const accepted = files.reduce((n, f) => n + f.accepted, 0);
    const rejected = files.reduce((n, f) => n + f.rejected, 0);
    const runs = (text: string, outcome: string) =>
      Number(
        series(text, 'loupe_pipeline_runs_total')
          .find((l) => l.includes(`"${outcome}"`))
          ?.split(' ')[1],
      );
    const before = (await scrape(open)).body;
    expect(series(before, 'loupe_ingestion_accepted_rows_total')).toEqual([
      `loupe_ingestion_accepted_rows_total ${accepted}`,
    ]);
    const byReason = series(before, 'loupe_ingestion_rejected_rows_total');
    expect(byReason.reduce((n, l) => n + Number(l.split(' ')[1]), 0)).toBe(rejected);
    expect(byReason.some((l) => l.startsWith('loupe_ingestion_rejected_rows_total{reason="out_of_range"} '))).toBe(
      true,
    );

    finishRun(home.db, startRun(home.db), 'succeeded', { decision: 'kept the champion' });
    finishRun(home.db, startRun(home.db), 'failed', { error: 'planted' });
    const after = (await scrape(open)).body;
    expect(runs(after, 'succeeded') - runs(before, 'succeeded')).toBe(1);
    expect(runs(after, 'failed') - runs(before, 'failed')).toBe(1);
    expect(after).toMatch(/loupe_pipeline_run_duration_seconds_count\{outcome="failed"\} [1-9]/);
    expect(after).toMatch(/loupe_pipeline_run_duration_seconds_bucket\{le="\+Inf",outcome="succeeded"\} [1-9]/);
    const last = series(after, 'loupe_pipeline_last_run_timestamp_seconds').find((l) => l.includes('"failed"'));
    expect(Math.abs(Number(last?.split(' ')[1]) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('keeps label sets bounded: 10,000 different bogus paths are one series', async () => {
    const before = series((await scrape(open)).body, 'loupe_http_requests_total').length;
    for (let i = 0; i < 10_000; i++) {
      await open.app.inject({ method: 'GET', url: `/bogus/${i}/${'x'.repeat(i % 50)}?q=${i}` });
    }
    const text = (await scrape(open)).body;
    const after = series(text, 'loupe_http_requests_total');
    expect(after.length - before).toBeLessThanOrEqual(1);
    expect(text).toMatch(/loupe_http_requests_total\{route="unmatched",method="GET",status="404"\} \d{5}/);
    expect(text).not.toContain('/bogus/');
  }, 120_000);

  it('passes promtool check metrics', async () => {
    await open.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE });
    const check = spawnSync('promtool', ['check', 'metrics'], { input: (await scrape(open)).body, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });

  it('is absent with LOUPE_METRICS=off (and so is /v1/monitoring), and LOUPE_METRICS is checked', async () => {
    const models = new ModelSource(registryChampions(sqliteStore(home.db)));
    await models.refresh();
    const app = await buildApp({ store: sqliteStore(home.db), models, open: true, requestLog: null, metrics: 'off' });
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/v1/monitoring' })).statusCode).toBe(404);
    } finally {
      await app.close();
      models.stop();
    }
    expect(metricsAccess(undefined)).toBe('admin');
    expect(metricsAccess(' Open ')).toBe('open');
    expect(() => metricsAccess('public')).toThrow(/admin, open, off/);
  });
});
