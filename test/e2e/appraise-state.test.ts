/**
 * The Appraise screen keeps the form and the result honest with each other (web/src/appraise/appraise-page.tsx):
 * "Value it again" values the quote's own stone, whatever the form holds; a result the form no longer matches is
 * marked as being for the stone as appraised; an address that names nothing shows nothing of the stone before;
 * Back from another screen keeps the edits, as the nav link does; Back to the bare screen shows no valuation and is
 * not made the quote's address; Appraise on the stone already valued and shown stores no second quote; an answer that
 * arrives after the screen was left leaves the address alone; a server that
 * never answers does not lock the button (REQUEST_TIMEOUT_MS, moved on with Playwright's clock instead of waited for).
 */
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleStone, type Stone } from '../../src/diamond/index.js';
import { buildWebIfStale } from '../../scripts/build-web.js';
import { REQUEST_TIMEOUT_MS } from '../../web/src/api.js';
import { money } from '../../web/src/format.js';
import { violations } from './a11y.js';
import { homeWithFirstModel, launchBrowser, type RunningServer, startServer } from './harness.js';

/** The field table's example stone, as the API documents it (0.9 ct Ideal G VS2, measured). */
const STONE = exampleStone() as unknown as Stone;
const STONE_LINE = '0.9 ct · Ideal cut · colour G · clarity VS2 · depth 61.8% · table 57% · 6.2 × 6.24 × 3.84 mm';

interface Quote {
  id: string;
  price: number;
  modelVersion: string;
}

let home: string;
let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  // Built once per run by test/global-setup.ts; here only if the sources changed since (a watch run).
  await buildWebIfStale();
  home = await homeWithFirstModel('loupe-e2e-appraise-');
  server = await startServer({ timeoutMs: 120_000, home });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

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

async function newPage(): Promise<Page> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // A 404 the app asked for (an unknown quote) is logged by Chromium itself; the app's own errors are not allowed.
    if (m.type() === 'error' && !m.text().includes('status of 404')) errors.push(m.text());
  });
  return page;
}

async function closePage(page: Page): Promise<void> {
  await page.close();
  expect(pageErrors.get(page), 'errors in the page').toEqual([]);
}

const hash = (page: Page) => page.evaluate(() => location.hash);
const carat = (page: Page) => page.getByLabel('Carat', { exact: true });
const chosen = (page: Page, group: string) =>
  page.evaluate((g) => document.querySelector<HTMLInputElement>(`input[name="${g}"]:checked`)?.value ?? '', group);
const choose = (page: Page, group: string, grade: string) =>
  page.locator(`input[name="${group}"][value="${grade}"]`).check({ force: true });
const appraiseButton = (page: Page) => page.locator('button[type=submit]');
const staleNote = (page: Page) => page.getByTestId('stale-note');

describe('the Appraise screen, form and result', () => {
  it("values the quote's own stone again, whatever the form holds, and says so", async () => {
    const quote = await api<Quote>('/v1/valuations', STONE);
    const page = await newPage();
    await page.goto(`${server.url}/#/appraise?quote=${quote.id}`);
    await page.getByTestId('quote-note').waitFor();
    // Edited, not appraised: another weight and colour, no measurements.
    await carat(page).fill('1.5');
    await choose(page, 'color', 'D');
    for (const f of ['Depth', 'Table', 'Length (x)', 'Width (y)', 'Depth (z)'])
      await page.getByLabel(f, { exact: true }).fill('');
    await page.getByRole('button', { name: 'Value it again under the current model' }).click();

    await expect.poll(() => page.getByTestId('requote-note').count()).toBe(1);
    const again = (await hash(page)).split('=')[1];
    expect(again).not.toBe(quote.id);
    // The new quote is of the quoted stone, so under the same model its price has not moved.
    const stored = await api<{ stone: Stone; valuation: { price: number } }>(`/v1/valuations/${again}`);
    expect(stored.stone).toEqual(STONE);
    expect(stored.valuation.price).toBe(quote.price);
    const note = await page.getByTestId('requote-note').textContent();
    expect(note).toContain('The same stone valued again');
    expect(note).toContain(`${money(quote.price)} quoted`);
    expect(note).toContain('(unchanged)');
    expect(await page.getByTestId('appraised-stone').textContent()).toBe(STONE_LINE);
    // The form shows the stone that was valued, so it and the result agree.
    expect(await carat(page).inputValue()).toBe('0.9');
    expect(await chosen(page, 'color')).toBe('G');
    expect(await page.getByLabel('Length (x)', { exact: true }).inputValue()).toBe('6.2');
    expect(await staleNote(page).count()).toBe(0);
    await closePage(page);
  });

  it('marks a result the form no longer matches, until they agree again or a new valuation arrives', async () => {
    const page = await newPage();
    await page.goto(
      `${server.url}/#/appraise?${new URLSearchParams(Object.entries(STONE).map(([k, v]) => [k, String(v)]))}`,
    );
    await page.getByTestId('price').waitFor();
    await expect.poll(() => hash(page)).toMatch(/^#\/appraise\?quote=val_/);
    const id = (await hash(page)).split('=')[1];
    expect(await staleNote(page).count()).toBe(0);

    await carat(page).fill('2.5');
    await choose(page, 'color', 'D');
    await staleNote(page).waitFor();
    expect(await staleNote(page).textContent()).toBe(
      `For the stone as appraised: ${STONE_LINE} — press Appraise to value the edited stone.`,
    );
    // Said to screen readers too, and every part of the result is marked.
    expect(
      await page
        .locator('[role=status]')
        .filter({ has: staleNote(page) })
        .count(),
    ).toBe(1);
    for (const part of ['.appraise__result', '.appraise__similar', '.appraise__what-if'])
      expect(await page.locator(part).getAttribute('class'), part).toContain('is-stale');
    expect(await violations(page)).toEqual([]);

    // Printed, it is the appraised stone's valuation throughout, without the on-screen mark.
    await page.emulateMedia({ media: 'print' });
    expect(await staleNote(page).isVisible()).toBe(false);
    expect(await page.getByTestId('appraised-stone').textContent()).toBe(STONE_LINE);
    expect(await page.getByTestId('print-facts').textContent()).toContain(id);
    await page.emulateMedia({ media: 'screen' });

    // The same stone typed differently is the same stone.
    await carat(page).fill('0.90');
    await choose(page, 'color', 'G');
    await expect.poll(() => staleNote(page).count()).toBe(0);
    expect(await page.locator('.appraise__result').getAttribute('class')).not.toContain('is-stale');

    // Another stone, appraised: its valuation is current.
    await choose(page, 'color', 'F');
    await staleNote(page).waitFor();
    await appraiseButton(page).click();
    await expect.poll(() => page.getByTestId('appraised-stone').textContent()).toContain('colour F');
    expect(await staleNote(page).count()).toBe(0);
    await closePage(page);
  });

  it('an address naming no quote clears the stone shown before', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/#/appraise`);
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await appraiseButton(page).click();
    await page.getByTestId('price').waitFor();
    await page.goto(`${server.url}/#/appraise?quote=val_doesnotexist`);
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toEqual([expect.stringContaining('val_doesnotexist')]);
    expect(await page.getByTestId('price').count()).toBe(0);
    expect(await page.getByTestId('appraised-stone').count()).toBe(0);
    expect(await page.getByTestId('similar-table').count()).toBe(0);
    await closePage(page);
  });

  it('Back from another screen keeps the edits made after an appraisal, as the nav link does', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/#/appraise`);
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await appraiseButton(page).click();
    await expect.poll(() => hash(page)).toMatch(/^#\/appraise\?quote=val_/);
    const quoted = await hash(page);
    await choose(page, 'color', 'D');
    await choose(page, 'clarity', 'IF');
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /model/i }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Appraise a stone' }).waitFor();
    // The address names the quote, and the result is that quote; the form still holds the edits, marked as such.
    expect(await hash(page)).toBe(quoted);
    await page.getByTestId('appraised-stone').waitFor();
    expect(await page.getByTestId('appraised-stone').textContent()).toBe(STONE_LINE);
    expect(await chosen(page, 'color')).toBe('D');
    expect(await chosen(page, 'clarity')).toBe('IF');
    expect(await staleNote(page).textContent()).toContain(STONE_LINE);
    await closePage(page);
  });

  it('Appraise again on the stone valued and shown sends nothing and adds no history entry; an edited one is valued', async () => {
    const page = await newPage();
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/v1/valuations') posted.push(r.postData() ?? '');
    });
    await page.goto(`${server.url}/#/appraise`);
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await appraiseButton(page).click();
    await expect.poll(() => hash(page)).toMatch(/^#\/appraise\?quote=val_/);
    const first = await hash(page);
    const entries = await page.evaluate(() => history.length);
    expect(posted.length).toBe(1);

    // Pressed again, by button and by Enter, and with the same stone typed differently: the quote shown stays.
    await appraiseButton(page).click();
    await carat(page).press('Enter');
    await carat(page).fill('0.90');
    await carat(page).press('Enter');
    await appraiseButton(page).click();
    expect(await hash(page)).toBe(first);
    expect(await page.getByTestId('appraised-stone').textContent()).toBe(STONE_LINE);

    // An edited stone is valued (requests are sent in order: any sent by the presses above would come first).
    await choose(page, 'color', 'F');
    await appraiseButton(page).click();
    await expect.poll(() => hash(page)).not.toBe(first);
    await expect.poll(() => page.getByTestId('appraised-stone').textContent()).toContain('colour F');
    expect(posted.map((body) => JSON.parse(body).color)).toEqual(['G', 'F']);
    expect(await page.evaluate(() => history.length)).toBe(entries + 1);
    // Back goes to the first quote, once.
    await page.goBack();
    await expect.poll(() => page.getByTestId('appraised-stone').textContent()).toBe(STONE_LINE);
    expect(await hash(page)).toBe(first);
    await closePage(page);
  });

  it('Back from the first quote reaches the bare screen before it: the form as worked on, no valuation', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/#/appraise`);
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await appraiseButton(page).click();
    await expect.poll(() => hash(page)).toMatch(/^#\/appraise\?quote=val_/);
    const quoted = await hash(page);
    await choose(page, 'color', 'D');
    const typed = await carat(page).inputValue();

    await page.goBack();
    // The bare address names no valuation: none is shown, and the entry is not made the quote's again.
    await expect.poll(() => page.getByTestId('price').count()).toBe(0);
    expect(await hash(page)).toBe('#/appraise');
    expect(await staleNote(page).count()).toBe(0);
    expect(await carat(page).inputValue()).toBe(typed);
    expect(await chosen(page, 'color')).toBe('D');
    // Forward reaches the quote again, exactly as it was given.
    await page.goForward();
    await expect.poll(() => page.getByTestId('appraised-stone').textContent()).toBe(STONE_LINE);
    expect(await hash(page)).toBe(quoted);
    expect(await chosen(page, 'color')).toBe('G');

    // Two entries back at once, from another screen: the bare entry still shows no valuation, and stays bare.
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /model/i }).waitFor();
    await page.evaluate(() => history.go(-2));
    await page.getByRole('heading', { level: 1, name: 'Appraise a stone' }).waitFor();
    await expect.poll(() => hash(page)).toBe('#/appraise');
    expect(await page.getByTestId('price').count()).toBe(0);
    expect(await chosen(page, 'color')).toBe('G');
    await page.goForward();
    await expect.poll(() => page.getByTestId('appraised-stone').textContent()).toBe(STONE_LINE);
    expect(await hash(page)).toBe(quoted);

    // The same holds for the screen's own link followed on it: a bare address, the form kept, no valuation.
    await choose(page, 'clarity', 'IF');
    await page.getByRole('link', { name: 'Appraise', exact: true }).click();
    await expect.poll(() => page.getByTestId('price').count()).toBe(0);
    expect(await hash(page)).toBe('#/appraise');
    expect(await chosen(page, 'clarity')).toBe('IF');
    await page.goBack();
    await expect.poll(() => page.getByTestId('appraised-stone').textContent()).toBe(STONE_LINE);
    expect(await hash(page)).toBe(quoted);
    await closePage(page);
  });

  it('an answer that arrives after the screen was left does not move the address of the screen now shown', async () => {
    const page = await newPage();
    const held: Array<() => Promise<void>> = [];
    await page.route('**/v1/valuations', (route) => void held.push(() => route.continue()));
    await page.goto(`${server.url}/#/appraise`);
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await appraiseButton(page).click();
    await expect.poll(() => held.length).toBe(1);
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /model/i }).waitFor();
    const entries = await page.evaluate(() => history.length);

    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/valuations');
    await held[0]();
    await (await answered).finished();
    // The page's own tasks after the body (parsing, the handler) run before these round trips come back.
    for (let i = 0; i < 5; i++) await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    expect(await hash(page)).toBe('#/models');
    expect(await page.evaluate(() => history.length)).toBe(entries);
    await page.getByRole('heading', { level: 1, name: /model/i }).waitFor();
    await closePage(page);
  });

  it('a server that never answers: the request gives up with a clear message, and Appraise works again', async () => {
    const page = await newPage();
    await page.clock.install();
    let sent = 0;
    // Accepted and never answered, as by a hung server.
    await page.route('**/v1/valuations', () => void sent++);
    await page.goto(`${server.url}/#/appraise`);
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await appraiseButton(page).click();
    await expect.poll(() => appraiseButton(page).textContent()).toBe('Appraising…');
    await expect.poll(() => sent).toBe(1);
    // Pressed again while waiting (the button says it is busy, aria-disabled, but can still be pressed): nothing sent.
    await appraiseButton(page).click({ force: true });
    await carat(page).press('Enter');

    await page.clock.fastForward(REQUEST_TIMEOUT_MS);
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toEqual([
        'Loupe did not answer: The server did not answer within 30 seconds. Try again; if it keeps happening, tell whoever runs Loupe.',
      ]);
    expect(await appraiseButton(page).textContent()).toBe('Appraise');
    expect(sent).toBe(1);

    // The server answers again: the same button appraises.
    await page.unroute('**/v1/valuations');
    await appraiseButton(page).click();
    await page.getByTestId('price').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await closePage(page);
  });
});
