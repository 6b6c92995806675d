/** The rejects export: safe to open in a spreadsheet, and a fixed export ingests and exports again as it did. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestFile, toRejectsCsv } from '../../src/ingest/index.js';
import { listRejects } from '../../src/store/rejects.js';
import { HEADER, ROW_A, tempHome, type TempHome } from './helpers.js';

let home: TempHome;
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

/** Ingests a file and returns the export of its rejects, as `loupe rejects export` writes it. */
async function ingestAndExport(name: string, content: string): Promise<string> {
  const s = await ingestFile(home.db, home.file(name, content));
  expect(s.status).toBe('ingested');
  const fileId = home.db.prepare('SELECT id, header FROM files WHERE name = ?').get(name) as {
    id: number;
    header: string;
  };
  return `${[...toRejectsCsv(fileId.header, listRejects(home.db, { fileId: fileId.id }))].join('\n')}\n`;
}

describe('rejects export', () => {
  it('neutralises formula-like cells, in rows and header, and keeps numbers (a price of -1) intact', async () => {
    const csv = await ingestAndExport(
      'f.csv',
      `${HEADER},stone_id,@note\n` +
        `1.1,Ideal,H,SI2,62.0,55.0,-1,6.61,6.65,4.11,=HYPERLINK("http://evil.example"),ok\n` +
        `1.2,Ideal,H,SI2,62.0,55.0,=1+2,6.61,6.65,4.11,A-7,@SUM(1+1)\n`,
    );
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(`${HEADER},stone_id,"'@note",reasons`);
    expect(lines[1]).toMatch(
      /^1\.1,Ideal,H,SI2,62\.0,55\.0,-1,6\.61,6\.65,4\.11,"'=HYPERLINK\(""http:\/\/evil\.example""\)",ok,/,
    );
    expect(lines[2]).toMatch(/^1\.2,Ideal,H,SI2,62\.0,55\.0,"'=1\+2",6\.61,6\.65,4\.11,A-7,"'@SUM\(1\+1\)",/);
    for (const line of lines) for (const cell of line.split(',')) expect(cell).not.toMatch(/^[=+@\t\r]/);
  });

  it('keeps a row without formula-like cells exactly as it stood', async () => {
    const csv = await ingestAndExport('plain.csv', `${HEADER}\n1.1, ideal ,H,SI2,62.0,55.0,0,6.61,6.65,4.11\n`);
    expect(csv.split('\n')[1]).toMatch(/^1\.1, ideal ,H,SI2,62\.0,55\.0,0,6\.61,6\.65,4\.11,"Price 0 is a placeholder/);
  });

  it('round trip: export → fix one row → ingest → export has one reasons column and ingests again', async () => {
    const first = await ingestAndExport(
      'batch.csv',
      `${HEADER}\n${ROW_A}\n1.29,Ideal,H,SI1,62.6,56.0,-1,6.96,6.93,4.35\n1.3,Ideal,H,SI1,62.6,56.0,$6424,6.96,6.93,4.35\n`,
    );
    expect(first.split('\n')[0]).toBe(`${HEADER},reasons`);
    // The user fixes the second row only; the first stays wrong.
    const fixed = first.replace('$6424', '6424');
    const second = await ingestAndExport('batch-fix.csv', fixed);
    const lines = second.trimEnd().split('\n');
    expect(lines[0]).toBe(`${HEADER},reasons`);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^1\.29,Ideal,H,SI1,62\.6,56\.0,-1,6\.96,6\.93,4\.35,"Price -1 is a placeholder/);
    // And that export, fixed, goes in.
    const s = await ingestFile(home.db, home.file('batch-fix-2.csv', second.replace(',-1,', ',6424,')));
    expect(s).toMatchObject({ status: 'ingested', rowsRead: 1, accepted: 1, rejected: 0 });
  });
});
