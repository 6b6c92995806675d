/**
 * The Models screen after a manual promotion (issue 16, fix 3): the pipeline made v0001 champion; a person trained
 * v0002 with `loupe train` and promoted it by hand with a reason. The screen must say what happened, who promoted it
 * and why, label every figure with the rows it was measured on (cross-validation is never "held out"), and not
 * claim that a new model serves only when it does better.
 */
import { rmSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebIfStale } from '../../scripts/build-web.js';
import { homeWithFirstModel, launchBrowser, loupe, startServer, type RunningServer } from './harness.js';

const REASON = 'v0001 misprices fancy colours';

let home: string;
let server: RunningServer;
let browser: { context: BrowserContext; close: () => Promise<void> };
let trained: { version: string; rows: number; evaluationRowsLeftOut: number };

beforeAll(async () => {
  home = await homeWithFirstModel('loupe-e2e-manual-');
  // Built once per run by test/global-setup.ts; here only if the sources changed since (a watch run).
  await buildWebIfStale();
  trained = JSON.parse(await loupe(['train', '--kind', 'hedonic', '--home', home, '--json'])) as typeof trained;
  await loupe(['models', 'promote', trained.version, '--reason', REASON, '--home', home]);
  server = await startServer({ timeoutMs: 120_000, home });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('Models screen after a manual promotion', () => {
  it('loupe train left the frozen evaluation rows out, as the pipeline does', () => {
    expect(trained.version).toBe('v0002');
    expect(trained.evaluationRowsLeftOut).toBe(997);
    expect(trained.rows).toBe(4984 - 997);
  });

  it('says it was promoted by hand and why, labels every figure with its rows, and claims no rule it broke', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server.url}/#/models`);
    await expect.poll(() => page.getByTestId('current-version').textContent()).toBe('v0002');

    const promotion = await page.getByTestId('promotion').textContent();
    expect(promotion).toContain('Promoted by hand (loupe models promote)');
    expect(promotion).toContain(REASON);
    expect(await page.getByTestId('trained-by').textContent()).toBe('loupe train, registered by hand');
    expect(await page.getByTestId('model-caveats').textContent()).toMatch(/never evaluated it against a champion/);

    // Its only figures are its own cross-validation: labelled so, and never called held out.
    expect(await page.getByTestId('headline-rows').textContent()).toBe(
      'cross-validation inside the 3,987 training rows, not held out',
    );
    const rowNames = await page.getByTestId('accuracy-table').locator('tbody th').allTextContents();
    expect(rowNames).toEqual(['Cross-validation inside the 3,987 training rows, not held out']);
    expect(await page.getByTestId('accuracy-table').locator('caption').textContent()).not.toMatch(/did not learn/);

    const text = (await page.locator('main, body').first().textContent()) ?? '';
    expect(text).not.toMatch(/not promoted/i);
    expect(text).not.toMatch(/serves only when it does better/);
    expect(await page.getByTestId('history-intro').textContent()).toMatch(/promote a model by hand/);

    // The history says the same of v0002, and v0001 keeps the pipeline's decision and its held-out figures.
    const rows = page.getByTestId('history-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/v0002[\s\S]*Then: Promoted by hand[\s\S]*misprices fancy colours/);
    expect(await rows.nth(0).textContent()).toMatch(/cross-validation/);
    expect(await rows.nth(1).textContent()).toMatch(/v0001[\s\S]*promoted: no champion yet/i);
    await page.close();
    expect(errors).toEqual([]);
  }, 120_000);
});
