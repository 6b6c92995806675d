/**
 * Web app benchmark: what a person waits for. The built bundle's size (raw and gzip), the time from opening the
 * page to a usable form, from pressing Appraise to the price on screen, from a what-if click to its price, and from
 * choosing a batch file to every row's result — for the reference file (5,000 stones) and the messy November file —
 * and on the Appraisals screen, from pressing Record to the row shown as stored, and a 5,000-row file of appraisals
 * from choosing it to every row recorded or rejected.
 *
 *   npx tsx bench/web.ts             # 5 repetitions of each interaction, medians reported
 *   npx tsx bench/web.ts --runs 11
 *
 * It builds web/dist, starts `loupe serve --open` on an empty LOUPE_HOME (bootstrap: ingest + train), and drives
 * Debian's headless Chromium, like the end-to-end tests. Server, browser and bench share this 2-core machine.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { buildWeb } from '../scripts/build-web.js';
import { ROOT, launchBrowser, startServer } from '../test/e2e/harness.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Math.max(1, Number(args.runs));
const DATA = join(ROOT, '..', 'shared', 'data');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

async function timed(runs: number, once: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await once());
  return out;
}

async function main(): Promise<void> {
  await buildWeb();
  const assets = join(ROOT, 'web', 'dist', 'assets');
  const bundle = readdirSync(assets).map((f) => ({ f, bytes: readFileSync(join(assets, f)) }));
  const size = (ext: string) =>
    bundle
      .filter((b) => b.f.endsWith(ext))
      .reduce((a, b) => ({ raw: a.raw + b.bytes.length, gz: a.gz + gzipSync(b.bytes).length }), { raw: 0, gz: 0 });

  const server = await startServer({ timeoutMs: 300_000 });
  const browser = await launchBrowser();
  const rows: [string, string, string][] = [];
  /** Appraisals recorded so far: each new one is priced a dollar above, so that none repeats an earlier one. */
  let recorded = 0;
  try {
    const page: Page = await browser.context.newPage();

    const load = await timed(RUNS, async () => {
      const t = performance.now();
      await page.goto(server.url, { waitUntil: 'commit' });
      await page.getByRole('button', { name: 'Appraise', exact: true }).waitFor();
      return performance.now() - t;
    });

    const appraise = await timed(RUNS, async () => {
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Fill in an example' }).click();
      const t = performance.now();
      await page.getByRole('button', { name: 'Appraise', exact: true }).click();
      await page.getByTestId('price').waitFor();
      return performance.now() - t;
    });

    const whatIf = await timed(RUNS, async () => {
      const back = page.getByRole('button', { name: 'Back to the stone as appraised' });
      if (await back.isEnabled()) await back.click();
      const t = performance.now();
      await page.getByRole('button', { name: 'Clarity one grade up (to VS1)' }).click();
      await page.getByTestId('what-if-price').waitFor();
      return performance.now() - t;
    });

    const batch = async (file: string) => {
      const text = readFileSync(join(DATA, file));
      let summary = '';
      const times = await timed(RUNS, async () => {
        await page.goto(`${server.url}/#/batch`);
        const t = performance.now();
        await page
          .getByLabel('CSV file of stones')
          .setInputFiles({ name: file.split('/').pop()!, mimeType: 'text/csv', buffer: text });
        await page.getByRole('button', { name: 'Download results (CSV)' }).waitFor({ timeout: 120_000 });
        const ms = performance.now() - t;
        summary = (await page.getByTestId('batch-summary').textContent()) ?? '';
        return ms;
      });
      return { times, summary: summary.replace(/([a-z])(\d)/gi, '$1 $2').replace(/(\d)([A-Z])/g, '$1, $2') };
    };
    const reference = await batch('diamonds.csv');
    const november = await batch('fresh/2026-11.csv');

    // The expert's Appraisals screen: one stone recorded (Record → the row shown as stored), then a file of 5,000.
    // Each run's stones differ from every earlier one by their price, so none is refused as a duplicate.
    const record = await timed(RUNS, async () => {
      recorded += 1;
      await page.goto(`${server.url}/#/appraisals`);
      const form = page.getByRole('form', { name: 'Record one stone' });
      await form.waitFor();
      const stone: [string, string][] = [
        ['Carat', '0.9'],
        ['Depth', '61.8'],
        ['Table', '57'],
        ['Length (x)', '6.21'],
        ['Width (y)', '6.24'],
        ['Depth (z)', '3.84'],
        ['Price', String(4500 + recorded)],
      ];
      for (const [label, value] of stone) await form.getByLabel(label, { exact: true }).fill(value);
      for (const [group, grade] of [
        ['Cut', 'Ideal'],
        ['Colour', 'G'],
        ['Clarity', 'VS2'],
      ])
        await form
          .getByRole('group', { name: new RegExp(`^${group}`) })
          .locator('label.grade__option', { hasText: new RegExp(`^${grade}$`) })
          .click();
      const t = performance.now();
      await page.getByRole('button', { name: 'Record', exact: true }).click();
      await page.getByTestId('record-stored').waitFor();
      return performance.now() - t;
    });
    const [header, ...stones] = readFileSync(join(DATA, 'diamonds.csv'), 'utf8').trim().split('\n');
    const priceAt = header.split(',').indexOf('price');
    let uploadSummary = '';
    const upload = await timed(RUNS, async () => {
      recorded += 1;
      const shifted = stones.map((line) => {
        const f = line.split(',');
        f[priceAt] = String(Number(f[priceAt]) + recorded);
        return f.join(',');
      });
      await page.goto(`${server.url}/#/appraisals`);
      const t = performance.now();
      await page.getByLabel('CSV file of appraisals').setInputFiles({
        name: `appraisals-${recorded}.csv`,
        mimeType: 'text/csv',
        buffer: Buffer.from(`${header}\n${shifted.join('\n')}\n`),
      });
      const summary = page.getByTestId('upload-summary');
      await summary.waitFor({ timeout: 300_000 });
      const ms = performance.now() - t;
      uploadSummary = ((await summary.locator('.stats').textContent()) ?? '')
        .replace(/([a-z])(\d)/gi, '$1 $2')
        .replace(/(\d)([A-Z])/g, '$1, $2');
      return ms;
    });

    const js = size('.js');
    const css = size('.css');
    rows.push(['bundle: JavaScript', `${kb(js.raw)} (${kb(js.gz)} gzip)`, '']);
    rows.push(['bundle: CSS', `${kb(css.raw)} (${kb(css.gz)} gzip)`, '']);
    rows.push([
      'open the page → form ready',
      `${median(load).toFixed(0)} ms`,
      `min ${Math.min(...load).toFixed(0)} ms`,
    ]);
    rows.push([
      'Appraise → price on screen',
      `${median(appraise).toFixed(0)} ms`,
      `min ${Math.min(...appraise).toFixed(0)} ms`,
    ]);
    rows.push([
      'what-if click → its price',
      `${median(whatIf).toFixed(0)} ms`,
      `min ${Math.min(...whatIf).toFixed(0)} ms`,
    ]);
    rows.push(['batch: diamonds.csv → all results', `${median(reference.times).toFixed(0)} ms`, reference.summary]);
    rows.push(['batch: fresh/2026-11.csv → all results', `${median(november.times).toFixed(0)} ms`, november.summary]);
    rows.push([
      'Appraisals: Record → row shown as stored',
      `${median(record).toFixed(0)} ms`,
      `min ${Math.min(...record).toFixed(0)} ms`,
    ]);
    rows.push(['Appraisals: 5,000-row file → every row settled', `${median(upload).toFixed(0)} ms`, uploadSummary]);
  } finally {
    await browser.close();
    await server.stop();
  }

  console.log(`\nWeb app (median of ${RUNS} runs; server, Chromium and bench share the machine)\n`);
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['what', 'time', 'notes'][i].length));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  console.log(line(['what', 'time', 'notes']));
  console.log(`| ${w.map((n) => '-'.repeat(n)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}

await main();
