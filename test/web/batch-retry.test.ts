/**
 * Trying again the batch rows the server never answered for (it was down or the request failed): only those rows
 * are sent, the rows fixed in the meantime and the rows in error stay as they are, and a row that is now priced
 * loses its "not appraised" problem. fetch is replaced by a stand-in server: first unreachable, then answering.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appraiseRows, batchTotals, readBatchFile, resultsCsv, unansweredRows } from '../../web/src/batch/batch.js';
import { csvRows } from '../helpers/batch-csv.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const FILE =
  'stock,carat,cut,color,clarity\nA1,0.9,Ideal,G,VS2\nA2,12,Ideal,G,VS2\nA3,0.5,Good,H,SI1\nA4,"0,7",Good,H,SI1\n';

describe('trying the unanswered batch rows again', () => {
  it('sends only the rows the server never answered for, and prices them', async () => {
    const read = readBatchFile('week.csv', FILE);
    if (!read.ok) throw new Error(read.message);
    const { rows } = read.file;

    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')));
    await appraiseRows(rows, () => {});
    expect(rows.map((r) => r.problems?.[0]?.code)).toEqual([
      'request_failed',
      'out_of_range',
      'request_failed',
      'not_a_number',
    ]);
    expect(unansweredRows(rows).map((r) => r.line)).toEqual([2, 4]);

    const sent: unknown[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      const { stones } = JSON.parse(String(init.body)) as { stones: { carat: number }[] };
      sent.push(...stones);
      const results = stones.map((s, index) => ({
        index,
        ok: true,
        valuation: { price: Math.round(s.carat * 5000), range: null, modelVersion: 'v0001', warnings: [] },
      }));
      return new Response(JSON.stringify({ results }), { headers: { 'content-type': 'application/json' } });
    });
    await appraiseRows(unansweredRows(rows), () => {});
    expect(sent).toEqual([
      { carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2' },
      { carat: 0.5, cut: 'Good', color: 'H', clarity: 'SI1' },
    ]);
    expect(unansweredRows(rows)).toEqual([]);
    expect(batchTotals(read.file)).toEqual({ stones: 4, valued: 2, failed: 2, sumOfPrices: 7000 });
    // The priced rows carry no error into the download; the rows in error keep theirs.
    const out = csvRows(resultsCsv(read.file));
    expect(out.map((r) => r[9])).toEqual([
      'error',
      '',
      expect.stringMatching(/^Carat 12/),
      '',
      expect.stringMatching(/^Carat "0,7"/),
    ]);
  });
});
