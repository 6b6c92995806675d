/**
 * The web app's batch file reading (web/src/batch): the RFC 4180 reader and writer, and reading a whole file into
 * rows — cross-checked against the ingestion pipeline's own reader on every real data file, so a CSV uploaded in
 * the browser is read exactly as `loupe ingest` would read it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STONE_FIELDS, isFormulaLike, validateStoneToValue } from '../../src/diamond/index.js';
import { readAppraisals } from '../../src/ingest/rows.js';
import { batchTotals, filePrice, readBatchFile, resultsCsv } from '../../web/src/batch/batch.js';
import { parseCsv, toCsv } from '../../web/src/batch/csv.js';
import { csvRows, resultsHeader } from '../helpers/batch-csv.js';

const DATA = '../shared/data';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks; CRLF or LF; drops a BOM and blank lines', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\n\n1,,3\r\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { line: 5, fields: ['1', '', '3'] },
    ]);
  });

  it('reports broken quoting on the record it breaks, and goes on', () => {
    const [bad] = parseCsv('"abc"def,1\n');
    expect(bad.error).toMatch(/after a closing quote/);
    const records = parseCsv('a,b\n"open,1\n');
    expect(records[1].error).toMatch(/never closed/);
  });

  it('reads back what toCsv writes, for any text', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', ',', '"', '\n', '\r', 'é', '\uFEFF') });
    const row = fc.array(field, { minLength: 2, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 8 }), (rows) => {
        const width = rows[0].length;
        const table = rows.map((r) => [...r, ...Array(width).fill('')].slice(0, width));
        // A leading BOM in the first field would be taken for the file's byte-order mark; a writer never emits one.
        if (table[0][0].startsWith('\uFEFF')) table[0][0] = `x${table[0][0]}`;
        // A formula-like cell (here: one starting with CR) comes back neutralised, with a leading quote.
        const neutralised = table.map((r) => r.map((f) => (isFormulaLike(f) ? `'${f}` : f)));
        expect(parseCsv(toCsv(table)).map((r) => r.fields)).toEqual(neutralised);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('the batch download', () => {
  it('neutralises formula-like cells of the uploaded file (OWASP) and keeps numbers, negative ones included', () => {
    const read = readBatchFile(
      's.csv',
      'id,carat,cut,color,clarity,depth,table,x,y,z\n=1+2,0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n@SUM(1+1),-1,Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n',
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const lines = resultsCsv(read.file).split('\r\n');
    expect(lines[1]).toMatch(/^"'=1\+2",0\.9,Ideal,/);
    expect(lines[2]).toMatch(/^"'@SUM\(1\+1\)",-1,Ideal,/);
  });
});

describe('readBatchFile', () => {
  it('needs the 4Cs columns, in any order, and says which are missing', () => {
    const read = readBatchFile(
      's.csv',
      'carat,cut,colr,clarity,depth,table,x,y,z\n0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n',
    );
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.message).toContain('"color"');
  });

  it('values a stone from its 4Cs alone, as the form and the API do: measurements all five or none', () => {
    const fourCs = readBatchFile('fourcs.csv', 'stock,carat,cut,color,clarity\nA1,0.9,Ideal,G,VS2\n');
    if (!fourCs.ok) throw new Error(fourCs.message);
    expect(fourCs.file.rows[0].stone).toEqual({ carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2' });

    const mixed = readBatchFile(
      'mixed.csv',
      'stock,carat,cut,color,clarity,depth,table,x,y,z\n' +
        'A1,0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84\nA3,0.7,Good,H,SI1,,,,,\nA4,0.7,Good,H,SI1,61.8,,6.2,6.24,3.84\n',
    );
    if (!mixed.ok) throw new Error(mixed.message);
    const [full, bare, partial] = mixed.file.rows;
    expect(full.stone).toMatchObject({ depth: 61.8, z: 3.84 });
    expect(bare.stone).toEqual({ carat: 0.7, cut: 'Good', color: 'H', clarity: 'SI1' });
    expect(bare.problems).toBeUndefined();
    expect(partial.stone).toBeUndefined();
    expect(partial.problems?.map((p) => p.message)).toEqual([
      'Table is missing: give all five measurements (depth, table, x, y, z) or none, to value the stone from its 4Cs alone.',
    ]);

    // Some measurement columns without the others: no row could be valued whole, so the file is refused.
    const some = readBatchFile('some.csv', 'carat,cut,color,clarity,depth,table\n0.9,Ideal,G,VS2,61.8,57\n');
    expect(some).toEqual({
      ok: false,
      message:
        'some.csv has the measurement columns "depth", "table" but no "x", "y", "z": give all five (depth, table, x, y, z) or none, to value the stones from their 4Cs alone.',
    });
  });

  it('reads a Colour column as color, and refuses a semicolon-separated file naming the delimiter, as ingestion does', () => {
    const colour = readBatchFile(
      'c.csv',
      'carat,cut,Colour,clarity,depth,table,x,y,z\n0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n',
    );
    expect(colour.ok && colour.file.rows[0].stone).toMatchObject({ color: 'G' });
    const semicolons = readBatchFile(
      'eu.csv',
      'carat;cut;color;clarity;depth;table;x;y;z\n0,9;Ideal;G;VS2;61,8;57;6,2;6,24;3,84\n',
    );
    expect(semicolons).toEqual({
      ok: false,
      message: expect.stringMatching(/^eu\.csv: the columns are separated by semicolons \(;\), not commas/),
    });
  });

  it('gives a row with the wrong number of fields a malformed_row problem, and keeps every row', () => {
    const read = readBatchFile(
      's.csv',
      'id,carat,cut,color,clarity,depth,table,x,y,z\nA,0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84\nB,0.9,Ideal\n',
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.file.rows.map((r) => r.line)).toEqual([2, 3]);
    expect(read.file.rows[0].stone).toEqual({
      carat: 0.9,
      cut: 'Ideal',
      color: 'G',
      clarity: 'VS2',
      depth: 61.8,
      table: 57,
      x: 6.2,
      y: 6.24,
      z: 3.84,
    });
    expect(read.file.rows[1].problems?.[0].code).toBe('malformed_row');
    // The results keep the file's columns and add ours; a file with its own price column gets ours prefixed.
    const out = csvRows(resultsCsv(read.file));
    expect(out[0]).toEqual(resultsHeader('id'));
    expect(out[2][0]).toBe('B');
    expect(out[2][14]).toMatch(/3 fields but the header has 10/);
    const priced = readBatchFile(
      'p.csv',
      'carat,cut,color,clarity,depth,table,price,x,y,z\n0.9,Ideal,G,VS2,61.8,57,4000,6.2,6.24,3.84\n',
    );
    if (priced.ok)
      expect(csvRows(resultsCsv(priced.file))[0].slice(10)).toEqual([
        'loupe_price',
        'loupe_price_low',
        'loupe_price_high',
        'loupe_model_version',
        'loupe_error',
        'loupe_notes',
      ]);
  });

  it('reads grades in another case or spacing as the API does, and says so in the table and the download', () => {
    const read = readBatchFile(
      's.csv',
      'id,carat,cut,color,clarity,depth,table,x,y,z\nA,0.9,ideal,g, vs2 ,61.8,57,6.2,6.24,3.84\nB,"0,9",Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n',
    );
    if (!read.ok) throw new Error(read.message);
    const [a, b] = read.file.rows;
    expect(a?.stone).toMatchObject({ cut: 'Ideal', color: 'G', clarity: 'VS2' });
    expect(a?.normalised).toEqual([
      { field: 'cut', from: 'ideal', to: 'Ideal' },
      { field: 'color', from: 'g', to: 'G' },
      { field: 'clarity', from: ' vs2 ', to: 'VS2' },
    ]);
    // A number is never repaired: the decimal comma is an error with what was probably meant.
    expect(b?.stone).toBeUndefined();
    expect(b?.problems?.[0]).toMatchObject({
      field: 'carat',
      suggestion: '0.9 (with a decimal point instead of a comma)',
    });
    const out = csvRows(resultsCsv(read.file));
    expect(out[1]?.[15]).toBe(
      'Cut "ideal" was read as Ideal (grades are matched whatever their letter case and spacing). Colour "g" was read as G (grades are matched whatever their letter case and spacing). Clarity " vs2 " was read as VS2 (grades are matched whatever their letter case and spacing).',
    );
    expect(out[2]?.[14]).toMatch(/probably meant 0\.9/);
  });

  const files = ['diamonds.csv', 'fresh/2026-09.csv', 'fresh/2026-10.csv', 'fresh/2026-11.csv'].map(
    (f) => `${DATA}/${f}`,
  );
  it.each(files.filter((f) => existsSync(f)))('reads %s as the ingestion pipeline does', async (path) => {
    const [mine, theirs] = await Promise.all([
      readFile(path, 'utf8').then((t) => readBatchFile(path, t)),
      readAppraisals(path),
    ]);
    expect(mine.ok).toBe(true);
    if (!mine.ok) return;
    const byLine = new Map(mine.file.rows.map((r) => [r.line, r]));
    let compared = 0;
    for (const row of theirs) {
      const web = byLine.get(row.line);
      expect(web, `line ${row.line}`).toBeDefined();
      if (Object.keys(row.raw).length === 0) continue; // a record ingestion could not split: compared by line only
      const expected = validateStoneToValue(Object.fromEntries(STONE_FIELDS.map((f) => [f, row.raw[f]])));
      if (expected.ok) expect(web!.stone, `line ${row.line}`).toEqual(expected.value);
      else expect(web!.problems, `line ${row.line}`).toEqual(expected.problems);
      compared++;
    }
    expect(mine.file.rows.length).toBe(theirs.length);
    expect(compared).toBeGreaterThan(0.9 * theirs.length);
  });
});

describe("batch totals and the file's own price", () => {
  it("counts stones, valued and failed rows, adds up Loupe's prices, and reads the file's price column", () => {
    const read = readBatchFile(
      'week.csv',
      'carat,cut,color,clarity,depth,table,x,y,z,Price\n0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84,4400\n' +
        '12,Ideal,D,IF,61.0,55,6.5,6.5,3.97,n/a\n0.5,Good,H,SI1,63,57,5.05,5.08,3.19,\n',
    );
    if (!read.ok) throw new Error(read.message);
    const { file } = read;
    const [first, second, third] = file.rows;
    // As appraiseRows leaves them: two valued, the out-of-range carat failed.
    first.valuation = { price: 4530 } as never;
    third.valuation = { price: 1270 } as never;
    expect(second.problems?.[0].field).toBe('carat');
    expect(batchTotals(file)).toEqual({ stones: 3, valued: 2, failed: 1, sumOfPrices: 5800 });
    expect(file.rows.map((r) => filePrice(file, r))).toEqual([4400, undefined, undefined]);
  });
});
