import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestFileError, readAppraisals, readReferenceSplit } from '../../src/ingest/index.js';
import { DATA, HEADER, ROW_A, ROW_B, tempHome, type TempHome } from './helpers.js';
import { STONE_A } from '../helpers/stones.js';

let home: TempHome;
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

const A = STONE_A;

async function failure(content: string | Buffer, name = 'bad.csv'): Promise<string> {
  const path = home.file(name, content);
  const err = await readAppraisals(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IngestFileError);
  return (err as IngestFileError).message;
}

describe('readAppraisals', () => {
  it('reads UTF-8 with a byte-order mark and CRLF endings', async () => {
    const rows = await readAppraisals(home.file('bom.csv', `\uFEFF${HEADER}\r\n${ROW_A}\r\n${ROW_B}\r\n`));
    expect(rows.map((r) => [r.line, r.dataRow, r.rawText])).toEqual([
      [2, 0, ROW_A],
      [3, 1, ROW_B],
    ]);
    expect(rows[0].result).toEqual({ ok: true, value: A, normalised: [] });
  });

  it('matches columns by name in any order and letter case, and keeps extra columns aside', async () => {
    const path = home.file(
      'order.csv',
      ' Price ,stone_id,z,y,x,table,depth,clarity,color,cut,CARAT,appraised_on\n4733,FR-1,4.11,6.65,6.61,55.0,62.0,SI2,H,Ideal,1.1,2026-11-10\n',
    );
    const [row] = await readAppraisals(path);
    expect(row.result.ok && row.result.value).toEqual(A);
    expect(row.extra).toEqual({ stone_id: 'FR-1', appraised_on: '2026-11-10' });
    expect(row.raw.carat).toBe('1.1');
  });

  it('reads a Colour column (the British spelling) as color; refuses a semicolon-separated file naming the delimiter', async () => {
    const path = home.file('colour.csv', `carat,cut,Colour,clarity,depth,table,price,x,y,z\n${ROW_A}\n`);
    const [row] = await readAppraisals(path);
    expect(row.result.ok && row.result.value).toEqual(A);
    const semicolons = home.file(
      'european.csv',
      'carat;cut;color;clarity;depth;table;price;x;y;z\n1,1;Ideal;H;SI2;62,0;55,0;4733;6,61;6,65;4,11\n',
    );
    const refused = await readAppraisals(semicolons).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(IngestFileError);
    expect((refused as Error).message).toMatch(
      /separated by semicolons \(;\), not commas.*save the file as comma-separated/,
    );
    // a header with both spellings names one column twice
    const both = home.file('both.csv', `carat,cut,color,Colour,clarity,depth,table,price,x,y,z\n`);
    await expect(readAppraisals(both)).rejects.toThrow(/names column "color" twice/);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, counting physical lines', async () => {
    const path = home.file(
      'quoted.csv',
      `${HEADER},note\n${ROW_A},"a note, with ""quotes""\nover two lines"\n${ROW_B},plain\n`,
    );
    const rows = await readAppraisals(path);
    expect(rows.map((r) => [r.line, r.dataRow])).toEqual([
      [2, 0],
      [4, 1],
    ]);
    expect(rows[0].extra.note).toBe('a note, with "quotes"\nover two lines');
    expect(rows[1].result.ok).toBe(true);
  });

  it('rejects a row with too few or too many fields as malformed, and goes on', async () => {
    const path = home.file(
      'ragged.csv',
      `${HEADER}\n1.1,Ideal,H,SI2,62.0,55.0,4733,6.61,6.65\n${ROW_A},extra\n${ROW_B}\n`,
    );
    const rows = await readAppraisals(path);
    expect(rows.map((r) => (r.result.ok ? 'ok' : r.result.problems.map((p) => p.code).join()))).toEqual([
      'malformed_row',
      'malformed_row',
      'ok',
    ]);
    const [few, many] = rows.map((r) => (r.result.ok ? '' : r.result.problems[0].message));
    expect(few).toMatch(/^Line 2 has 9 fields but the header has 10; a value or a comma is probably missing/);
    expect(many).toMatch(/^Line 3 has 11 fields but the header has 10; .*comma/);
  });

  it('rejects a row with broken quoting as malformed', async () => {
    const rows = await readAppraisals(
      home.file('q.csv', `${HEADER}\n"1.1"x,Ideal,H,SI2,62.0,55.0,4733,6.61,6.65,4.11\n${ROW_B}\n`),
    );
    expect(!rows[0].result.ok && rows[0].result.problems[0]).toMatchObject({
      code: 'malformed_row',
      message: expect.stringMatching(/closing quote/),
    });
    expect(rows[1].result.ok).toBe(true);
  });

  it('skips blank lines but keeps line numbers true', async () => {
    const rows = await readAppraisals(home.file('blank.csv', `${HEADER}\n\n${ROW_A}\n\n\n${ROW_B}`));
    expect(rows.map((r) => [r.line, r.dataRow])).toEqual([
      [3, 0],
      [6, 1],
    ]);
  });

  it('fails the whole file when a required column is missing, naming it', async () => {
    expect(
      await failure(`carat,cut,color,clarity,depth,table,x,y,z\n1.1,Ideal,H,SI2,62.0,55.0,6.61,6.65,4.11\n`),
    ).toMatch(/required column price missing/);
  });
  it('fails a header naming a column twice', async () => {
    expect(await failure(`${HEADER},Price\n${ROW_A},1\n`)).toMatch(/names column "price" twice/);
  });
  it('fails an empty file, a file of only a BOM, and a header without rows', async () => {
    expect(await failure('')).toMatch(/is empty/);
    expect(await failure('\uFEFF\r\n')).toMatch(/no text/);
    expect(await failure(`${HEADER}\r\n`)).toMatch(/header but no rows/);
  });
  it('fails a binary file and a file that is not UTF-8', async () => {
    expect(await failure(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).toMatch(/binary.*NUL byte at byte 4/);
    expect(
      await failure(Buffer.concat([Buffer.from(`${HEADER}\n1.1,Id`), Buffer.from([0xe9]), Buffer.from('al,H\n')])),
    ).toMatch(/not UTF-8/);
  });
  it('fails a missing file and a directory', async () => {
    const err = await readAppraisals(join(home.dir, 'nope.csv')).catch((e: unknown) => e);
    expect((err as Error).message).toBe('nope.csv: no such file');
    mkdirSync(join(home.dir, 'folder.csv'));
    expect(((await readAppraisals(join(home.dir, 'folder.csv')).catch((e: unknown) => e)) as Error).message).toMatch(
      /is a directory/,
    );
  });
});

describe('readReferenceSplit', () => {
  it('reads the 998 test rows of the reference split, skipping comments', async () => {
    const split = readReferenceSplit(join(DATA, 'diamonds.reference-split.txt'));
    expect(split).toHaveLength(998);
    expect(split.slice(0, 3)).toEqual([8, 12, 17]);
    expect(new Set(split).size).toBe(998);
    // The numbering is ReadRow.dataRow: every test row exists in the reference file.
    const rows = await readAppraisals(join(DATA, 'diamonds.csv'));
    expect(Math.max(...split)).toBeLessThan(rows.length);
    expect(rows[8].dataRow).toBe(8);
  });
});
