/**
 * Files that end before their first row, broken quoting, stray line breaks: each file either goes in with every
 * row accepted or rejected (accepted + rejected = rows) or fails as a whole with a message, and nothing throws.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestFile, readAppraisals } from '../../src/ingest/index.js';
import { ingestIncoming } from '../../src/pipeline/incoming.js';
import { countDiamonds } from '../../src/store/diamonds.js';
import { listFiles } from '../../src/store/files.js';
import { HEADER, REFERENCE, ROW_A, ROW_B, tempHome, type TempHome } from './helpers.js';

let home: TempHome;
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

/** Data rows 1..n of the reference file, as they stand. */
const referenceRows = (n: number): string[] => readFileSync(REFERENCE, 'utf8').split('\n').slice(1, n + 1);

/** What each row became: 'ok' or its first reason code. */
async function outcomes(content: string): Promise<string[]> {
  const rows = await readAppraisals(home.file('t.csv', content));
  return rows.map((r) => (r.result.ok ? 'ok' : r.result.problems[0].code));
}

describe('a file that ends before its first row', () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['a header without a line feed', HEADER, /has a header but no rows/],
    ['a header ending in CR', `${HEADER}\r`, /has a header but no rows/],
    ['only CRs', '\r\r\r\r', /holds no text/],
    ['only a byte-order mark', '\uFEFF', /holds no text/],
    ['a byte-order mark and a header without a line feed', `\uFEFF${HEADER}`, /has a header but no rows/],
  ];
  it.each(cases)('%s fails as a whole with a message, storing nothing', async (_, content, message) => {
    const s = await ingestFile(home.db, home.file('short.csv', content));
    expect(s).toMatchObject({ status: 'failed', file: 'short.csv', rowsRead: 0 });
    expect(s.message).toMatch(message);
    expect(listFiles(home.db)).toEqual([]);
    expect(home.db.inTransaction).toBe(false);
  });

  it('in the landing folder: moves to failed/ with its report, and the files beside it go in', async () => {
    const incoming = join(home.dir, 'incoming');
    mkdirSync(incoming);
    writeFileSync(join(incoming, 'a-header-only.csv'), HEADER);
    writeFileSync(join(incoming, 'b-bom-only.csv'), '\uFEFF');
    writeFileSync(join(incoming, 'c-good.csv'), `${HEADER}\n${ROW_A}\n${ROW_B}\n`);
    const out = await ingestIncoming(home.db, incoming);
    expect(out.map((o) => [o.file, o.status])).toEqual([['a-header-only.csv', 'failed'], ['b-bom-only.csv', 'failed'], ['c-good.csv', 'ingested']]);
    expect(readdirSync(join(incoming, 'failed')).sort()).toEqual([
      'a-header-only.csv', 'a-header-only.csv.report.json', 'b-bom-only.csv', 'b-bom-only.csv.report.json',
    ]);
    const report = JSON.parse(readFileSync(join(incoming, 'failed', 'a-header-only.csv.report.json'), 'utf8')) as { message: string };
    expect(report.message).toMatch(/header but no rows/);
    expect(countDiamonds(home.db)).toBe(2);
  });
});

describe('a broken row costs that row only', () => {
  it('a stray opening quote does not swallow the rows after it', async () => {
    const good = referenceRows(12);
    const stray = good[0].replace(',Ideal,', ',"Ideal,');
    // A later quote would have closed the stray one, turning ten valid rows into one rejected row.
    const content = `${HEADER},note\n${stray},\n${good.slice(1, 11).map((r) => `${r},`).join('\n')}\n${good[11]},"a ""quoted"" note"\n`;
    expect(await outcomes(content)).toEqual(['malformed_row', ...Array(11).fill('ok')]);
    const s = await ingestFile(home.db, home.file('stray.csv', content));
    expect(s).toMatchObject({ status: 'ingested', rowsRead: 12, accepted: 11, rejected: 1, byReason: { malformed_row: 1 } });
  });

  it('a stray quote near the top of a large file is one rejected row, not a record "longer than 65,536 characters"', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `1.1,Ideal,H,SI2,62.0,55.0,${4000 + i},6.61,6.65,4.11`);
    rows[1] = `"${rows[1]}`;
    const s = await ingestFile(home.db, home.file('stray-top.csv', `${HEADER}\n${rows.join('\n')}\n`));
    expect(s).toMatchObject({ status: 'ingested', rowsRead: 3000, accepted: 2999, rejected: 1, byReason: { malformed_row: 1 } });
  });

  it('a quoted field still spans lines that are not whole rows', async () => {
    const rows = await readAppraisals(home.file('note.csv', `${HEADER},note\n${ROW_A},"first line\nsecond, line\nthird"\n${ROW_B},\n`));
    expect(rows.map((r) => [r.line, r.result.ok])).toEqual([[2, true], [5, true]]);
    expect(rows[0].extra.note).toBe('first line\nsecond, line\nthird');
  });

  it('a lone CR inside an LF file ends a row (as in CR and CRLF files), so two rows are not merged', async () => {
    expect(await outcomes(`${HEADER}\n${ROW_A}\r${ROW_B}\n`)).toEqual(['ok', 'ok']);
    const rows = await readAppraisals(home.file('cr.csv', `${HEADER}\r${ROW_A}\r${ROW_B}\r`));
    expect(rows.map((r) => [r.line, r.result.ok])).toEqual([[2, true], [3, true]]);
  });

  it('keeps accepted + rejected = rows, stray quotes and CRs included', async () => {
    const good = referenceRows(40);
    const lines = good.map((r, i) => (i % 7 === 3 ? `"${r}` : i % 11 === 5 ? r.replace(',', ',"') : r));
    const content = `${HEADER}\n${lines.join('\n')}\n`;
    const s = await ingestFile(home.db, home.file('mixed.csv', content));
    expect(s.status).toBe('ingested');
    expect(s.rowsRead).toBe(40);
    expect(s.accepted + s.rejected).toBe(40);
  });
});
