/**
 * The checks every screen gets in Chromium (test/e2e/accessibility.test.ts, test/e2e/monitoring.test.ts): axe-core's
 * WCAG 2.1 A/AA rules, and no element running past its container at five widths.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

// Evaluated through the DevTools protocol, which the page's Content-Security-Policy (script-src 'self') does not
// govern; a <script> tag it would block, as it should.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** The WCAG 2.1 A/AA violations axe finds on the page as it stands, one line each. */
export async function violations(page: Page): Promise<string[]> {
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

/**
 * The widths every screen is laid out at without an element running past its container (issue 16, fix 2), from
 * the 320 CSS px that WCAG's reflow criterion (1.4.10) names, a small phone's, to a large screen's.
 */
export const WIDTHS = [320, 360, 768, 1280, 1440, 1920];

/** Lays the page out at `width` and waits until it has been drawn at it. */
async function resize(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * axe's violations with the page 320 px wide, where tables scroll sideways in their cards and each such region must
 * be reachable by keyboard (scrollable-region-focusable); the page is left at 1440 px.
 */
export async function violationsWhenNarrow(page: Page): Promise<string[]> {
  await resize(page, WIDTHS[0]);
  const found = (await violations(page)).map((v) => `${WIDTHS[0]} px: ${v}`);
  await resize(page, 1440);
  return found;
}

/**
 * Elements whose box runs past the inner edge of the block that contains them (by more than half a pixel), at the
 * page's current width: what a reader sees as a table or a text crossing a card's border. A container that scrolls
 * or clips (overflow other than visible) is allowed to hold wider content: that is what it is for.
 */
export async function overflows(page: Page): Promise<string[]> {
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

/**
 * The overflows at each of WIDTHS, each line prefixed with its width, and a page wider than the window (it would
 * scroll sideways as a whole); the page is left at 1440 px.
 */
export async function overflowsAtWidths(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const width of WIDTHS) {
    await resize(page, width);
    found.push(...(await overflows(page)).map((o) => `${width} px: ${o}`));
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    if (wide > width) found.push(`${width} px: the page is ${wide} px wide and scrolls sideways`);
  }
  await resize(page, 1440);
  return found;
}
