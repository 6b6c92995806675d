/**
 * The Monitoring screen in Chromium, on a real server and real data: empty at first (no stone valued, no run that
 * measured the champion) with a message saying so; then, after two fresh monthly batches went through the
 * pipeline with the performance trigger and partners valued held-out reference stones, every chart drawn from
 * GET /v1/monitoring. Both states pass axe-core (WCAG 2.1 A/AA) and the overflow check at five widths. On a keyed
 * server a valuations key sees no Monitoring link, and the screen says it needs an admin key (403); an admin key
 * sees the link and the screen.
 * UPDATE_SCREENSHOTS=1 saves docs/screenshots/monitoring.png.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebIfStale } from '../../scripts/build-web.js';
import { loupePaths } from '../../src/config/index.js';
import { runPipeline } from '../../src/pipeline/index.js';
import { openDatabase } from '../../src/store/db.js';
import { referenceSplit } from '../helpers/reference.js';
import { FRESH, REFERENCE } from '../pipeline/helpers.js';
import { overflowsAtWidths, violations } from './a11y.js';
import { SCREENSHOTS, homeWithFirstModel, launchBrowser, loupe, startServer, type RunningServer } from './harness.js';

let home: string;
let server: RunningServer;
let browser: { context: BrowserContext; close: () => Promise<void> };

/** A fresh batch lands and a pipeline run with the performance trigger measures the champion on it. */
async function measureOn(month: string): Promise<string> {
  const paths = loupePaths({}, { home, data: REFERENCE });
  const incoming = join(home, 'incoming');
  mkdirSync(incoming, { recursive: true });
  copyFileSync(FRESH(month), join(incoming, `${month}.csv`));
  const db = openDatabase(paths.database);
  try {
    const r = await runPipeline(db, paths, {
      incoming,
      config: { kinds: ['hedonic'], tuneTrials: 3, trigger: 'performance' },
    });
    return r.status;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  home = await homeWithFirstModel('loupe-e2e-monitoring-');
  await buildWebIfStale();
  server = await startServer({ timeoutMs: 120_000, home });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function open(url: string, hash: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${url}/${hash}`);
  await page.locator('h1').waitFor();
  return page;
}

describe('the Monitoring screen', () => {
  it('says so when nothing was valued and no run measured the champion yet', async () => {
    const page = await open(server.url, '#/monitoring');
    await page.getByTestId('traffic-empty').waitFor();
    await page.getByTestId('accuracy-empty').waitFor();
    expect(await page.getByTestId('traffic-empty').textContent()).toMatch(/No stone was valued on this server/);
    // An open server on loopback lets anyone read it: the link is in the navigation.
    await page.getByRole('link', { name: 'Monitoring' }).waitFor();
    const found = [...(await violations(page)), ...(await overflowsAtWidths(page))];
    await page.close();
    expect(found).toEqual([]);
  }, 60_000);

  it('charts the traffic, the drift and the live accuracy against the accuracy at promotion', async () => {
    expect(await measureOn('2026-09')).toBe('nothing_to_do');
    expect(await measureOn('2026-10')).toBe('nothing_to_do');
    const stones = (await referenceSplit()).test.slice(0, 300).map(({ price: _price, ...stone }) => stone);
    for (let i = 0; i < stones.length; i += 100) {
      const res = await fetch(`${server.url}/v1/valuations/batch?explain=false`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ stones: stones.slice(i, i + 100) }),
      });
      expect(res.status).toBe(200);
    }
    const page = await open(server.url, '#/monitoring');
    await page.getByTestId('traffic-summary').waitFor();
    expect(await page.getByTestId('traffic-summary').textContent()).toMatch(/^300 stones valued in the last 24 hours/);
    for (const chart of ['chart-valued', 'chart-latency', 'chart-drift', 'chart-ks', 'chart-support', 'chart-partners'])
      await page.getByTestId(chart).waitFor();
    // Held-out stones of the same market: all nine characteristics under the 0.1 line, said in the chart's
    // description; the KS statistic of the six numbers beside it, none significant.
    const drift = await page.locator('#chart-drift-desc').textContent();
    const psis = [...drift!.matchAll(/: (\d\.\d{3})/g)].map((m) => Number(m[1]));
    expect(psis).toHaveLength(9);
    for (const psi of psis) expect(psi).toBeLessThan(0.1);
    const ks = await page.locator('#chart-ks-desc').textContent();
    expect([...ks!.matchAll(/: (\d\.\d{3})/g)]).toHaveLength(6);
    expect(await page.getByTestId('ks-significant').textContent()).toMatch(/p under 0\.01\): none\./);
    expect(await page.locator('[data-testid="partners-table"] thead th').count()).toBe(4 + 9);
    expect(await page.locator('[data-testid="chart-drift"] .mon-chart__guide').count()).toBe(2);
    // Two runs measured the champion: a point each, beside the MAPE at promotion.
    expect(await page.locator('[data-testid="chart-mape"] circle').count()).toBe(2);
    expect(await page.getByTestId('accuracy-latest').textContent()).toMatch(/champion v0001 on 3,9\d\d new appraisals/);
    expect(await page.locator('[data-testid="accuracy-segments"] tbody tr').count()).toBeGreaterThan(15);
    const found = [...(await violations(page)), ...(await overflowsAtWidths(page))];
    if (SCREENSHOTS) {
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(SCREENSHOTS, 'monitoring.png'), fullPage: true });
    }
    await page.close();
    expect(found).toEqual([]);
  }, 180_000);

  it('shows no link to a valuations key and says an admin key is needed (403); an admin key gets both', async () => {
    const keyed = await startServer({ timeoutMs: 120_000, open: false, home });
    try {
      const { key } = JSON.parse(
        await loupe(['keys', 'create', '--name', 'partner', '--scope', 'valuations', '--json', '--home', home]),
      ) as { key: string };
      const page = await browser.context.newPage();
      await page.goto(keyed.url);
      await page.evaluate((k) => localStorage.setItem('loupe.apiKey', k), key);
      await page.goto(`${keyed.url}/#/models`);
      await page.reload(); // the app starts with the key saved
      await page.getByTestId('current-version').waitFor();
      expect(await page.getByRole('link', { name: 'Monitoring' }).count()).toBe(0);
      await page.goto(`${keyed.url}/#/monitoring`);
      await page.getByTestId('monitoring-refused').waitFor();
      expect(await page.getByTestId('monitoring-refused').textContent()).toMatch(/needs an admin key/);
      const found = await violations(page);
      // An admin key: the link is there, and the screen shows what the open server showed.
      const admin = JSON.parse(
        await loupe(['keys', 'create', '--name', 'ops', '--scope', 'admin', '--json', '--home', home]),
      ) as { key: string };
      await page.evaluate((k) => localStorage.setItem('loupe.apiKey', k), admin.key);
      await page.goto(`${keyed.url}/#/models`);
      await page.reload();
      await page.getByRole('link', { name: 'Monitoring' }).click();
      await page.getByTestId('accuracy-latest').waitFor();
      await page.evaluate(() => localStorage.clear());
      await page.close();
      expect(found).toEqual([]);
    } finally {
      await keyed.stop();
    }
  }, 180_000);
});
