import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSplitter, MAX_RECORD_CHARS, splitRecord, strictFieldCount } from '../../src/ingest/csv.js';
import { CI_SEED, propertySeed } from '../helpers/fast-check-seed.js';

/** Feeds text in pieces of `size` characters (to cross every chunk boundary) and collects the records. */
function split(text: string, size = text.length, max?: number) {
  const s = new CsvSplitter(max);
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(...s.push(text.slice(i, i + size)));
  out.push(...s.end());
  return out;
}

describe('splitRecord', () => {
  it('splits a record without quotes exactly as split(",") does', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(',', 'a', '1', '.', ' ', '\r', 'é') }), (text) => {
        expect(splitRecord(text)).toEqual({ fields: text.split(',') });
      }),
      { numRuns: 3000 },
    );
  });

  it('splits plain fields and keeps empty ones', () => {
    expect(splitRecord('a,,b,')).toEqual({ fields: ['a', '', 'b', ''] });
  });
  it('unquotes fields holding commas, doubled quotes and line breaks', () => {
    expect(splitRecord('"a,b","say ""hi""","x\r\ny",""')).toEqual({ fields: ['a,b', 'say "hi"', 'x\r\ny', ''] });
  });
  it('takes a quote inside an unquoted field literally', () => {
    expect(splitRecord('5 1/2",b')).toEqual({ fields: ['5 1/2"', 'b'] });
  });
  it('reports text after a closing quote and a quote never closed', () => {
    expect(splitRecord('"a"b,c')).toEqual({ error: expect.stringMatching(/follows the closing quote of field 1/) });
    expect(splitRecord('"abc')).toEqual({ error: 'a quoted field is never closed' });
  });
});

describe('CsvSplitter', () => {
  const text = 'h1,h2\r\n"multi\r\nline, with comma",2\r\nplain,"q ""x"""\r\n\r\nlast,row';
  it.each([1, 2, 3, 7, 1000])('gives the same records and line numbers whatever the chunk size (%i)', (size) => {
    const records = split(text, size);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ['h1', 'h2']],
      [2, ['multi\r\nline, with comma', '2']],
      [4, ['plain', 'q "x"']],
      [5, ['']],
      [6, ['last', 'row']],
    ]);
    expect(records[1].text).toBe('"multi\r\nline, with comma",2');
  });
  it('treats a quote inside an unquoted field as a character, not as the start of a quoted field', () => {
    expect(split('a,5 1/2"\nb,c\n', 3).map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', '5 1/2"']],
      [2, ['b', 'c']],
    ]);
  });
  it('handles LF endings and a missing final line break', () => {
    expect(split('a,b\nc,d').map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(split('a,b\nc,d\n').map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });
  it('returns a quote never closed at the end of input as a record with an error', () => {
    const records = split('a,b\n"open,1\n2,3\n');
    expect(records[1]).toMatchObject({ line: 2, error: 'a quoted field is never closed', fields: [] });
  });
  const broken = 'h1,h2\r\n"stray,1\r\na,b\rc,d\n"x\ny",2\ne,"open\nf\r\n"g,3\n';
  it.each([1, 2, 3, 5, 1000])(
    'ends lines at LF, CRLF or a lone CR, and a stray quote at the next whole row, whatever the chunk size (%i)',
    (size) => {
      expect(split(broken, size).map((r) => [r.line, r.error ?? r.fields])).toEqual([
        [1, ['h1', 'h2']],
        [2, 'a quoted field is never closed'], // cut before line 3, which is a whole row of two fields
        [3, ['a', 'b']],
        [4, ['c', 'd']],
        [5, ['x\ny', '2']], // a quoted line break inside a valid two-field record
        [7, 'a quoted field is never closed'], // lines 7–9 make no valid record together: each is read on its own
        [8, ['f']],
        [9, 'a quoted field is never closed'],
      ]);
    },
  );
  it('reads a header on one line only', () => {
    expect(split('"h1\nh2",x\na,b\n').map((r) => [r.line, r.error ?? r.fields])).toEqual([
      [1, 'a quoted field is never closed'],
      [2, ['h2"', 'x']],
      [3, ['a', 'b']],
    ]);
  });
  it('counts the fields of strict CSV lines only', () => {
    expect(strictFieldCount('a,"b,c",')).toBe(3);
    expect(strictFieldCount('"a""b"')).toBe(1);
    expect(strictFieldCount('5 1/2",b')).toBe(-1);
    expect(strictFieldCount('"a"b,c')).toBe(-1);
    expect(strictFieldCount('"open,1')).toBe(-1);
  });
});

/** What a splitter makes of text cut at `cuts`: its records, or the message of the error that failed the input. */
function outcome(text: string, cuts: readonly number[], max?: number) {
  const s = new CsvSplitter(max);
  const records = [];
  try {
    let from = 0;
    for (const to of [...cuts, text.length]) {
      records.push(...s.push(text.slice(from, to)));
      from = to;
    }
    records.push(...s.end());
  } catch (err) {
    return { failed: (err as Error).message };
  }
  return records;
}

describe('CsvSplitter: a record longer than the bound', () => {
  const row = '0.5,Ideal,G,VS2';
  const lines = [
    'carat,cut,color,clarity',
    row,
    'x'.repeat(70_000), // no quote at all
    row,
    `1,${'y'.repeat(131_000)}`, // twice the bound and more, CRLF
    row,
    `1,"${'z'.repeat(70_000)}",G,VS2`, // a quoted field that is closed
    row,
    'v'.repeat(MAX_RECORD_CHARS), // exactly the bound: a record like any other
    'u'.repeat(MAX_RECORD_CHARS + 1),
    `1,"${'w'.repeat(80_000)}`, // a quote opened and not closed, on a line of its own before a whole row
    row,
  ];
  const text = `${lines.slice(0, 5).join('\n')}\r\n${lines.slice(5).join('\n')}`;
  const tooLong = 'longer than 65,536 characters, the most one row may have';
  const expected = [
    [1, ['carat', 'cut', 'color', 'clarity']],
    [2, row.split(',')],
    [3, tooLong],
    [4, row.split(',')],
    [5, tooLong],
    [6, row.split(',')],
    [7, tooLong],
    [8, row.split(',')],
    [9, ['v'.repeat(MAX_RECORD_CHARS)]],
    [10, tooLong],
    [11, tooLong],
    [12, row.split(',')],
  ];

  it.each([1, 7, 4096, 65_535, 65_536, 65_537, 70_001, 131_072, text.length])(
    'is one rejected row, and the rows after it are read, whatever the chunk size (%i)',
    (size) => {
      const records = split(text, size);
      expect(records.map((r) => [r.line, r.error ?? r.fields])).toEqual(expected);
      const long = records.filter((r) => r.tooLong);
      expect(long.map((r) => r.line)).toEqual([3, 5, 7, 10, 11]);
      // What is kept of it is its first characters, never more than the bound.
      for (const r of long)
        expect(lines[r.line - 1].startsWith(r.text) && r.text.length === MAX_RECORD_CHARS).toBe(true);
    },
  );

  it('fails the input when it is a quote opened and never closed over lines holding text (they cannot be read again)', () => {
    const open = `a,b\n1,2\n3,"${'q'.repeat(40_000)}\n${'q'.repeat(40_000)}\nno comma here\n4,5\n`;
    for (const size of [1, 7, 65_536, open.length]) {
      expect(outcome(open, cuts(open.length, size))).toEqual({
        failed:
          'the record starting on line 3 is longer than 65,536 characters; a quote (") was probably opened and never closed',
      });
    }
    // The same at the end of the input, with no whole row after it.
    expect(outcome(open.slice(0, open.indexOf('\n4,5')), [])).toMatchObject({
      failed: expect.stringMatching(/line 3 .* never closed/),
    });
  });

  it('is one rejected row when a quote left open runs over no line holding text (a stray quote on one line)', () => {
    const stray = `a,b\n1,"${'q'.repeat(70_000)}`;
    for (const text of [stray, `${stray}\n`, `${stray}\n\n`, `${stray}\n3,4\n`])
      for (const size of [1, 7, 65_536, text.length])
        expect(split(text, size).map((r) => [r.line, r.tooLong ?? r.fields])).toEqual([
          [1, ['a', 'b']],
          [2, true],
          ...(text.endsWith('3,4\n') ? [[3, ['3', '4']]] : []),
        ]);
  });

  it("is one rejected row when a closed quoted field spans lines and the record has the header's width", () => {
    const note = `a,b\n1,"${'n'.repeat(40_000)}\n${'n'.repeat(40_000)}"\n2,3\n`;
    for (const size of [1, 7, 65_536, note.length])
      expect(split(note, size).map((r) => [r.line, r.tooLong ?? r.fields])).toEqual([
        [1, ['a', 'b']],
        [2, true],
        [4, ['2', '3']],
      ]);
  });

  it('holds no more than a few times the bound, however long the line', () => {
    const s = new CsvSplitter();
    const chunk = 'x'.repeat(1 << 16);
    s.push('a,b\n');
    let most = 0;
    for (let k = 0; k < 160; k++) {
      s.push(chunk); // 10 M characters without a line break
      most = Math.max(most, s.bufferedChars);
    }
    expect(most).toBeLessThanOrEqual(5 * MAX_RECORD_CHARS);
    expect([...s.push('\n1,2\n'), ...s.end()].map((r) => [r.line, r.tooLong ?? r.fields])).toEqual([
      [2, true],
      [3, ['1', '2']],
    ]);
  });

  it('gives the same records (or the same failure) wherever the input is cut (a bound of a few characters)', () => {
    const unit = fc.constantFrom('a', 'a', 'a', ',', ',', '"', '\n', '\r', '\r\n');
    fc.assert(
      fc.property(
        fc.constantFrom('', 'h,h\n', 'h,h,h\n'),
        fc.string({ unit, maxLength: 80 }),
        fc.integer({ min: 1, max: 12 }),
        fc.uniqueArray(fc.nat({ max: 100 }), { maxLength: 12 }),
        (header, body, max, at) => {
          const text = header + body;
          const whole = outcome(text, [], max);
          const cutAt = at.filter((c) => c < text.length).sort((a, b) => a - b);
          expect(outcome(text, cutAt, max)).toEqual(whole);
          expect(outcome(text, cuts(text.length, 1), max)).toEqual(whole);
          if (!('failed' in whole)) for (const r of whole) expect(r.text.length).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 4000, seed: propertySeed(process.env) ?? CI_SEED },
    );
  });
});

/** Cut points every `size` characters. */
function cuts(length: number, size: number): number[] {
  const out = [];
  for (let i = size; i < length; i += size) out.push(i);
  return out;
}
