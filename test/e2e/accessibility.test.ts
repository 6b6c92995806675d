/**
 * Accessibility, measured (issue 16, fix 8): axe-core, injected into the built app in Chromium, checks every screen
 * in the states a person sees (empty, with results, with errors) against the WCAG 2.1 A and AA rules; the test fails
 * on any violation, and names the rule, its impact and the elements; states with tables that scroll sideways on a
 * phone are checked again at 320 px. In the same states, every screen is laid out at six widths from a small phone's
 * to a large screen's, and no element may run past its container (fix 2), nor the page past the window.
 */
import { rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebIfStale } from '../../scripts/build-web.js';
import { money, signedMoney } from '../../web/src/format.js';
import { overflowsAtWidths, violations, violationsWhenNarrow } from './a11y.js';
import { homeWithFirstModel, launchBrowser, startServer, type RunningServer } from './harness.js';

let home: string;
let server: RunningServer;
let browser: { context: BrowserContext; close: () => Promise<void> };

beforeAll(async () => {
  home = await homeWithFirstModel('loupe-e2e-axe-');
  // Built once per run by test/global-setup.ts; here only if the sources changed since (a watch run).
  await buildWebIfStale();
  server = await startServer({ timeoutMs: 120_000, home });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function open(hash: string, width = 1440): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.goto(`${server.url}/${hash}`);
  await page.locator('h1').waitFor();
  return page;
}

describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  it('Appraise: the empty form, a failed submit, a valuation with what-if and similar stones', async () => {
    const page = await open('#/appraise');
    const found: string[] = [];
    found.push(...(await violations(page)));
    await page.getByRole('button', { name: 'Appraise', exact: true }).click();
    await page.locator('.error-summary').waitFor();
    found.push(...(await violations(page)));
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await page.getByRole('button', { name: 'Appraise', exact: true }).click();
    await page.getByTestId('price').waitFor();
    await page.getByTestId('similar-table').waitFor();
    await page.getByRole('button', { name: /Clarity one grade up/ }).click();
    await page.getByTestId('what-if-price').waitFor();
    found.push(...(await violations(page)));
    found.push(...(await violationsWhenNarrow(page)));
    found.push(...(await overflowsAtWidths(page)));
    // The other list of similar stones has wider rows (the grades in one column).
    await page.getByRole('radio', { name: 'Closest overall' }).check();
    await page.getByTestId('similar-table').getByText('closest to this one over all characteristics').waitFor();
    found.push(...(await violationsWhenNarrow(page)));
    found.push(...(await overflowsAtWidths(page)));
    await page.close();
    expect(found).toEqual([]);
  }, 90_000);

  it('Batch: before a file, a file with its own prices, a priced row and a row in error, the server unreachable', async () => {
    const page = await open('#/batch');
    const found = await violations(page);
    const csv =
      'carat,cut,color,clarity,depth,table,x,y,z,price\n0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84,4400\n12,Ideal,D,IF,61.0,55,6.5,6.5,3.97,\n';
    await page
      .getByLabel('CSV file of stones')
      .setInputFiles({ name: 'stones.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Download results (CSV)' }).waitFor();
    found.push(...(await violations(page)));
    // The file's own price beside Loupe's, the difference, and the sum of Loupe's prices (fix 5).
    const answer = await fetch(`${server.url}/v1/valuations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        carat: 0.9,
        cut: 'Ideal',
        color: 'G',
        clarity: 'VS2',
        depth: 61.8,
        table: 57,
        x: 6.2,
        y: 6.24,
        z: 3.84,
      }),
    });
    const { price } = (await answer.json()) as { price: number };
    const first = page.locator('[data-testid="batch-table"] tbody tr').first();
    expect(await first.locator('.batch-table__own').textContent()).toBe(money(4400));
    expect(await first.locator('.batch-table__difference').textContent()).toBe(signedMoney(price - 4400));
    expect(await page.getByRole('columnheader', { name: 'Loupe − file' }).count()).toBe(1);
    expect(await page.getByTestId('batch-sum').textContent()).toBe(money(price));
    found.push(...(await overflowsAtWidths(page)));

    // The server unreachable: the valid row is not appraised, and can be sent again once it answers, alone.
    await page.route('**/v1/valuations/batch*', (route) => route.abort('connectionrefused'));
    await page
      .getByLabel('CSV file of stones')
      .setInputFiles({ name: 'stones.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const unanswered = page.getByTestId('batch-unanswered');
    expect(await unanswered.textContent()).toMatch(/^1 row was not appraised because the server did not answer/);
    found.push(...(await violations(page)));
    await page.unroute('**/v1/valuations/batch*');
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/valuations/batch')) sent.push(r.postData() ?? '');
    });
    await page.getByRole('button', { name: 'Try the failed rows again' }).click();
    await expect.poll(() => first.locator('.batch-table__difference').textContent()).toBe(signedMoney(price - 4400));
    expect(await unanswered.count()).toBe(0);
    expect(sent.map((body) => (JSON.parse(body) as { stones: unknown[] }).stones.length)).toEqual([1]);
    await page.close();
    expect(found).toEqual([]);
  }, 60_000);

  it('Appraisals: empty, then an upload with rejected rows, a rejected stone in the form and the recorded list', async () => {
    const page = await open('#/appraisals');
    await page.getByTestId('recorded-count').waitFor();
    const found = await violations(page);
    const csv =
      'carat,cut,color,clarity,depth,table,price,x,y,z\n0.52,Ideal,E,VS2,61.6,56,1890,5.17,5.2,3.19\n36,Ideal,G,VS2,61.8,57,950,4.6,4.63,2.85\n';
    await page
      .getByLabel('CSV file of appraisals')
      .setInputFiles({ name: 'week.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('upload-summary').waitFor();
    await page.getByTestId('reject').first().waitFor();
    // Record pressed on the empty form: the missing fields, named in the browser.
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await page.getByTestId('record-missing').waitFor();
    found.push(...(await violations(page)));
    // A row the server rejects (a carat in points), shown with its reasons in the form.
    const form = page.getByRole('form', { name: 'Record one stone' });
    const typed = {
      Carat: '71',
      Depth: '61.7',
      Table: '58',
      'Length (x)': '5.73',
      'Width (y)': '5.76',
      'Depth (z)': '3.54',
      Price: '3150',
    };
    for (const [label, value] of Object.entries(typed)) await form.getByLabel(label, { exact: true }).fill(value);
    for (const [label, grade] of [
      ['Cut', 'Premium'],
      ['Colour', 'F'],
      ['Clarity', 'VS1'],
    ])
      await form
        .getByRole('group', { name: new RegExp(`^${label}`) })
        .locator('label.grade__option', { hasText: new RegExp(`^${grade}$`) })
        .click();
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await page.getByTestId('record-rejected').waitFor();
    await expect.poll(() => page.getByTestId('recorded-table').locator('tbody tr').count()).toBeGreaterThan(0);
    found.push(...(await violations(page)));
    found.push(...(await violationsWhenNarrow(page)));
    found.push(...(await overflowsAtWidths(page)));
    await page.close();
    expect(found).toEqual([]);
  }, 60_000);

  it('Models: the current model, its figures, history and card', async () => {
    const page = await open('#/models');
    await page.getByTestId('current-version').waitFor();
    await page.getByTestId('history-table').waitFor();
    const found = await violations(page);
    found.push(...(await overflowsAtWidths(page)));
    await page.close();
    expect(found).toEqual([]);
  }, 60_000);
});
