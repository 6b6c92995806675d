/**
 * An incremental RFC 4180 CSV record splitter: text goes in chunk by chunk, complete records come out with the
 * physical line they start on and their raw text; the memory it holds depends on the bound on a record
 * (MAX_RECORD_CHARS), never on the file or its longest line.
 *
 * Accepted: LF, CRLF or CR line endings, quoted fields holding commas, line breaks and doubled quotes.
 * A record that cannot be split cleanly (text after a closing quote, a quote never closed) is returned with an
 * error instead of fields, so the caller can reject that one row and carry on; a stray quote ends its record at
 * the next line that is a whole row; a record longer than the bound is returned as one record marked too long
 * (see CsvSplitter).
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
  /** Longer than the splitter's bound: `text` is then only its first characters (see CsvSplitter). */
  tooLong?: true;
}

/**
 * The most characters one record may have: a row of diamonds is under 200, and no more is held in memory for one
 * (see CsvSplitter).
 */
export const MAX_RECORD_CHARS = 1 << 16;

/** A record longer than the bound that spans lines and is not valid CSV: its lines cannot be read again. */
export class CsvRecordTooLong extends Error {
  constructor(
    readonly line: number,
    max = MAX_RECORD_CHARS,
  ) {
    super(
      `the record starting on line ${line} is longer than ${max.toLocaleString('en-US')} characters; ` +
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

/** What is known of a record longer than the bound while the rest of it is walked and let go. */
interface Overlong {
  /** Its first characters, as many as the bound: what is returned as its text. */
  kept: string;
  /** Its fields so far: the commas outside quotes, plus one. */
  fields: number;
  /** Whether text follows a closing quote in it (it is not valid CSV). */
  malformed: boolean;
}

/**
 * Splits text into records. Line breaks are LF, CRLF or a lone CR (as spreadsheets and Python's csv module read
 * them), outside quotes; inside a quoted field they are part of the value.
 *
 * The first record is the header, and its field count is the width of a row. A quoted field may span lines, but
 * it cannot run past a line that is, on its own, a whole row (strict CSV with exactly that many fields) or longer
 * than the bound: such a line means the quote that opened the field was stray, so the record ends before that line
 * (and is returned with the error "never closed") and the line is read as the row it is. And a record spanning
 * lines that is not valid CSV with exactly that many fields is returned line by line, each line a record of its
 * own. So a stray quote costs the lines it broke, never the rows after them. A header cannot span lines at all.
 *
 * A record may be at most `max` characters long (MAX_RECORD_CHARS; its line breaks inside quotes count, its line
 * ending does not), however the text is cut into chunks. A longer one ends where it would anyway, but only its
 * first `max` characters are kept: it is returned as one record with `tooLong` set, and reading goes on after it.
 * Only a longer record that spans lines holding text and is not valid CSV of the header's width fails the input
 * (CsvRecordTooLong): its lines would be read one by one, as above, but they were not kept.
 */
export class CsvSplitter {
  /** Text not used yet: from the start of the current record, or from where its walk stands once it is too long. */
  private pending = '';
  /** Chunks without a line break pushed since the last scan: they end no record, so they wait to be joined once. */
  private queued: string[] = [];
  private queuedChars = 0;
  /** Line number of the first character of the current record. */
  private line = 1;
  /** Fields of the header (the first record that is not blank); 0 until it is read. */
  private width = 0;
  // Where the walk through the current record stands, kept between pushes so that no text is walked twice.
  /** Position in `pending` the walk has reached. */
  private at = 0;
  private inQuotes = false;
  /** Whether the walk is at the start of a field, where a quote opens a quoted field. */
  private fieldStart = true;
  /** Whether the last character walked closed a quoted field (a comma or the record's end must follow). */
  private afterClose = false;
  /** Line breaks inside quotes so far. */
  private breaks = 0;
  /** Whether a line after the record's first holds text. */
  private spilled = false;
  /** The current record, once it is known to be longer than `max`. */
  private over: Overlong | undefined;

  /** `max`: the most characters a record may have (smaller in tests, to reach it with little text). */
  constructor(private readonly max = MAX_RECORD_CHARS) {}

  /** Characters held for records not complete yet: bounded by a few times `max`, however long a line is. */
  get bufferedChars(): number {
    return this.pending.length + this.queuedChars + (this.over?.kept.length ?? 0);
  }

  /** Feeds the next piece of text; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    // Joining the text held with every small chunk would take time growing with the square of a long record's length.
    const held = this.pending.length + this.queuedChars + chunk.length;
    if (chunk.indexOf('\n') === -1 && chunk.indexOf('\r') === -1 && held <= 4 * this.max) {
      this.queued.push(chunk);
      this.queuedChars += chunk.length;
      return [];
    }
    return this.scanAll(chunk, false);
  }

  /** Signals the end of the input; returns the last record if the text did not end with a line break. */
  end(): CsvRecord[] {
    return this.scanAll('', true);
  }

  private scanAll(chunk: string, final: boolean): CsvRecord[] {
    const text = this.pending + this.queued.join('') + chunk;
    this.queued = [];
    this.queuedChars = 0;
    const records: CsvRecord[] = [];
    this.scan(text, records, final);
    return records;
  }

  /**
   * Walks `text` from `at`, appending every record it completes to `out`, and keeps what the walk needs next. A
   * quote opens a quoted field only at the start of a field, and a line break ends the record only outside quotes
   * (or before a line that is a whole row, see the class).
   */
  private scan(text: string, out: CsvRecord[], final: boolean): void {
    const n = text.length;
    let start = 0; // where the current record starts in `text` (unless it is too long: then it is not kept)
    let i = this.at;
    // The first LF, CR and quote at or after i (n if none): each found again only once passed (linear time).
    let lf = -1;
    let cr = -1;
    let quote = -1;
    for (;;) {
      if (lf < i) lf = indexOrEnd(text, '\n', i);
      if (cr < i) cr = indexOrEnd(text, '\r', i);
      if (quote < i) quote = indexOrEnd(text, '"', i);
      const lineEnd = Math.min(lf, cr);
      let wait = -1; // where the walk stops until more text comes
      let end = n; // where the record ends
      let next = n; // where the next one starts
      if (this.inQuotes) {
        if (quote < lineEnd) {
          if (quote + 1 < n || final) {
            // "" stands for a quote; a single one closes the field
            if (text.charCodeAt(quote + 1) === QUOTE) i = quote + 2;
            else {
              this.inQuotes = false;
              this.afterClose = true;
              i = quote + 1;
            }
            continue;
          }
          wait = quote; // "" may be split across chunks
        } else if (lineEnd < n) {
          next = afterLineBreak(text, lineEnd, final);
          const whole = next === -1 ? undefined : this.width === 0 || this.isWholeRow(text, next, final);
          if (whole === false) {
            this.breaks += 1;
            if (next < n && text.charCodeAt(next) !== LF && text.charCodeAt(next) !== CR) this.spilled = true;
            i = next;
            continue;
          }
          if (whole === undefined) wait = lineEnd;
          else end = lineEnd;
        } else if (!final) wait = n;
      } else {
        if (this.afterClose && i < n) {
          const c = text.charCodeAt(i);
          if (this.over && c !== COMMA && c !== LF && c !== CR) this.over.malformed = true;
          this.afterClose = false;
        }
        const stop = Math.min(quote, lineEnd);
        if (stop > i) {
          if (this.over) this.over.fields += commas(text, i, stop);
          this.fieldStart = text.charCodeAt(stop - 1) === COMMA;
          i = stop;
        }
        if (quote < lineEnd) {
          // A quote inside an unquoted field is a character of it.
          if (this.fieldStart) this.inQuotes = true;
          this.fieldStart = false;
          i = quote + 1;
          continue;
        }
        if (lineEnd < n) {
          next = afterLineBreak(text, lineEnd, final);
          if (next === -1) wait = lineEnd;
          else end = lineEnd;
        } else if (!final) wait = n;
        else if (i === start && !this.over) break; // the text ended with a line break
      }
      if (wait === -1) {
        this.endRecord(out, text, start, end);
        start = next;
        i = next;
        continue;
      }
      i = wait;
      if (this.over || i - start <= this.max) break;
      // Too long: walk it again from its start, keeping only its first characters and counting its fields.
      this.over = { kept: text.slice(start, start + this.max), fields: 1, malformed: false };
      this.resetWalk();
      i = start;
      lf = cr = quote = -1;
    }
    this.pending = text.slice(this.over ? i : start);
    this.at = this.over ? 0 : i - start;
  }

  private resetWalk(): void {
    this.inQuotes = false;
    this.fieldStart = true;
    this.afterClose = false;
    this.breaks = 0;
    this.spilled = false;
  }

  /** Emits the record that ends at `end` and makes ready for the next one. */
  private endRecord(out: CsvRecord[], text: string, start: number, end: number): void {
    if (this.over) this.emitTooLong(out, this.over.kept, this.over.fields, this.over.malformed || this.inQuotes);
    else if (end - start > this.max) {
      // It came whole in one piece of text: the same verdict as when walked past its kept characters.
      const raw = text.slice(start, end);
      const split = splitRecord(raw);
      this.emitTooLong(out, raw.slice(0, this.max), 'error' in split ? 0 : split.fields.length, 'error' in split);
    } else this.finish(out, text.slice(start, end), this.breaks);
    this.over = undefined;
    this.resetWalk();
  }

  private emitTooLong(out: CsvRecord[], kept: string, fields: number, malformed: boolean): void {
    if (this.spilled && (malformed || fields !== this.width)) throw new CsvRecordTooLong(this.line, this.max);
    const error = `longer than ${this.max.toLocaleString('en-US')} characters, the most one row may have`;
    out.push({ line: this.line, text: kept, fields: [], error, tooLong: true });
    if (this.width === 0) this.width = -1;
    this.line += this.breaks + 1;
  }

  /** Whether the line starting at `from` is a whole row on its own; undefined when its end is not read yet. */
  private isWholeRow(text: string, from: number, final: boolean): boolean | undefined {
    const end = Math.min(indexOrEnd(text, '\n', from), indexOrEnd(text, '\r', from));
    // A line longer than the bound ends the field: a record running into it would be too long anyway, and holding
    // all of it to count its fields would take memory without bound.
    if (end - from > this.max) return true;
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

/** How many commas text[from, to) holds. */
function commas(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === COMMA) count += 1;
  return count;
}
