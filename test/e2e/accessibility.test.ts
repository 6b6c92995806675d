/**
 * Accessibility, measured (issue 16, fix 8): axe-core, injected into the built app in Chromium, checks every screen
 * in the states a person sees (empty, with results, with errors) against the WCAG 2.1 A and AA rules; the test fails
 * on any violation, and names the rule, its impact and the elements. In the same states, every screen is laid out at
 * five widths from a phone's to a large screen's, and no element may run past its container (fix 2).
 */
import { createRequire } from 'node:module';
import { readFileSync, rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebIfStale } from '../../scripts/build-web.js';
import { money, signedMoney } from '../../web/src/format.js';
import { homeWithFirstModel, launchBrowser, startServer, type RunningServer } from './harness.js';

// Evaluated through the DevTools protocol, which the page's Content-Security-Policy (script-src 'self') does not
// govern; a <script> tag it would block, as it should.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

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

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** The WCAG 2.1 A/AA violations axe finds on the page as it stands, one line each. */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async (tags) => {
    const axe = (
      window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: Violation[] }> } }
    ).axe;
    return (await axe.run(document, { runOnly: { type: 'tag', values: tags } })).violations;
  }, RULES);
  return found.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} node(s): ${v.nodes
        .slice(0, 5)
        .map((n) => `${JSON.stringify(n.target)} ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
        .join(' | ')}`,
  );
}

/** The widths every screen is laid out at without an element running past its container (issue 16, fix 2). */
const WIDTHS = [360, 768, 1280, 1440, 1920];

/**
 * Elements whose box runs past the inner edge of the block that contains them (by more than half a pixel), at the
 * page's current width: what a reader sees as a table or a text crossing a card's border. A container that scrolls
 * or clips (overflow other than visible) is allowed to hold wider content: that is what it is for.
 */
async function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const name = (e: Element) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${Array.from(e.classList, (c) => `.${c}`).join('')}`;
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const parent = el.parentElement;
      if (!parent || (el.closest('svg') !== el && el.closest('svg'))) continue;
      const style = getComputedStyle(el);
      const parentStyle = getComputedStyle(parent);
      if (style.position === 'absolute' || style.position === 'fixed' || style.display === 'none') continue;
      if (parentStyle.display.startsWith('inline') || parentStyle.display === 'contents') continue;
      if (parentStyle.overflowX !== 'visible') continue;
      if (parentStyle.display.startsWith('table-') || parentStyle.display === 'table') continue; // cells, rows
      // inside a visually hidden block (clipped to 1 px, for screen readers): not laid out for the eye
      let hidden = false;
      for (let a: Element | null = parent; a && !hidden; a = a.parentElement) {
        const st = getComputedStyle(a);
        hidden = st.clip !== 'auto' || (st.position === 'absolute' && st.overflow === 'hidden');
      }
      if (hidden) continue;
      const box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) continue; // visually hidden
      const outer = parent.getBoundingClientRect();
      const right = outer.left + parent.clientLeft + parent.clientWidth;
      const left = outer.left + parent.clientLeft;
      const past = Math.max(box.right - right, left - box.left);
      if (past > 0.5) out.push(`${name(el)} runs ${past.toFixed(1)} px past ${name(parent)}`);
    }
    return out;
  });
}

/** The overflows at each of WIDTHS, each line prefixed with its width; the page is left at 1440 px. */
async function overflowsAtWidths(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    found.push(...(await overflows(page)).map((o) => `${width} px: ${o}`));
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  return found;
}

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
    found.push(...(await overflowsAtWidths(page)));
    await page.close();
    expect(found).toEqual([]);
  }, 90_000);

  it('Batch: before a file, and a file with its own prices, a priced row and a row in error', async () => {
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
    expect(await page.getByTestId('batch-sum').textContent()).toBe(money(price));
    found.push(...(await overflowsAtWidths(page)));
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
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await page.getByTestId('record-rejected').waitFor();
    found.push(...(await violations(page)));
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
