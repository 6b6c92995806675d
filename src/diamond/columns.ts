/**
 * How a CSV header's column names are read, for every surface that reads a file (ingestion, `loupe predict`, the
 * web batch): a field's own name in any letter case and spacing, or the one other spelling the trade writes as a
 * column (`Colour`), which is read as the field and not only suggested. Files separated by another delimiter than
 * the comma (a European spreadsheet's semicolon, a tab) are recognised from their header and refused with a
 * message that names the delimiter and says how to save the file instead.
 */
import type { AppraisalFieldName } from './fields.js';

/** Column names read as a field although they are not its name: the British spelling of colour. */
export const COLUMN_ALIASES: Readonly<Record<string, AppraisalFieldName>> = { colour: 'color' };

/** The name a header column is matched by: trimmed, lower case, an alias read as its field. */
export function columnKey(header: string): string {
  const key = header.trim().toLowerCase();
  return COLUMN_ALIASES[key] ?? key;
}

const DELIMITERS = [
  { char: ';', name: 'semicolons (;)' },
  { char: '\t', name: 'tabs' },
  { char: '|', name: 'vertical bars (|)' },
] as const;

/**
 * When a header line is one comma-less field that another delimiter splits into several columns, what it is
 * separated by, in words ("semicolons (;)"); undefined otherwise.
 */
export function otherDelimiter(headerLine: string): string | undefined {
  if (headerLine.includes(',')) return undefined;
  return DELIMITERS.find((d) => headerLine.split(d.char).length >= 4)?.name;
}

/** The message for a file separated by another delimiter than the comma. */
export function delimiterMessage(separatedBy: string): string {
  return (
    `the columns are separated by ${separatedBy}, not commas (a spreadsheet set up for a European locale saves ` +
    'CSV that way); save the file as comma-separated CSV (in Excel: "CSV UTF-8 (Comma delimited)") and try again'
  );
}
