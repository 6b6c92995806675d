/**
 * The web app end to end: built with Vite, served by the real `loupe serve`, driven in headless Chromium.
 * Every number the page shows is checked against what the public API answers for the same stone, and every
 * validation message against the shared diamond schema. UPDATE_SCREENSHOTS=1 also saves docs/screenshots/*.png.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FourCs, type Stone, validateStone, validateStoneToValue } from '../../src/diamond/index.js';
import { buildWebIfStale } from '../../scripts/build-web.js';
import { parseCsv } from '../../web/src/batch/csv.js';
import { shownSteps } from '../../web/src/appraise/shown-steps.js';
import { money, multiplier, signedMoney } from '../../web/src/format.js';
import { csvRows, resultsHeader } from '../helpers/batch-csv.js';
import {
  ROOT,
  SCREENSHOTS,
  homeWithFirstModel,
  launchBrowser,
  loupe,
  startServer,
  type RunningServer,
} from './harness.js';

const STONE: Stone = {
  carat: 0.9,
  cut: 'Ideal',
  color: 'G',
  clarity: 'VS2',
  depth: 61.8,
  table: 57,
  x: 6.2,
  y: 6.24,
  z: 3.84,
};

interface ApiValuation {
  price: number;
  range: { low: number; high: number; coverage: number };
  modelVersion: string;
  explanation: {
    typicalPrice: number;
    steps: {
      factor: 'carat' | 'cut' | 'color' | 'clarity' | 'proportions';
      label: string;
      multiplier: number;
      dollars: number;
      priceAfter: number;
    }[];
    price: number;
    summary: string;
  };
  warnings: { code: string; message: string }[];
}

let home: string;
let server: RunningServer;
let browser: { context: BrowserContext; close: () => Promise<void> };

async function api<T>(path: string, body?: unknown): Promise<T> {
  const r = await fetch(
    server.url + path,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  expect(r.status, `${path}: ${await r.clone().text()}`).toBe(200);
  return (await r.json()) as T;
}

const pageErrors = new WeakMap<Page, string[]>();

async function newPage(width = 1440, height = 900): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return page;
}

/** Closes a page; the app must not have thrown or logged an error on it. */
async function closePage(page: Page): Promise<void> {
  await page.close();
  expect(pageErrors.get(page), 'errors in the page').toEqual([]);
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fills the form by keyboard only, from the carat box to the Appraise button, checking the tab order on the way. */
async function typeStone(page: Page, stone: Stone): Promise<void> {
  await page.getByLabel('Carat', { exact: true }).focus();
  await page.keyboard.type(String(stone.carat));
  for (const [group, value] of [
    ['Cut', stone.cut],
    ['Colour', stone.color],
    ['Clarity', stone.clarity],
  ] as const) {
    await page.keyboard.press('Tab');
    // Nothing chosen yet: Tab lands on the group's first grade; arrow keys move along the scale and choose.
    const radios = page.getByRole('group', { name: new RegExp(`^${group}`) }).getByRole('radio');
    await expect.poll(() => radios.first().evaluate((el) => el === document.activeElement)).toBe(true);
    const codes = await radios.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    for (let i = 0; i < codes.indexOf(value); i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Tab'); // the "What the … grades mean" disclosure
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/grades mean/);
  }
  for (const [label, value] of [
    ['Depth', stone.depth],
    ['Table', stone.table],
    ['Length (x)', stone.x],
    ['Width (y)', stone.y],
    ['Depth (z)', stone.z],
  ] as const) {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(
      await page.getByLabel(label, { exact: true }).getAttribute('id'),
    );
    await page.keyboard.type(String(value));
  }
}

/** A new page with the example stone filled in, recording every valuation request it sends. */
async function exampleFilledIn(): Promise<{ page: Page; sent: string[] }> {
  const page = await newPage();
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/v1/valuations')) sent.push(r.url());
  });
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Fill in an example' }).click();
  return { page, sent };
}

beforeAll(async () => {
  // Built once per run by test/global-setup.ts; here only if the sources changed since (a watch run).
  await buildWebIfStale();
  // A home with a first model, copied from the one built once per run: these tests test the app, and `loupe serve`'s
  // own first start on an empty home (ingest, tuning, training) is tested in test/cli/log.test.ts.
  home = await homeWithFirstModel('loupe-e2e-web-');
  server = await startServer({ timeoutMs: 170_000, home });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('web app', () => {
  it('is served at / by the API server, with its assets', async () => {
    const r = await fetch(`${server.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    const html = await r.text();
    const asset = html.match(/\/assets\/[^"]+\.js/)?.[0];
    expect(asset).toBeTruthy();
    const js = await fetch(server.url + asset);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(`${server.url}/assets/../../package.json`)).status).toBe(404);
  });

  it('appraises a stone typed by keyboard: the price, range, explanation and similar stones the API gives', async () => {
    const expected = await api<ApiValuation>('/v1/valuations', STONE);
    const page = await newPage();
    await page.goto(server.url);
    await typeStone(page, STONE);
    await page.keyboard.press('Enter'); // Enter in a field submits the form

    await expect.poll(() => page.getByTestId('price').textContent()).toBe(money(expected.price));
    expect(await page.getByTestId('range').textContent()).toContain(
      `${money(expected.range.low)} – ${money(expected.range.high)}`,
    );
    expect(await page.getByTestId('summary').textContent()).toBe(expected.explanation.summary);
    // The price is announced to screen readers.
    expect(await page.getByRole('status').first().textContent()).toContain(money(expected.price));

    // The waterfall: an image with a text alternative naming every step, and the same steps as a table.
    const chart = page.getByRole('img', { name: /typical price to this stone's price/ });
    const description = await chart.locator('desc').textContent();
    // Each step's multiplier is labelled as what it is (on its own, for a typical stone), its dollars as a share of
    // the change, in whole dollars that add up to the price (hunt-web #2, #12).
    const steps = shownSteps(expected.explanation, expected.price);
    expected.explanation.steps.forEach((step, k) => {
      expect(description).toContain(`: on its own ${multiplier(step.multiplier)} (a typical stone's price `);
      expect(description).toContain(
        `its share of the change ${signedMoney(steps[k].share)}, running total ${money(steps[k].runningTotal)}.`,
      );
    });
    // The typical stone every explanation starts from is defined beside it, and its price is the chart's start.
    expect(await page.getByTestId('typical-stone').textContent()).toMatch(
      /^The typical stone is Loupe's starting point: the geometric mean of its prices for the stones it learned\s+from\./,
    );
    expect(description).toContain(
      `Starts at ${money(expected.explanation.typicalPrice)}, the typical stone: the geometric mean of Loupe's prices`,
    );
    await page.getByText('Show the steps as a table').click();
    const table = page.locator('table.explanation-table');
    expect(await table.locator('tbody tr').count()).toBe(expected.explanation.steps.length + 1);
    expect(await table.locator('tfoot td').last().textContent()).toBe(money(expected.price));
    expect(await table.locator('thead th').allTextContents()).toEqual([
      'Step',
      'On its own',
      'Share of the change',
      'Running total',
    ]);
    // At desktop widths the table fits its fold: the running total is not behind a sideways scroll.
    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await table.evaluate((t) => {
        const fold = t.closest('.table-toggle') as HTMLElement;
        return fold.scrollWidth - fold.clientWidth;
      });
      expect(overflow, `${width} px`).toBeLessThanOrEqual(0);
    }
    // The shown shares add up: typical + every share = the running total of each row, the last one the price.
    const cells = await table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? '')));
    const dollars = (text: string) => Number(text.replace(/[$,±]/g, '').replace('−', '-'));
    let running = dollars(cells[0][2]);
    for (const row of cells.slice(1)) {
      running += dollars(row[1]);
      expect(dollars(row[2])).toBe(running);
    }
    expect(running).toBe(expected.price);
    expect(await page.getByTestId('explanation-note').textContent()).toContain('On its own');

    // Similar stones: the API's nearest appraised stones, with their prices.
    const similar = await api<{ stones: { price: number }[] }>(
      `/v1/diamonds/similar?carat=0.9&cut=Ideal&color=G&clarity=VS2&n=8`,
    );
    expect(similar.stones.length).toBeGreaterThan(0);
    const rows = page.getByTestId('similar-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(similar.stones.length + 1);
    const shown = await page
      .getByTestId('similar-table')
      .locator('tbody tr:not(.row--current) td:last-child')
      .allTextContents();
    expect(shown.sort()).toEqual(similar.stones.map((s) => money(s.price)).sort());
    // Closest over all nine characteristics instead of the same grades.
    const overall = await api<{ stones: { price: number }[] }>(
      `/v1/diamonds/similar?carat=0.9&cut=Ideal&color=G&clarity=VS2&depth=61.8&table=57&x=6.2&y=6.24&z=3.84&n=8&mode=all`,
    );
    await page.getByRole('radio', { name: 'Closest overall' }).check();
    await expect
      .poll(async () =>
        (
          await page.getByTestId('similar-table').locator('tbody tr:not(.row--current) td:last-child').allTextContents()
        ).sort(),
      )
      .toEqual(overall.stones.map((s) => money(s.price)).sort());
    await page.getByRole('radio', { name: 'Same grades' }).check();
    await expect.poll(() => rows.count()).toBe(similar.stones.length + 1);
    await screenshot(page, 'appraise');
    await closePage(page);
  });

  it('what if: one clarity grade up and 0.1 carat more move the price and the explanation as the API says', async () => {
    const base = await api<ApiValuation>('/v1/valuations', STONE);
    const better = await api<ApiValuation>('/v1/valuations', { ...STONE, clarity: 'VS1' });
    const page = await newPage();
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await page.getByRole('button', { name: 'Appraise', exact: true }).click();
    await expect.poll(() => page.getByTestId('price').textContent()).toBe(money(base.price));

    await page.getByRole('button', { name: 'Clarity one grade up (to VS1)' }).click();
    await expect.poll(() => page.getByTestId('what-if-price').textContent()).toBe(money(better.price));
    expect(await page.getByTestId('what-if-delta').textContent()).toContain(signedMoney(better.price - base.price));
    const changed = page.locator('table.comparison tr.changed');
    expect(await changed.count()).toBe(1);
    expect(await changed.locator('th').textContent()).toBe('Clarity VS2 → clarity VS1');
    const clarityStep = better.explanation.steps.find((s) => s.factor === 'clarity')!;
    const clarityShown = shownSteps(better.explanation, better.price)[better.explanation.steps.indexOf(clarityStep)];
    expect(await changed.locator('td').nth(1).textContent()).toBe(signedMoney(clarityShown.share));
    await screenshot(page, 'what-if');

    // Back, then 0.1 carat more: the measurements grow with the weight, so the stone stays plausible.
    await page.getByRole('button', { name: 'Back to the stone as appraised' }).click();
    await page.getByRole('button', { name: /^Carat \+0\.1 ct/ }).click();
    const scale = Math.cbrt(1.0 / 0.9);
    const r2 = (v: number) => Math.round(v * 100) / 100;
    const grown = { x: r2(6.2 * scale), y: r2(6.24 * scale), z: r2(3.84 * scale) };
    const heavier = await api<ApiValuation>('/v1/valuations', { ...STONE, carat: 1, ...grown });
    await expect.poll(() => page.getByTestId('what-if-price').textContent()).toBe(money(heavier.price));
    expect(await page.getByTestId('what-if-measurements').textContent()).toContain(
      `→ ${grown.x} × ${grown.y} × ${grown.z} mm`,
    );
    expect(await page.locator('table.comparison tr.changed th').textContent()).toBe('0.9 carat → 1 carat');
    await closePage(page);
  });

  it('the waterfall draws no step label under a bar or a connector, on a desktop or a phone (hunt-web #17)', async () => {
    const stones: Record<string, string>[] = [
      // Every step's bar sits near $0: a typical price of about $2,400 down to a few hundred.
      {
        carat: '0.24',
        cut: 'Ideal',
        color: 'F',
        clarity: 'VVS1',
        depth: '60.8',
        table: '55',
        x: '4.03',
        y: '4.06',
        z: '2.46',
      },
      // 4Cs only: the longest label, "Typical proportions (not measured)".
      { carat: '0.3', cut: 'Fair', color: 'J', clarity: 'I1' },
      Object.fromEntries(Object.entries(STONE).map(([k, v]) => [k, String(v)])),
      { carat: '2.01', cut: 'Premium', color: 'D', clarity: 'IF' },
    ];
    /** Each label of each chart on the page that shares ground with a bar, an outline or a connector. */
    const labelsUnderMarks = (page: Page) =>
      page.locator('.waterfall svg').evaluateAll((svgs) =>
        svgs.flatMap((svg, n) => {
          // in the SVG's own units (nothing is transformed); a stroke reaches half its width beyond the shape
          const box = (el: SVGGraphicsElement, pad: number) => {
            const b = el.getBBox();
            return { l: b.x - pad, r: b.x + b.width + pad, t: b.y - pad, b: b.y + b.height + pad };
          };
          const marks = Array.from(svg.querySelectorAll<SVGGraphicsElement>('rect, line.waterfall__connector'));
          return Array.from(svg.querySelectorAll<SVGTextElement>('.waterfall__label')).flatMap((label) => {
            const a = box(label, 0);
            return marks
              .filter((mark) => {
                const b = box(mark, mark.tagName === 'rect' && !mark.classList.contains('waterfall__ghost') ? 0 : 1);
                return a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;
              })
              .map((mark) => `chart ${n}: "${label.textContent}" under ${mark.getAttribute('class') ?? 'its bar'}`);
          });
        }),
      );
    for (const [width, height] of [
      [1280, 900],
      [320, 640],
    ]) {
      for (const stone of stones) {
        const page = await newPage(width, height);
        await page.goto(`${server.url}/#/appraise?${new URLSearchParams(stone)}`);
        await page.getByTestId('price').waitFor();
        if (stone.carat === '0.24') {
          // the what-if chart too, with the stone as appraised drawn as outlines behind its bars
          await page.getByRole('button', { name: /^Clarity one grade up/ }).click();
          await page.getByTestId('what-if-price').waitFor();
        }
        const charts = page.locator('.waterfall');
        // Laid out for its own width (a ResizeObserver gives it, then it renders again).
        await expect
          .poll(() =>
            charts.evaluateAll((els) =>
              els.map((el) => `${el.clientWidth} ${el.querySelector('svg')?.getAttribute('width')}`),
            ),
          )
          .toSatisfy((widths: string[]) => widths.every((w) => w.split(' ')[0] === w.split(' ')[1]));
        // the valuation's chart is narrow at both widths (its column is under 480 px even on a desktop)
        expect(await charts.first().evaluate((el) => el.clientWidth)).toBeLessThan(480);
        expect(await page.locator('.waterfall__label').count()).toBeGreaterThan(6);
        expect(await labelsUnderMarks(page), `${width} px, ${stone.carat} ct`).toEqual([]);
        await closePage(page);
      }
    }
  });

  it('values a stone from its 4Cs alone: measurements left empty, all five or none, its range and warning shown', async () => {
    const fourCs: FourCs = { carat: STONE.carat, cut: STONE.cut, color: STONE.color, clarity: STONE.clarity };
    const expected = await api<ApiValuation & { warnings: { code: string; message: string }[] }>(
      '/v1/valuations',
      fourCs,
    );
    const width = (v: ApiValuation) => (v.range.high - v.range.low) / v.price;
    const { page, sent } = await exampleFilledIn();
    const measurementLabels = ['Depth', 'Table', 'Length (x)', 'Width (y)', 'Depth (z)'];

    // Some measurements but not all: each one left out is named, with the rule, and nothing is sent.
    for (const label of measurementLabels.slice(1)) await page.getByLabel(label, { exact: true }).fill('');
    await page.getByRole('button', { name: 'Appraise', exact: true }).click();
    const partial = validateStoneToValue({ ...fourCs, depth: String(STONE.depth) });
    expect(partial.ok).toBe(false);
    const messages = partial.ok ? [] : partial.problems.map((p) => p.message);
    expect(messages.length).toBe(4);
    await expect.poll(() => page.getByRole('alert').locator('li a').allTextContents()).toEqual(messages);
    expect(sent).toEqual([]);

    // None: the stone is priced from its 4Cs, as the API prices it, and the page says so beside its range; the
    // warning (beside the price) says how much wider such ranges are than with measurements.
    await page.getByLabel('Depth', { exact: true }).fill('');
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByRole('button', { name: 'Appraise', exact: true }).click();
    await expect.poll(() => page.getByTestId('price').textContent()).toBe(money(expected.price));
    expect(await page.getByTestId('range').textContent()).toContain(
      `${money(expected.range.low)} – ${money(expected.range.high)}`,
    );
    expect(await page.getByTestId('four-cs-range').textContent()).toContain(
      `spans ${Math.round(width(expected) * 100)}% of the price`,
    );
    expect(await page.getByTestId('appraised-stone').textContent()).toBe(
      '0.9 ct · Ideal cut · colour G · clarity VS2 · no measurements (priced from the 4Cs only)',
    );
    const warning = expected.warnings.find((w) => w.code === 'measurements_missing');
    expect(warning).toBeDefined();
    expect(await page.locator('[data-code="measurements_missing"]').textContent()).toContain(warning!.message);
    expect(sent.length).toBe(1);
    // The address names the stored valuation (the quote), whose stone is the four characteristics given.
    const quoteHash = await page.evaluate(() => location.hash);
    expect(quoteHash).toMatch(/^#\/appraise\?quote=val_[\w-]+$/);
    const quote = await api<{ stone: unknown }>(`/v1/valuations/${quoteHash.split('=')[1]}`);
    expect(quote.stone).toEqual(fourCs);
    // Closest overall needs measurements: similar stones are those of the same grades.
    await page.getByTestId('similar-table').waitFor();
    expect(await page.getByRole('radio', { name: 'Closest overall' }).count()).toBe(0);

    // What if 0.1 carat more: still from the 4Cs alone, as the API says.
    const heavier = await api<ApiValuation>('/v1/valuations', { ...fourCs, carat: 1 });
    await page.getByRole('button', { name: /^Carat \+0\.1 ct/ }).click();
    await expect.poll(() => page.getByTestId('what-if-price').textContent()).toBe(money(heavier.price));
    expect(await page.getByTestId('what-if-measurements').count()).toBe(0);
    await closePage(page);
  });

  it('an appraisal has an address: opening it appraises the same stone again', async () => {
    const stone: Stone = {
      carat: 1.21,
      cut: 'Premium',
      color: 'F',
      clarity: 'SI1',
      depth: 62.1,
      table: 58,
      x: 6.82,
      y: 6.78,
      z: 4.22,
    };
    const expected = await api<ApiValuation>('/v1/valuations', stone);
    const page = await newPage();
    await page.goto(
      `${server.url}/#/appraise?${new URLSearchParams(Object.entries(stone).map(([k, v]) => [k, String(v)]))}`,
    );
    await expect.poll(() => page.getByTestId('price').textContent()).toBe(money(expected.price));
    expect(await page.getByTestId('appraised-stone').textContent()).toBe(
      '1.21 ct · Premium cut · colour F · clarity SI1 · depth 62.1% · table 58% · 6.82 × 6.78 × 4.22 mm',
    );
    expect(await page.getByLabel('Carat', { exact: true }).inputValue()).toBe('1.21');

    // The address names the quote of that appraisal; appraising another stone puts its own quote there.
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#\/appraise\?quote=val_/);
    const before = await page.evaluate(() => location.hash);
    await page.getByLabel('Carat', { exact: true }).fill('1.2');
    await page.getByRole('button', { name: 'Appraise', exact: true }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).not.toBe(before);
    expect(await page.evaluate(() => location.hash)).toMatch(/^#\/appraise\?quote=val_/);
    const id = (await page.evaluate(() => location.hash)).split('=')[1];
    expect((await api<{ stone: Stone }>(`/v1/valuations/${id}`)).stone.carat).toBe(1.2);
    await closePage(page);
  });

  it('shows what the address names: two quotes in one tab, Back and Forward, back from Batch, valued again', async () => {
    const first = await api<ApiValuation & { id: string }>('/v1/valuations', STONE);
    const second = await api<ApiValuation & { id: string }>('/v1/valuations', {
      ...STONE,
      carat: 1.3,
      x: 7,
      y: 7.05,
      z: 4.35,
    });
    const page = await newPage();
    const showsQuote = async (v: ApiValuation & { id: string }, carat: string) => {
      await expect.poll(() => page.getByTestId('price').textContent()).toBe(money(v.price));
      expect(await page.getByLabel('Carat', { exact: true }).inputValue()).toBe(carat);
      expect(await page.getByTestId('quote-note').textContent()).toContain(`model ${v.modelVersion}`);
      expect(await page.evaluate(() => location.hash)).toBe(`#/appraise?quote=${v.id}`);
    };
    await page.goto(`${server.url}/#/appraise?quote=${first.id}`);
    await showsQuote(first, '0.9');
    await page.goto(`${server.url}/#/appraise?quote=${second.id}`); // another link, the same tab
    await showsQuote(second, '1.3');
    await page.goBack();
    await showsQuote(first, '0.9');
    await page.goForward();
    await showsQuote(second, '1.3');
    // Another screen and back: the stone being worked on is still there, under its address.
    await page.getByRole('link', { name: 'Batch', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /batch/i }).waitFor();
    await page.getByRole('link', { name: 'Appraise', exact: true }).click();
    await showsQuote(second, '1.3');
    // Valued again under the current model: a new quote, and what changed (nothing: the same model serves).
    await page.getByRole('button', { name: 'Value it again under the current model' }).click();
    await expect.poll(() => page.getByTestId('requote-note').count()).toBe(1);
    expect(await page.getByTestId('requote-note').textContent()).toContain('(unchanged)');
    const again = (await page.evaluate(() => location.hash)).split('=')[1];
    expect(again).not.toBe(second.id);
    expect((await api<{ valuation: { price: number } }>(`/v1/valuations/${again}`)).valuation.price).toBe(second.price);
    // and Back returns to the quote it was valued from
    await page.goBack();
    await showsQuote(second, '1.3');
    await closePage(page);
  });

  it('checks the form with the shared schema before sending, and shows its messages', async () => {
    const { page, sent } = await exampleFilledIn();
    // The carat hint gives the served model's limit, not the schema's 10 ct (hunt-web #13).
    const { caratLimit } = await api<{ caratLimit: number }>('/v1/models/current');
    expect(caratLimit).toBeLessThan(10);
    await expect.poll(() => page.locator('#stone-carat-hint').textContent()).toContain(`0.1 to ${caratLimit} ct`);
    await page.getByLabel('Carat', { exact: true }).fill('1,2');
    await page.getByLabel('Table', { exact: true }).fill('101');
    await page.getByRole('button', { name: 'Appraise', exact: true }).click();

    const check = validateStone({ ...STONE, carat: '1,2', table: '101' });
    expect(check.ok).toBe(false);
    const messages = check.ok ? [] : check.problems.map((p) => p.message);
    expect(messages.length).toBe(2);
    const summary = page.getByRole('alert');
    await expect.poll(() => summary.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await summary.locator('li a').allTextContents()).toEqual(messages);
    expect(await page.getByLabel('Carat', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // The message is tied to its field for screen readers.
    const describedBy = (await page.getByLabel('Carat', { exact: true }).getAttribute('aria-describedby'))!.split(' ');
    expect(await page.locator(`#${describedBy[0]}`).textContent()).toBe(messages[0]);
    expect(sent).toEqual([]);

    // The validator's suggestion is one click away, never applied without it.
    expect(await page.getByLabel('Carat', { exact: true }).inputValue()).toBe('1,2');
    await page.getByRole('button', { name: 'Use 1.2 ct' }).click();
    expect(await page.getByLabel('Carat', { exact: true }).inputValue()).toBe('1.2');
    // So is the number alone when the unit shown beside the box was typed after it (hunt-web #16); another unit
    // gets only the error.
    await page.getByLabel('Carat', { exact: true }).fill('0.9 ct');
    await page.getByLabel('Depth', { exact: true }).fill('61.8 %');
    await page.getByLabel('Length (x)', { exact: true }).fill('6.2mm');
    await page.getByLabel('Width (y)', { exact: true }).fill('6.24 ct');
    const fixes = page.getByRole('button', { name: /^Use / });
    await expect.poll(() => fixes.allTextContents()).toEqual(['Use 0.9 ct', 'Use 61.8 %', 'Use 6.2 mm']);
    expect(await page.locator('#stone-y-error').textContent()).toBe('Width (y) "6.24 ct" is not a number.');
    for (const fix of ['Use 0.9 ct', 'Use 61.8 %', 'Use 6.2 mm']) await page.getByRole('button', { name: fix }).click();
    expect(await page.getByLabel('Length (x)', { exact: true }).inputValue()).toBe('6.2');
    await page.getByLabel('Width (y)', { exact: true }).fill('6.24');
    expect(sent).toEqual([]);

    // Fixing the fields clears the problems as they are fixed, and the stone is appraised.
    await page.getByLabel('Carat', { exact: true }).fill('0.9');
    await page.getByLabel('Table', { exact: true }).fill('57');
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByRole('button', { name: 'Appraise', exact: true }).click();
    await page.getByTestId('price').waitFor();
    expect(sent.length).toBe(1);
    await closePage(page);
  });

  it('batch: a result or an error for every row, and a CSV to download', async () => {
    const rows = [
      'stock_no,carat,cut,color,clarity,depth,table,x,y,z',
      'A-1001,0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84',
      'A-1002,1.21,Premium,F,SI1,62.1,58,6.82,6.78,4.22',
      '"A-1003, loose",0.5,Very Good,H,VS1,63.0,56,5.06,5.1,3.2',
      'A-1004,12,Ideal,D,IF,61.0,55,6.5,6.5,3.97',
      'A-1005,0.71,Good,E,SI2,63.4,59,5.6,5.65,3.56',
      'A-1006,2.01,Ideal,I,VS2,61.5,57,8.1,8.14,4.99',
      'A-1007,0.3,Fair,J,I1,64.9,60,4.2,4.25,2.74',
      'A-1008,1.02,Ideal,K,VS1,61.7,5,6.45,6.48,3.99',
    ];
    const csv = `\uFEFF${rows.join('\r\n')}\r\n`;
    const good = [rows[1], rows[2], rows[3], rows[5], rows[6], rows[7]].map((line) => {
      const f = parseCsv(line)[0].fields;
      return {
        carat: +f[1],
        cut: f[2],
        color: f[3],
        clarity: f[4],
        depth: +f[5],
        table: +f[6],
        x: +f[7],
        y: +f[8],
        z: +f[9],
      };
    });
    const expected = await api<{ results: { ok: boolean; valuation: ApiValuation }[] }>(
      '/v1/valuations/batch?explain=false',
      { stones: good },
    );
    const badCarat = validateStone({
      ...STONE,
      carat: '12',
      cut: 'Ideal',
      color: 'D',
      clarity: 'IF',
      depth: '61.0',
      table: '55',
      x: '6.5',
      y: '6.5',
      z: '3.97',
    });
    const badColour = validateStone({
      ...STONE,
      carat: '1.02',
      color: 'K',
      clarity: 'VS1',
      depth: '61.7',
      table: '5',
      x: '6.45',
      y: '6.48',
      z: '3.99',
    });
    expect(badCarat.ok || badColour.ok).toBe(false);
    expect(badColour.ok ? 0 : badColour.problems.length).toBe(2); // colour and table: both are shown

    const page = await newPage();
    await page.goto(`${server.url}/#/batch`);
    await page
      .getByLabel('CSV file of stones')
      .setInputFiles({ name: 'stones.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const download = page.getByRole('button', { name: 'Download results (CSV)' });
    await download.waitFor();
    const summary = await page.getByTestId('batch-summary').textContent();
    expect(summary).toContain('Rows8');
    expect(summary).toContain('Appraised6');
    expect(summary).toContain('With errors2');

    const table = page.getByTestId('batch-table');
    const errorRow = table.locator('tr[data-line="5"]');
    expect(await errorRow.getAttribute('class')).toContain('row--error');
    expect(await errorRow.locator('td').last().textContent()).toBe(
      badCarat.ok ? '' : badCarat.problems.map((p) => p.message).join(' '),
    );
    expect(await table.locator('tr[data-line="9"] td').last().textContent()).toBe(
      badColour.ok ? '' : badColour.problems.map((p) => p.message).join(' '),
    );
    expect(await table.locator('tr[data-line="3"] td').nth(5).textContent()).toBe(
      money(expected.results[1].valuation.price),
    );

    await page.getByLabel('Show only the rows with errors').check();
    expect(await table.locator('tbody tr').count()).toBe(2);
    await page.getByLabel('Show only the rows with errors').uncheck();
    // Sorted by any column: by price, dearest first (the rows with errors, which have no price, last); by row again.
    const lines = async () =>
      table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-line'))));
    const priceHeader = table.getByRole('button', { name: 'Price', exact: true });
    await priceHeader.click();
    await priceHeader.click();
    expect(await table.locator('th[aria-sort="descending"]').textContent()).toBe('Price ▼');
    const byPrice = [...expected.results.map((r, i) => ({ line: [2, 3, 4, 6, 7, 8][i], price: r.valuation.price }))]
      .sort((a, b) => b.price - a.price)
      .map((r) => r.line);
    expect(await lines()).toEqual([...byPrice, 5, 9]);
    await table.getByRole('button', { name: 'Row', exact: true }).click();
    expect(await lines()).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    await screenshot(page, 'batch');

    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toBe('stones-appraised.csv');
    const out = csvRows(readFileSync((await file.path())!, 'utf8'));
    expect(out[0]).toEqual(resultsHeader('stock_no'));
    expect(out.length).toBe(9);
    expect(out[3][0]).toBe('A-1003, loose');
    const priced = [1, 2, 3, 5, 6, 7].map((i) => out[i]);
    priced.forEach((r, i) => {
      const v = expected.results[i].valuation;
      const notes = v.warnings.map((w) => w.message).join(' ');
      expect(r.slice(10)).toEqual([
        String(v.price),
        String(v.range.low),
        String(v.range.high),
        v.modelVersion,
        '',
        notes,
      ]);
    });
    expect(out[4].slice(10, 14)).toEqual(['', '', '', '']);
    expect(out[4][14]).toMatch(/^Carat 12 ct is out of range/);

    // A suggested fix is applied from the table with one click: the row is checked again and priced.
    await page.getByLabel('CSV file of stones').setInputFiles({
      name: 'typo.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${rows[0]}\nB-1,"0,9",Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n`),
    });
    const fixButton = table.getByRole('button', { name: 'Use 0.9 for carat' });
    await fixButton.click();
    await table.locator('tr[data-line="2"] .batch-table__price').filter({ hasText: '$' }).waitFor();
    expect(await table.locator('tr[data-line="2"] .batch-table__carat').textContent()).toBe('0.9');
    expect(await table.locator('tr[data-line="2"] .batch-table__price').textContent()).toBe(
      money(expected.results[0].valuation.price),
    );
    expect(await page.getByTestId('batch-summary').textContent()).toContain('With errors0');
    await closePage(page);
  });

  it('models: the current model, its metrics and the history, as the API lists them', async () => {
    if (SCREENSHOTS) {
      // For the picture, a history like production's: the three monthly batches, each through the retraining pipeline.
      const incoming = join(server.home, 'incoming');
      mkdirSync(incoming, { recursive: true });
      for (const month of ['2026-09', '2026-10', '2026-11']) {
        copyFileSync(join(ROOT, '..', 'shared', 'data', 'fresh', `${month}.csv`), join(incoming, `${month}.csv`));
        await loupe(['pipeline', 'run', '--home', server.home, '--json']).catch(
          (e: { code?: number; stdout?: string }) => {
            if (e.code !== 4) throw e; // 4: done, some files failed — still a run
          },
        );
      }
      await new Promise((r) => setTimeout(r, 2_000)); // the server picks up a new champion within a second
    }
    const current = await api<{
      version: string;
      trainingRows: number;
      priceBasis: { kind: string; currency: string; dollarsOf: number; description: string };
      metrics: { evaluation?: { combined?: { mdape: number } } };
    }>('/v1/models/current');
    const list = await api<{ models: { version: string }[] }>('/v1/models');
    const page = await newPage();
    await page.goto(`${server.url}/#/models`);
    await expect.poll(() => page.getByTestId('current-version').textContent()).toBe(current.version);
    const mdape = current.metrics.evaluation?.combined?.mdape;
    expect(mdape).toBeTypeOf('number');
    expect(await page.getByTestId('metric-mdape').textContent()).toBe(`${mdape!.toFixed(1)}%`);
    // What its prices are (the price basis the API gives) and what the typical stone of its explanations is.
    const basis = current.priceBasis;
    expect(await page.getByTestId('price-basis').textContent()).toBe(
      `${basis.kind}, ${basis.currency} of ${basis.dollarsOf}`,
    );
    const note = await page.getByTestId('price-basis-note').textContent();
    expect(note).toContain(basis.description);
    expect(note).toContain(
      `the geometric mean of this model's prices for the ${current.trainingRows.toLocaleString('en-US')} stones it learned from`,
    );
    await page.getByTestId('history-table').waitFor();
    expect(await page.getByTestId('history-table').locator('tbody tr').count()).toBe(list.models.length);
    // Its model card, served by the API and framed on the page.
    const cardTitle = page.frameLocator('iframe.model-card').getByRole('heading', { level: 1 });
    await cardTitle.waitFor();
    expect(await cardTitle.textContent()).toContain(`Model card — ${current.version}`);
    await screenshot(page, 'models');
    await closePage(page);
    // A capture of the page leaves the framed card blank: the card gets a picture of its own, opened as a page.
    if (SCREENSHOTS) {
      const card = await newPage(1280, 1000);
      await card.setContent(await (await fetch(`${server.url}/v1/models/${current.version}/card`)).text());
      await card.screenshot({ path: join(SCREENSHOTS, 'model-card.png') });
      await closePage(card);
    }
  }, 300_000);

  it('the API docs at /docs render under their Content-Security-Policy (a violation is a console error)', async () => {
    const page = await newPage();
    const csp: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/docs')) csp.push(r.headers()['content-security-policy'] ?? '');
    });
    await page.goto(`${server.url}/docs`);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(5);
    expect(csp.length).toBeGreaterThan(0);
    for (const policy of csp) expect(policy).toContain("frame-ancestors 'none'");
    await closePage(page);
  });

  it('asks for an API key when the server needs one, and uses it (appraise; models and its card)', async () => {
    // The key is made while the keyed server starts (two process starts at once, not one after the other): the
    // server looks each key up when a request brings it.
    const [started, created] = await Promise.allSettled([
      startServer({ timeoutMs: 120_000, open: false, home: server.home }),
      loupe(['keys', 'create', '--name', 'web-e2e', '--json', '--home', server.home]),
    ]);
    if (started.status === 'rejected') throw started.reason;
    const keyed = started.value;
    try {
      if (created.status === 'rejected') throw created.reason;
      const { key } = JSON.parse(created.value) as { key: string };
      const page = await newPage();
      const authorization: (string | undefined)[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/v1/valuations')) authorization.push(r.headers().authorization);
      });
      await page.goto(keyed.url);
      await page.getByRole('button', { name: 'Fill in an example' }).click();
      await page.getByRole('button', { name: 'Appraise', exact: true }).click();
      await page.getByText('This Loupe server needs an API key').waitFor();
      expect(await page.getByLabel('API key', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(
        true,
      );
      await page.getByLabel('API key', { exact: true }).fill(key);
      await page.getByRole('button', { name: 'Save key' }).click();
      await page.getByRole('button', { name: 'Appraise', exact: true }).click();
      await page.getByTestId('price').waitFor();
      expect(authorization).toEqual([undefined, `Bearer ${key}`]);
      await page.evaluate(() => localStorage.clear());
      // The first request was refused (401): the browser logs that as a failed resource load, which is expected here.
      pageErrors.get(page)!.splice(0);
      await closePage(page);

      // The Models screen without a key: it asks; once a key is saved it loads again, the card (fetched with the key) too.
      const models = await newPage();
      await models.goto(`${keyed.url}/#/models`);
      await models.getByText('This Loupe server needs an API key').waitFor();
      await models.getByLabel('API key', { exact: true }).fill(key);
      await models.getByRole('button', { name: 'Save key' }).click();
      const version = await models.getByTestId('current-version').textContent();
      expect(version).toMatch(/^v\d{4}$/);
      const cardTitle = models.frameLocator('iframe.model-card').getByRole('heading', { level: 1 });
      await cardTitle.waitFor();
      expect(await cardTitle.textContent()).toContain(`Model card — ${version}`);
      const [tab] = await Promise.all([
        models.context().waitForEvent('page'),
        models.getByRole('link', { name: 'Open in a new tab' }).click(),
      ]);
      await tab.getByRole('heading', { level: 1 }).waitFor();
      expect(await tab.getByRole('heading', { level: 1 }).textContent()).toContain(`Model card — ${version}`);
      await tab.close();
      await models.evaluate(() => localStorage.clear());
      pageErrors.get(models)!.splice(0); // the refused first loads, as above
      await closePage(models);
    } finally {
      await keyed.stop();
    }
  });

  it('every control is labelled, and a phone-width screen needs no sideways scrolling', async () => {
    const page = await newPage(390, 844);
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await page.getByRole('button', { name: 'Appraise', exact: true }).click();
    await page.getByTestId('price').waitFor();
    await page.getByRole('button', { name: 'Clarity one grade up (to VS1)' }).click();
    await page.getByTestId('what-if-price').waitFor();
    await page.getByTestId('similar-table').waitFor();

    for (const hash of ['#/appraise', '#/batch', '#/appraisals', '#/models']) {
      if (hash !== '#/appraise') {
        await page.goto(`${server.url}/${hash}`);
        await page.locator('h1').waitFor();
      }
      if (hash === '#/batch') {
        const csv =
          'carat,cut,color,clarity,depth,table,x,y,z\n0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n12,Ideal,D,IF,61.0,55,6.5,6.5,3.97\n';
        await page
          .getByLabel('CSV file of stones')
          .setInputFiles({ name: 'phone.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
        await page.getByRole('button', { name: 'Download results (CSV)' }).waitFor();
        // A row's error is read in full on the phone, not scrolled out of sight to the right.
        const error = (await page.locator('tr.row--error td').last().boundingBox())!;
        expect(error.x).toBeGreaterThanOrEqual(0);
        expect(error.x + error.width).toBeLessThanOrEqual(390);
        // A priced row keeps its grades, price and range together on its card, all on the screen.
        const card = (await page.locator('tr[data-line="2"]').boundingBox())!;
        for (const cell of await page.locator('tr[data-line="2"] td').all()) {
          const box = (await cell.boundingBox())!;
          expect(box.x + box.width).toBeLessThanOrEqual(390);
          expect(box.y).toBeGreaterThanOrEqual(card.y);
          expect(box.y + box.height).toBeLessThanOrEqual(card.y + card.height + 0.5);
        }
        // The column headers are sort buttons above the cards.
        await page.getByRole('button', { name: 'Carat', exact: true }).click();
        await page.getByRole('button', { name: 'Carat', exact: true }).click();
        expect(await page.locator('tbody tr').first().getAttribute('data-line')).toBe('3');
      }
      const unlabelled = await page.locator('input, button, select, textarea, a[href], summary').evaluateAll((els) =>
        els
          .filter((el) => {
            const e = el as HTMLInputElement;
            const labelled =
              (e.labels?.length ?? 0) > 0 || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
            const text = (el.textContent ?? '').trim();
            return !labelled && text === '' && !(el.tagName === 'INPUT' && e.closest('label'));
          })
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      expect(unlabelled, hash).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), hash).toBeLessThanOrEqual(390);
    }
    if (SCREENSHOTS) {
      // A phone shows a screen at a time: the form, then the valuation.
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Fill in an example' }).click();
      await page.mouse.move(0, 0);
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(SCREENSHOTS, 'phone-form.png') });
      await page.getByRole('button', { name: 'Appraise', exact: true }).click();
      await page.getByTestId('similar-table').waitFor();
      await page.locator('#result-title').evaluate((el) => el.closest('section')!.scrollIntoView());
      await page.screenshot({ path: join(SCREENSHOTS, 'phone-valuation.png') });
    }
    await closePage(page);
  });
});
