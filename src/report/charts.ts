/**
 * Loupe's charts: a few typed chart kinds drawn with Observable Plot into a server-side DOM (linkedom), each
 * returned as a standalone SVG string, and `toPng` to rasterise one with resvg. Notebooks show the SVG inline;
 * model cards embed the SVG or the PNG. Charts are pure functions of their data: same data, same bytes.
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

const FONT = 'system-ui, sans-serif';
const TITLE_SIZE = 15;
const SUBTITLE_SIZE = 12;
const INK = '#1f2937';
const MUTED = '#6b7280';
const POSITIVE = '#2f7d4a';
const NEGATIVE = '#b23b3b';
const NEUTRAL = '#4a6fa5';

function scaleOptions(axis: Axis, values: readonly number[] = []): Plot.ScaleOptions {
  const options: Plot.ScaleOptions = { label: axis.label, grid: true };
  if (axis.domain) options.domain = [...axis.domain];
  if (axis.log) {
    options.type = 'log';
    const positive = axis.domain ? [...axis.domain] : values.filter((v) => v > 0 && Number.isFinite(v));
    // Plot's log axes label only some ticks and write 0.2 as "200m"; 1-2-5 ticks with our own labels read better.
    if (positive.length > 0) options.ticks = logTicks(Math.min(...positive), Math.max(...positive));
    options.tickFormat = axis.format ?? formats.plain;
  } else if (axis.format) {
    options.tickFormat = axis.format;
  }
  return options;
}

/** Left margin wide enough for the longest of these category labels. */
function labelMargin(labels: readonly string[]): number {
  return Math.max(60, Math.ceil(Math.max(0, ...labels.map((l) => l.length)) * 6.6 + 16));
}

/** Left margin wide enough for the longest tick label of a y axis over these values. */
function marginFor(axis: Axis, values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return 40;
  const format = axis.format ?? formats.plain;
  const longest = Math.max(...[Math.min(...finite), Math.max(...finite)].map((v) => format(v).length));
  return Math.max(40, Math.ceil(longest * 6.5 + 14));
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

function groupsOf<T extends { group?: string }>(rows: readonly T[], grouping: Grouping): string[] | undefined {
  if (grouping.groups) return [...grouping.groups];
  const seen = new Set<string>();
  for (const r of rows) if (r.group !== undefined) seen.add(r.group);
  return seen.size > 0 ? [...seen] : undefined;
}

function colorOptions(groups: string[] | undefined, grouping: Grouping): Plot.ScaleOptions | undefined {
  if (!groups) return undefined;
  // The legend is drawn by `stack` (Plot's own legend is HTML, which a standalone SVG or a PNG cannot hold).
  return { type: 'ordinal', domain: groups, scheme: groups.length <= 10 ? 'tableau10' : 'turbo', label: grouping.legend };
}

function keepGroups<T extends { group?: string }>(rows: readonly T[], groups: string[] | undefined): T[] {
  if (!groups) return [...rows];
  const wanted = new Set(groups);
  return rows.filter((r) => r.group === undefined || wanted.has(r.group));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
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
  return stack({ svg: roundAttributes(svg.outerHTML), height: Number(svg.getAttribute('height')) }, width, frame, legend, options.color?.label ?? undefined);
}

/** Coordinates to a tenth of a pixel: invisible on screen, and it halves the size of a chart with many dots. */
function roundAttributes(svg: string): string {
  return svg.replace(/="([^"]*)"/g, (_, value: string) => `="${value.replace(/-?\d+\.\d{2,}/g, (v) => String(Number(Number(v).toFixed(1))))}"`);
}

interface LegendItem {
  label: string;
  color: string;
}

/** Title, subtitle, legend and the chart, stacked into one standalone SVG document. */
function stack(chart: { svg: string; height: number }, width: number, frame: Frame, legend: LegendItem[], legendTitle: string | undefined): string {
  const body: string[] = [];
  let y = 0;
  if (frame.title) {
    y += TITLE_SIZE + 8;
    body.push(`<text x="0" y="${y - 6}" font-size="${TITLE_SIZE}" font-weight="bold" fill="${INK}">${escapeXml(frame.title)}</text>`);
  }
  if (frame.subtitle) {
    y += SUBTITLE_SIZE + 6;
    body.push(`<text x="0" y="${y - 5}" font-size="${SUBTITLE_SIZE}" fill="${MUTED}">${escapeXml(frame.subtitle)}</text>`);
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
export function scatter(
  points: readonly Point[],
  options: Frame & Grouping & { x: Axis; y: Axis; radius?: number; opacity?: number; diagonal?: boolean; zeroLine?: boolean },
): string {
  const groups = groupsOf(points, options);
  const data = keepGroups(points, groups);
  const marks: Plot.Markish[] = [];
  if (options.zeroLine) marks.push(Plot.ruleY([0], { stroke: MUTED }));
  if (options.diagonal) {
    const values = data.flatMap((p) => [p.x, p.y]);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    marks.push(Plot.line([[lo, lo], [hi, hi]], { stroke: MUTED, strokeDasharray: '4 3' }));
  }
  marks.push(
    Plot.dot(data, {
      x: 'x',
      y: 'y',
      r: options.radius ?? 1.6,
      fill: groups ? 'group' : NEUTRAL,
      fillOpacity: options.opacity ?? 0.5,
      stroke: null,
    }),
  );
  return render({ height: 400, marginLeft: marginFor(options.y, data.map((p) => p.y)), x: scaleOptions(options.x, data.map((p) => p.x)), y: scaleOptions(options.y, data.map((p) => p.y)), color: colorOptions(groups, options), marks }, options);
}

/** A feature's value against its contribution to the price: one dot per stone, with the zero line. */
export function dependence(
  points: readonly Point[],
  options: Frame & Grouping & { x: Axis; y: Axis; radius?: number; opacity?: number },
): string {
  return scatter(points, { ...options, zeroLine: true });
}

export interface Sample {
  value: number;
  group?: string;
}

/**
 * Distribution of a number in equal-width bins (equal in log space when the axis is log). With groups, one
 * outlined histogram per group, each as the share of its group so groups of different sizes compare.
 */
export function histogram(
  values: readonly (number | Sample)[],
  options: Frame & Grouping & { x: Axis; bins?: number; yLabel?: string },
): string {
  const samples: Sample[] = values.map((v) => (typeof v === 'number' ? { value: v } : v));
  const groups = groupsOf(samples, options);
  const data = keepGroups(samples, groups);
  const thresholds = binEdges(data.map((s) => s.value), options.bins ?? 40, options.x.log ?? false, options.x.domain);
  const marks: Plot.Markish[] = [Plot.ruleY([0])];
  if (groups) {
    marks.push(
      Plot.lineY(
        data,
        Plot.binX<Plot.LineYOptions>({ y: 'proportion-facet' }, { x: 'value', z: 'group', stroke: 'group', thresholds, curve: 'step', strokeWidth: 1.5 }),
      ),
    );
  } else {
    marks.push(Plot.rectY(data, Plot.binX<Plot.RectYOptions>({ y: 'count' }, { x: 'value', fill: NEUTRAL, thresholds, inset: 0.5 })));
  }
  return render(
    {
      height: 300,
      x: scaleOptions(options.x, data.map((s) => s.value)),
      y: { label: options.yLabel ?? (groups ? 'share of stones' : 'stones'), grid: true, tickFormat: groups ? formats.percent : undefined },
      color: colorOptions(groups, options),
      marks,
    },
    options,
  );
}

/** Equal-width bin edges over the data (or the given domain), in log space for log axes. */
export function binEdges(values: readonly number[], bins: number, log: boolean, domain?: readonly [number, number]): number[] {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  let lo = domain ? domain[0] : Math.min(...finite);
  let hi = domain ? domain[1] : Math.max(...finite);
  if (!(hi > lo)) hi = lo + 1;
  if (log) {
    lo = Math.log(lo);
    hi = Math.log(hi);
  }
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) {
    // Plot's bins are [x0, x1): the last edge sits a hair above the maximum so the largest value is counted.
    const t = i === bins ? hi + (hi - lo) * 1e-9 : lo + ((hi - lo) * i) / bins;
    edges.push(log ? Math.exp(t) : t);
  }
  return edges;
}

export interface BarDatum {
  label: string;
  value: number;
  group?: string;
}

/**
 * Horizontal bars, one per label (in the given order, top to bottom). With groups, the bars of a label sit
 * side by side, one per group.
 */
export function bars(
  rows: readonly BarDatum[],
  options: Frame & Grouping & { value: Axis; order?: readonly string[]; labelTitle?: string; reference?: number },
): string {
  const groups = groupsOf(rows, options);
  const data = keepGroups(rows, groups);
  const order = options.order ? [...options.order] : [...new Set(data.map((r) => r.label))];
  const rowHeight = groups ? 10 * groups.length + 8 : 22;
  const marks: Plot.Markish[] = [
    Plot.barX(data, {
      x: 'value',
      y: groups ? 'group' : 'label',
      fy: groups ? 'label' : undefined,
      fill: groups ? 'group' : NEUTRAL,
    }),
    Plot.ruleX([0]),
  ];
  // A reference value (e.g. the nominal coverage) drawn as a dashed line across all bars.
  if (options.reference !== undefined) marks.push(Plot.ruleX([options.reference], { stroke: NEGATIVE, strokeDasharray: '4 3' }));
  if (!groups) {
    marks.push(Plot.text(data, { x: 'value', y: 'label', text: (d: BarDatum) => formatNumber(d.value, options.value.format), textAnchor: 'start', dx: 4, fill: INK }));
  }
  return render(
    {
      height: Math.max(120, order.length * rowHeight + 60),
      marginLeft: labelMargin(order),
      marginRight: 60,
      x: { ...scaleOptions(options.value, data.map((r) => r.value)), type: options.value.log ? 'log' : 'linear' },
      y: groups ? { domain: groups, axis: null } : { domain: order, label: options.labelTitle ?? null },
      fy: groups ? { domain: order, label: options.labelTitle ?? null } : undefined,
      color: colorOptions(groups, options),
      marks,
    },
    options,
  );
}

/**
 * Lines through ordered points, one per group; `dots` marks each point. For a statistic across an ordered
 * category (e.g. median price per grade), pass `categories` to use an ordinal x axis in that order.
 */
export function lines(
  points: readonly (Point | { x: string; y: number; group?: string })[],
  options: Frame & Grouping & { x: Axis; y: Axis; categories?: readonly string[]; dots?: boolean },
): string {
  const groups = groupsOf(points, options);
  const data = keepGroups(points, groups);
  const stroke = groups ? 'group' : NEUTRAL;
  const marks: Plot.Markish[] = [Plot.line(data, { x: 'x', y: 'y', z: groups ? 'group' : undefined, stroke, strokeWidth: 1.8 })];
  if (options.dots ?? true) marks.push(Plot.dot(data, { x: 'x', y: 'y', fill: stroke, r: 2.5 }));
  const x: Plot.ScaleOptions = options.categories
    ? { type: 'point', domain: [...options.categories], label: options.x.label, padding: 0.3 }
    : scaleOptions(options.x, data.map((p) => Number(p.x)));
  return render({ height: 320, marginLeft: marginFor(options.y, data.map((p) => p.y)), x, y: scaleOptions(options.y, data.map((p) => p.y)), color: colorOptions(groups, options), marks }, options);
}

export interface WaterfallStep {
  label: string;
  /** Signed change this step makes to the running total. */
  value: number;
}

/**
 * How a total is built: a starting value, signed steps (green up, red down), and the total they reach.
 * For a valuation: the typical price, each characteristic's contribution, the appraised price.
 */
export function waterfall(
  start: { label: string; value: number },
  steps: readonly WaterfallStep[],
  end: { label: string },
  options: Frame & { value: Axis },
): string {
  interface Bar { label: string; from: number; to: number; kind: 'total' | 'up' | 'down'; text: string }
  const format = (v: number): string => formatNumber(v, options.value.format);
  const rows: Bar[] = [{ label: start.label, from: 0, to: start.value, kind: 'total', text: format(start.value) }];
  let running = start.value;
  for (const step of steps) {
    const next = running + step.value;
    rows.push({ label: step.label, from: running, to: next, kind: step.value >= 0 ? 'up' : 'down', text: `${step.value >= 0 ? '+' : '−'}${format(Math.abs(step.value))}` });
    running = next;
  }
  rows.push({ label: end.label, from: 0, to: running, kind: 'total', text: format(running) });
  const order = rows.map((r) => r.label);
  return render(
    {
      height: order.length * 26 + 50,
      marginLeft: labelMargin(order),
      marginRight: 70,
      x: { ...scaleOptions(options.value), type: 'linear' },
      y: { domain: order, label: null },
      color: { type: 'ordinal', domain: ['total', 'up', 'down'], range: [NEUTRAL, POSITIVE, NEGATIVE] },
      marks: [
        Plot.barX(rows, { x1: 'from', x2: 'to', y: 'label', fill: 'kind' }),
        Plot.text(rows, { x: (r: Bar) => Math.max(r.from, r.to), y: 'label', text: 'text', textAnchor: 'start', dx: 4, fill: INK }),
        Plot.ruleX([0]),
      ],
    },
    options,
    false,
  );
}

/** Ready-made label formats for axes and value labels. */
export const formats = {
  dollars: (v: number): string => `${v < 0 ? '−' : ''}$${Math.round(Math.abs(v)).toLocaleString('en-US')}`,
  percent: (v: number): string => `${Number((v * 100).toFixed(1))}%`,
  percent1: (v: number): string => `${(v * 100).toFixed(1)}%`,
  plain: (v: number): string => v.toLocaleString('en-US', { maximumSignificantDigits: 3 }),
} as const;

function formatNumber(value: number, format: ((value: number) => string) | undefined): string {
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
