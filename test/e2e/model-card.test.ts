/**
 * The model card as a reader sees it (issue 16, Fix 6): no horizontal scroll at 1280 px or on a phone, every table
 * with its headers, parameters and tuning trials in words (not JSON), p-values in plain notation, the app's look.
 * The card is the pipeline's own for a real first model, and the same record rendered with the gradient-boosting
 * engine's twelve parameters, whose trials once dumped their JSON into one wide column.
 */
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { gbdt } from '../../src/model/kinds/gbdt.js';
import { listModels, upgradeMetrics } from '../../src/registry/index.js';
import { paramText, plainPValue, renderModelCard } from '../../src/report/model-card.js';
import { openDatabase } from '../../src/store/db.js';
import { homeWithFirstModel, launchBrowser } from './harness.js';

/** The gradient-boosting kind's own defaults: the parameters the shipped model card shows. */
const GBDT = gbdt.defaultParams as unknown as Record<string, unknown>;

let home: string;
let cards: { name: string; html: string }[];
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

beforeAll(async () => {
  home = await homeWithFirstModel('loupe-e2e-card-');
  const db = openDatabase(loupePaths({}, { home }).database);
  const [record] = listModels(db);
  db.close();
  const metrics = upgradeMetrics(record.metrics, record.kind);
  const tuning = metrics.tuning && {
    ...metrics.tuning,
    trials: metrics.tuning.trials.map((t, i) => ({
      ...t,
      params: {
        ...GBDT,
        nEstimators: 300 + 100 * i,
        learningRate: i % 2 ? 0.05 : 0.03,
        subsample: 0.7 + 0.1 * (i % 2),
      },
    })),
  };
  cards = [
    { name: 'the pipeline card', html: renderModelCard({ ...record, metrics }).html },
    {
      name: 'a gbdt card',
      html: renderModelCard({ ...record, kind: 'gbdt', params: GBDT, metrics: { ...metrics, tuning } }).html,
    },
  ];
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the model card', () => {
  it('has no horizontal scroll at 1280, 768 and 360 px, and nothing runs past the page', async () => {
    for (const { name, html } of cards) {
      for (const width of [1280, 768, 360]) {
        await page.setViewportSize({ width, height: 900 });
        await page.setContent(html);
        const overflow = await page.evaluate(() => {
          const doc = document.scrollingElement as HTMLElement;
          const past = Array.from(document.querySelectorAll('main *'))
            .filter((e) => e.getBoundingClientRect().right > doc.clientWidth + 0.5)
            // A table too wide for a phone scrolls inside its own box, which stays on the page.
            .filter((e) => !e.closest('table') || e.closest('table')!.getBoundingClientRect().right > doc.clientWidth)
            .map((e) => e.tagName);
          return { scroll: doc.scrollWidth - doc.clientWidth, past };
        });
        expect({ name, width, ...overflow }).toEqual({ name, width, scroll: 0, past: [] });
      }
    }
  });

  it('every table has headers; the tuning trials name their settings in words, one column each', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.setContent(cards[1].html);
    const tables = await page.$$eval('table', (ts) =>
      ts.map((t) => Array.from(t.querySelectorAll('thead th')).map((th) => th.textContent ?? '')),
    );
    expect(tables.length).toBeGreaterThan(3);
    for (const headers of tables) expect(headers.some((h) => h.trim() !== '')).toBe(true);
    const trials = tables.find((h) => h[0] === 'trial');
    // Only the settings the trials differ in, by name.
    expect(trials).toEqual([
      'trial',
      'from',
      'CV MAE',
      'CV MAPE',
      'time',
      'trees',
      'learning rate',
      'rows sampled per tree',
    ]);
    const text = await page.$$eval('table', (ts) => ts.map((t) => t.textContent).join('\n'));
    expect(text).not.toMatch(/[{}]|"nEstimators"|colsampleByTree/);
    expect(text).toContain('features sampled per tree');
    // The app's look: its navy header and its page colour.
    expect(await page.$eval('header', (h) => getComputedStyle(h).backgroundColor)).toBe('rgb(20, 33, 61)');
    expect(await page.$eval('body', (b) => getComputedStyle(b).backgroundColor)).toBe('rgb(244, 246, 249)');
  });

  it('p-values read plainly; parameter values in words', () => {
    expect([0.5, 0.0421, 0.001, 0.00099, 1.2e-12].map(plainPValue)).toEqual([
      '0.500',
      '0.042',
      '0.001',
      '< 0.001',
      '< 0.001',
    ]);
    expect(paramText(true)).toBe('yes');
    expect(paramText([1, 0, -1])).toBe('1, 0, -1');
    expect(paramText({ carat: 1, maxDepth: 4 })).toBe('carat 1, depth 4');
  });
});
