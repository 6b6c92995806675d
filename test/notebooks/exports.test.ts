/**
 * The notebooks' HTML exports in reports/ must read anywhere: opened in Chromium with the network off, a page asks
 * for nothing but itself (no script or style from the exporting machine's file system or the web) and no request
 * fails. The no-code version holds the findings and no code. Both hold every finding of the committed notebook they
 * were exported from, and the model notebook's say that the full configuration ran (src/report/notebook-config.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSentence, NOTEBOOK_CONFIGS } from '../../src/report/notebook-config.js';
import { launchBrowser, ROOT } from '../e2e/harness.js';

const reports = join(ROOT, 'reports');
const exports = existsSync(reports) ? readdirSync(reports).filter((f) => f.endsWith('.html')) : [];

/** The findings ("**Finding.** …") among the outputs of the committed notebook an export was made from. */
function committedFindings(exportName: string): number {
  const notebook = join(ROOT, 'notebooks', `${exportName.replace(/(\.no-code)?\.html$/, '')}.ipynb`);
  const { cells } = JSON.parse(readFileSync(notebook, 'utf8')) as {
    cells: { outputs?: { data?: Record<string, string | string[]> }[] }[];
  };
  const markdown = cells.flatMap((c) =>
    (c.outputs ?? []).map((o) => [o.data?.['text/markdown'] ?? ''].flat().join('')),
  );
  return markdown.join('\n').split('**Finding.**').length - 1;
}
/** The model notebook's first output names its configuration; the exports are the full one's (up to its markdown). */
const fullRun = configSentence(NOTEBOOK_CONFIGS.full).split(', as ')[0];

describe('notebook exports', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    browser = await launchBrowser();
    await browser.context.setOffline(true);
  }, 60_000);
  afterAll(async () => browser?.close());

  it('has both notebooks with and without code', () => {
    expect(exports.sort()).toEqual(
      expect.arrayContaining(['01-data.html', '01-data.no-code.html', '02-model.html', '02-model.no-code.html']),
    );
  });

  for (const name of exports) {
    it(`${name} loads offline, asking for nothing but itself`, async () => {
      const page = await browser.context.newPage();
      const url = pathToFileURL(join(reports, name)).href;
      const requested: string[] = [];
      const failed: string[] = [];
      page.on('request', (r) => {
        if (r.url() !== url && !r.url().startsWith('data:')) requested.push(r.url());
      });
      page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
      await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
      expect(requested).toEqual([]);
      expect(failed).toEqual([]);
      // The findings are there, with the dollar amounts as text (no MathJax to turn "$297 … $312" into maths).
      const findings = committedFindings(name);
      expect(findings).toBeGreaterThan(0);
      expect(await page.locator('strong', { hasText: 'Finding.' }).count()).toBe(findings);
      if (name.startsWith('02-model.')) expect(await page.locator('body').textContent()).toContain(fullRun);
      expect(await page.locator('.MathJax, mjx-container').count()).toBe(0);
      const code = await page.locator('.jp-CodeCell .jp-InputArea').count();
      if (name.includes('.no-code.')) expect(code).toBe(0);
      else expect(code).toBeGreaterThan(0);
      await page.close();
    }, 90_000);
  }
});
