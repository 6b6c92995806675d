/**
 * One cell of any CSV that Loupe writes (the rejects export, `loupe predict`, the web app's batch download).
 * The schema module holds it because it is the one module all three writers may import.
 *
 * A spreadsheet runs a cell that starts with = + - @, a tab or a CR as a formula (CSV injection: `=HYPERLINK(…)`
 * in a stone_id column, say). As OWASP recommends, such a cell is written with a single quote in front, which the
 * spreadsheet shows as text, and inside double quotes. A number is not a formula, so `-1` or `+2.5e3` stays as it is.
 */

/** A number as plain text: sign, digits, a decimal point, an exponent. */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Whether a spreadsheet would read the cell as a formula: it starts with = + - @ tab or CR and is not a number. */
export function isFormulaLike(value: string): boolean {
  const c = value.charCodeAt(0);
  // = + - @ tab CR
  if (c !== 61 && c !== 43 && c !== 45 && c !== 64 && c !== 9 && c !== 13) return false;
  return !PLAIN_NUMBER.test(value);
}

/**
 * A value as a CSV cell: neutralised when formula-like (a leading '), and quoted (RFC 4180, quotes doubled) when it
 * was neutralised or holds a quote, a comma, a line break or spaces at either end.
 */
export function csvCell(value: string): string {
  const formula = isFormulaLike(value);
  const text = formula ? `'${value}` : value;
  return formula || /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}
