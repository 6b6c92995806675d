import { describe, expect, it } from 'vitest';
import { csvCell, isFormulaLike } from '../../src/diamond/index.js';

describe('csvCell: one cell of any CSV Loupe writes', () => {
  it.each([
    ['=1+2', `"'=1+2"`],
    ['@SUM(1+1)', `"'@SUM(1+1)"`],
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+1-2', `"'+1-2"`],
    ['-1+2', `"'-1+2"`],
    ['\tcmd', `"'\tcmd"`],
    ['\r=1', `"'\r=1"`],
  ])('neutralises the formula-like %j with a leading quote, inside quotes', (value, cell) => {
    expect(isFormulaLike(value)).toBe(true);
    expect(csvCell(value)).toBe(cell);
  });

  it.each(['-1', '-0.5', '+3', '-2.5e3', '.5', '4733'])('keeps the number %j as it is', (value) => {
    expect(isFormulaLike(value)).toBe(false);
    expect(csvCell(value)).toBe(value);
  });

  it('quotes only what needs quoting otherwise', () => {
    expect(csvCell('Ideal')).toBe('Ideal');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' SI1 ')).toBe('" SI1 "');
    expect(csvCell('')).toBe('');
    expect(csvCell('a=b')).toBe('a=b');
  });
});
