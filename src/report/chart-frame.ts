/**
 * The frame every chart of charts.ts is drawn in: axes, margins, colours, legends, the SVG it renders to,
 * label formats and rasterising to PNG. Split from charts.ts so each file holds one concern.
 */
import * as Plot from '@observablehq/plot';
import { Resvg } from '@resvg/resvg-js';
import { parseHTML } from 'linkedom';

/** One axis: its label, and whether it is logarithmic. */
export interface Axis {
  label: string;
  /** Logarithmic scale (values must be positive). */
  log?: boolean;
  /** How tick labels and value labels are written, e.g. dollars (see `formats`). */
  format?: (value: number) => string;
  /** Fixed extent [min, max] instead of the data's. */
  domain?: readonly [number, number];
  /**
   * Names of the positions 0, 1, 2, …: a numeric axis (e.g. a grade's rank, jittered) labelled with the names
   * (the grades) at those positions instead of numbers.
   */
  categories?: readonly string[];
}

/** What every chart accepts besides its data. */
export interface Frame {
  /** Width in px (default 640). */
  width?: number;
  /** Height in px (default depends on the chart). */
  height?: number;
  /** A title drawn above the chart, inside the SVG. */
  title?: string;
  /** A note drawn under the title, e.g. what was held fixed. */
  subtitle?: string;
}

/** Ordered group names give a fixed colour and legend order (e.g. a grade scale, worst to best). */
export interface Grouping {
  /** Legend and colour order; groups absent from it are not drawn. Default: order of first appearance. */
  groups?: readonly string[];
  /** Title of the colour legend. */
  legend?: string;
}

export interface Point {
  x: number;
  y: number;
  group?: string;
}

export const FONT = 'system-ui, sans-serif';
export const TITLE_SIZE = 15;
export const SUBTITLE_SIZE = 12;
export const INK = '#1f2937';
export const MUTED = '#6b7280';
export const POSITIVE = '#2f7d4a';
export const NEGATIVE = '#b23b3b';
export const NEUTRAL = '#4a6fa5';

export function scaleOptions(axis: Axis, values: readonly number[] = []): Plot.ScaleOptions {
  const options: Plot.ScaleOptions = { label: axis.label, grid: true };
  if (axis.domain) options.domain = [...axis.domain];
  if (axis.log) {
    options.type = 'log';
    const positive = axis.domain ? [...axis.domain] : values.filter((v) => v > 0 && Number.isFinite(v));
    // Plot's log axes label only some ticks and write 0.2 as "200m"; 1-2-5 ticks with our own labels read better.
    if (positive.length > 0) options.ticks = logTicks(...extent(positive));
    options.tickFormat = axis.format ?? formats.plain;
  } else if (axis.categories) {
    const names = axis.categories;
    options.ticks = names.map((_, i) => i);
    options.tickFormat = (i: number) => names[i] ?? '';
    options.domain ??= [-0.5, names.length - 0.5];
  } else if (axis.format) {
    options.tickFormat = axis.format;
  }
  return options;
}

/**
 * [smallest, largest] of the values ([Infinity, −Infinity] when there are none, as Math.min() and Math.max() give).
 * A loop, because Math.min(...values) overflows the call stack at a few hundred thousand values (a report over
 * 500,000 appraisals).
 */
export function extent(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Left margin wide enough for the longest of these category labels. */
export function labelMargin(labels: readonly string[]): number {
  return Math.max(60, Math.ceil(Math.max(0, ...labels.map((l) => l.length)) * 6.6 + 16));
}

/** Left margin wide enough for the longest tick label of a y axis over these values. */
export function marginFor(axis: Axis, values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return 40;
  const format = axis.format ?? formats.plain;
  const longest = Math.max(...extent(finite).map((v) => format(v).length));
  return Math.max(40, Math.ceil(longest * 6.5 + 14));
}

/** A numeric y axis over these values, and the left margin its longest tick label needs (scatter, lines). */
export function yAxis(axis: Axis, values: readonly number[]): { marginLeft: number; y: Plot.ScaleOptions } {
  return { marginLeft: marginFor(axis, values), y: scaleOptions(axis, values) };
}

/**
 * The margins of a chart with one row per category label (bars, waterfall): room on the left for the longest
 * label, and `right` px on the right for the value written beside each bar.
 */
export function labelRowMargins(labels: readonly string[], right: number): { marginLeft: number; marginRight: number } {
  return { marginLeft: labelMargin(labels), marginRight: right };
}

/** Ticks at 1, 2 and 5 times the powers of ten between lo and hi (at least two of them when the range allows). */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(lo)); power <= Math.ceil(Math.log10(hi)); power++) {
    for (const m of [1, 2, 5]) {
      const t = Number((m * 10 ** power).toPrecision(6));
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks;
}

export function groupsOf<T extends { group?: string }>(rows: readonly T[], grouping: Grouping): string[] | undefined {
  if (grouping.groups) return [...grouping.groups];
  const seen = new Set<string>();
  for (const r of rows) if (r.group !== undefined) seen.add(r.group);
  return seen.size > 0 ? [...seen] : undefined;
}

export function colorOptions(groups: string[] | undefined, grouping: Grouping): Plot.ScaleOptions | undefined {
  if (!groups) return undefined;
  // The legend is drawn by `stack` (Plot's own legend is HTML, which a standalone SVG or a PNG cannot hold).
  return {
    type: 'ordinal',
    domain: groups,
    scheme: groups.length <= 10 ? 'tableau10' : 'turbo',
    label: grouping.legend,
  };
}

export function keepGroups<T extends { group?: string }>(rows: readonly T[], groups: string[] | undefined): T[] {
  if (!groups) return [...rows];
  const wanted = new Set(groups);
  return rows.filter((r) => r.group === undefined || wanted.has(r.group));
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

/**
 * Draws Plot options into a fresh server-side document and returns standalone SVG text. When a legend is
 * asked for, Plot returns a <figure> holding the legend's SVG and the chart's SVG; both are stacked into one SVG.
 */
export function render(options: Plot.PlotOptions, frame: Frame = {}, showLegend = options.color !== undefined): string {
  const { document } = parseHTML('<!DOCTYPE html><html><body></body></html>');
  const width = frame.width ?? 640;
  const svg = Plot.plot({
    ...options,
    width,
    height: frame.height ?? options.height,
    style: { fontFamily: FONT, fontSize: '11px', background: 'white', color: INK },
    document: document as unknown as Document,
  });
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const color = showLegend && options.color ? svg.scale('color') : undefined;
  const legend: LegendItem[] = [];
  if (color?.domain && color.range) {
    const labels = [...color.domain];
    const colors = [...color.range];
    labels.forEach((label, i) => {
      legend.push({ label: String(label), color: String(colors[i % colors.length]) });
    });
  }
  return stack(
    { svg: roundAttributes(svg.outerHTML), height: Number(svg.getAttribute('height')) },
    width,
    frame,
    legend,
    options.color?.label ?? undefined,
  );
}

/** Coordinates to a tenth of a pixel: invisible on screen, and it halves the size of a chart with many dots. */
export function roundAttributes(svg: string): string {
  return svg.replace(
    /="([^"]*)"/g,
    (_, value: string) => `="${value.replace(/-?\d+\.\d{2,}/g, (v) => String(Number(Number(v).toFixed(1))))}"`,
  );
}

export interface LegendItem {
  label: string;
  color: string;
}

/** Title, subtitle, legend and the chart, stacked into one standalone SVG document. */
export function stack(
  chart: { svg: string; height: number },
  width: number,
  frame: Frame,
  legend: LegendItem[],
  legendTitle: string | undefined,
): string {
  const body: string[] = [];
  let y = 0;
  if (frame.title) {
    y += TITLE_SIZE + 8;
    body.push(
      `<text x="0" y="${y - 6}" font-size="${TITLE_SIZE}" font-weight="bold" fill="${INK}">${escapeXml(frame.title)}</text>`,
    );
  }
  if (frame.subtitle) {
    y += SUBTITLE_SIZE + 6;
    body.push(
      `<text x="0" y="${y - 5}" font-size="${SUBTITLE_SIZE}" fill="${MUTED}">${escapeXml(frame.subtitle)}</text>`,
    );
  }
  if (legend.length > 0) {
    y += 4;
    let x = 0;
    const lineHeight = 16;
    y += lineHeight;
    if (legendTitle) {
      body.push(`<text x="0" y="${y - 4}" font-weight="bold" fill="${INK}">${escapeXml(legendTitle)}</text>`);
      x += legendTitle.length * 7 + 10;
    }
    for (const item of legend) {
      const itemWidth = 16 + item.label.length * 6.5 + 14;
      if (x > 0 && x + itemWidth > width) {
        x = 0;
        y += lineHeight;
      }
      body.push(`<rect x="${x}" y="${y - 13}" width="11" height="11" fill="${item.color}"/>`);
      body.push(`<text x="${x + 15}" y="${y - 4}" fill="${INK}">${escapeXml(item.label)}</text>`);
      x += itemWidth;
    }
  }
  if (y > 0) y += 6;
  // A nested <svg> is positioned by its x/y attributes; Plot's own width/height/viewBox stay as they are.
  body.push(chart.svg.replace(/^<svg\b/, `<svg x="0" y="${y}"`));
  y += chart.height;
  const height = Math.ceil(y);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${FONT}" font-size="11"><rect width="100%" height="100%" fill="white"/>${body.join('')}</svg>`
  );
}

/** Points on two numeric axes, optionally coloured by group; `diagonal` draws y = x (for predicted vs actual). */

/** Ready-made label formats for axes and value labels. */
export const formats = {
  dollars: (v: number): string => `${v < 0 ? '−' : ''}$${Math.round(Math.abs(v)).toLocaleString('en-US')}`,
  percent: (v: number): string => `${Number((v * 100).toFixed(1))}%`,
  percent1: (v: number): string => `${(v * 100).toFixed(1)}%`,
  plain: (v: number): string => v.toLocaleString('en-US', { maximumSignificantDigits: 3 }),
} as const;

export function formatNumber(value: number, format: ((value: number) => string) | undefined): string {
  return (format ?? formats.plain)(value);
}

/** Rasterises a chart to PNG bytes with resvg, at `scale` times its size (default 2, for sharp text). */
export function toPng(svg: string, options: { scale?: number } = {}): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return new Uint8Array(resvg.render().asPng());
}
