/**
 * CSV as RFC 4180 writes it, read in the browser: fields separated by commas, records by CRLF or LF, fields may be
 * quoted with double quotes, a quote inside a quoted field is doubled, and quoted fields may hold commas and line
 * breaks. A byte-order mark at the start is dropped. Never throws: a broken record is returned with an error.
 */
import { csvCell } from '../../../src/diamond/csv-cell.js';

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1), as a spreadsheet numbers rows. */
  line: number;
  fields: string[];
  /** Set when the quoting of this record is broken; `fields` then holds what could be read. */
  error?: string;
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
            } else {
              i++;
              closed = true;
              break;
            }
          } else {
            if (c === '\n') line++;
            field += c;
            i++;
          }
        }
        if (!closed) error = 'A quoted field is never closed (a " is missing).';
        // Anything between the closing quote and the next separator is not RFC 4180; keep it, but say so.
        let stray = '';
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') stray += text[i++];
        if (stray !== '') {
          error ??= `Text after a closing quote: ${JSON.stringify(stray.slice(0, 20))}.`;
          field += stray;
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      }
      fields.push(field);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    const blank = fields.length === 1 && fields[0] === '' && error === undefined;
    if (!blank) records.push(error === undefined ? { line: start, fields } : { line: start, fields, error });
  }
  return records;
}

/**
 * Rows to RFC 4180 text with CRLF line ends, quoting only the fields that need it; a formula-like cell (`=…`, `@…`)
 * is neutralised as in every CSV Loupe writes (csvCell, in src/diamond).
 */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
