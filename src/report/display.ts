/**
 * Rich output for notebooks: objects that a Jupyter kernel (Deno's) shows as SVG, an HTML table or Markdown.
 * Jupyter's display protocol is a method under Symbol.for("Jupyter.display") returning a MIME bundle, so this
 * module depends on no runtime: in plain Node the objects are inert.
 */

export const JUPYTER_DISPLAY: unique symbol = Symbol.for('Jupyter.display') as never;

export type MimeBundle = Record<string, string>;

export interface Displayable {
  [JUPYTER_DISPLAY](): MimeBundle;
}

function displayable(bundle: MimeBundle): Displayable {
  return { [JUPYTER_DISPLAY]: () => bundle };
}

/** An SVG chart, shown inline. */
export function svgOutput(svg: string): Displayable {
  return displayable({ 'image/svg+xml': svg, 'text/plain': '[chart]' });
}

/** Markdown text, e.g. a finding whose numbers were computed just before. */
export function markdownOutput(markdown: string): Displayable {
  return displayable({ 'text/markdown': markdown, 'text/plain': markdown });
}

export type Cell = string | number | null | undefined;

export interface TableColumn<Row> {
  /** Column heading. */
  title: string;
  /** The cell's value for a row; numbers are right-aligned. */
  value: (row: Row) => Cell;
  /** How a number is written (default: grouped, up to 3 decimals). */
  format?: (value: number) => string;
}

function cellText<Row>(column: TableColumn<Row>, row: Row): { text: string; numeric: boolean } {
  const v = column.value(row);
  if (v === null || v === undefined) return { text: '', numeric: false };
  if (typeof v === 'number') {
    const text = column.format ? column.format(v) : v.toLocaleString('en-US', { maximumFractionDigits: 3 });
    return { text, numeric: true };
  }
  return { text: v, numeric: false };
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
}

/** The table as aligned plain text (what a terminal or a plain-text reader sees). */
export function plainTable<Row>(rows: readonly Row[], columns: readonly TableColumn<Row>[]): string {
  const cells = rows.map((r) => columns.map((c) => cellText(c, r)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].text.length)));
  const line = (texts: { text: string; numeric: boolean }[]): string =>
    texts
      .map((t, i) => (t.numeric ? t.text.padStart(widths[i]) : t.text.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const header = line(columns.map((c, i) => ({ text: c.title, numeric: cells.some((row) => row[i].numeric) })));
  return [header, widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** A table of rows, shown as HTML in a notebook (plain text elsewhere). */
export function tableOutput<Row>(rows: readonly Row[], columns: readonly TableColumn<Row>[]): Displayable {
  // Alignment is explicit: notebook front-ends right-align every cell by default, which makes text hard to read.
  const numericColumn = columns.map((c) => rows.some((r) => typeof c.value(r) === 'number'));
  const align = (numeric: boolean): string => ` style="text-align:${numeric ? 'right' : 'left'}"`;
  const head = columns.map((c, i) => `<th${align(numericColumn[i])}>${escapeHtml(c.title)}</th>`).join('');
  const body = rows
    .map((r) => {
      const tds = columns.map((c) => {
        const { text, numeric } = cellText(c, r);
        return `<td${align(numeric)}>${escapeHtml(text)}</td>`;
      });
      return `<tr>${tds.join('')}</tr>`;
    })
    .join('');
  return displayable({
    'text/html': `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`,
    'text/plain': plainTable(rows, columns),
  });
}
