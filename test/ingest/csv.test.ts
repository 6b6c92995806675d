import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSplitter, MAX_RECORD_CHARS, splitRecord, strictFieldCount } from '../../src/ingest/csv.js';

/** Feeds text in pieces of `size` characters (to cross every chunk boundary) and collects the records. */
function split(text: string, size = text.length) {
  const s = new CsvSplitter();
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
  it('refuses a record longer than the limit instead of buffering without bound', () => {
    const s = new CsvSplitter();
    expect(() => s.push(`"${'x'.repeat(MAX_RECORD_CHARS + 10)}`)).toThrow(/line 1 .* never closed/);
  });
});
