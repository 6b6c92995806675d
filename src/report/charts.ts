/**
 * Loupe's charts: a few typed chart kinds drawn with Observable Plot into a server-side DOM (linkedom), each
 * returned as a standalone SVG string, and `toPng` to rasterise one with resvg. Notebooks show the SVG inline;
 * model cards embed the SVG or the PNG. Charts are pure functions of their data: same data, same bytes.
 */
import * as Plot from '@observablehq/plot';
import {
  INK,
  MUTED,
  NEGATIVE,
  NEUTRAL,
  POSITIVE,
  colorOptions,
  extent,
  formatNumber,
  formats,
  groupsOf,
  keepGroups,
  labelRowMargins,
  render,
  scaleOptions,
  type Axis,
  type Frame,
  type Grouping,
  type Point,
  yAxis,
} from './chart-frame.js';

export { formats, logTicks, render, toPng } from './chart-frame.js';
export type { Axis, Frame, Grouping, Point } from './chart-frame.js';

export function scatter(
  points: readonly Point[],
  options: Frame &
    Grouping & { x: Axis; y: Axis; radius?: number; opacity?: number; diagonal?: boolean; zeroLine?: boolean },
): string {
  const groups = groupsOf(points, options);
  const data = keepGroups(points, groups);
  const marks: Plot.Markish[] = [];
  if (options.zeroLine) marks.push(Plot.ruleY([0], { stroke: MUTED }));
  if (options.diagonal) {
    const values = data.flatMap((p) => [p.x, p.y]);
    const [lo, hi] = extent(values);
    marks.push(
      Plot.line(
        [
          [lo, lo],
          [hi, hi],
        ],
        { stroke: MUTED, strokeDasharray: '4 3' },
      ),
    );
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
  return render(
    {
      height: 400,
      ...yAxis(
        options.y,
        data.map((p) => p.y),
      ),
      x: scaleOptions(
        options.x,
        data.map((p) => p.x),
      ),
      color: colorOptions(groups, options),
      marks,
    },
    options,
  );
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
  const thresholds = binEdges(
    data.map((s) => s.value),
    options.bins ?? 40,
    options.x.log ?? false,
    options.x.domain,
  );
  const marks: Plot.Markish[] = [Plot.ruleY([0])];
  if (groups) {
    // Each stone weighs 1 / (stones in its group), so a bin sums to the share of its own group. (Plot's
    // 'proportion' reducers divide by all stones pooled, which puts a large group's line far above a small one's.)
    const sizes = new Map<string | undefined, number>();
    for (const s of data) sizes.set(s.group, (sizes.get(s.group) ?? 0) + 1);
    const weighted = data.map((s) => ({ ...s, share: 1 / (sizes.get(s.group) ?? 1) }));
    marks.push(
      Plot.lineY(
        weighted,
        Plot.binX<Plot.LineYOptions>(
          { y: 'sum' },
          { x: 'value', y: 'share', z: 'group', stroke: 'group', thresholds, curve: 'step', strokeWidth: 1.5 },
        ),
      ),
    );
  } else {
    marks.push(
      Plot.rectY(
        data,
        Plot.binX<Plot.RectYOptions>({ y: 'count' }, { x: 'value', fill: NEUTRAL, thresholds, inset: 0.5 }),
      ),
    );
  }
  return render(
    {
      height: 300,
      x: scaleOptions(
        options.x,
        data.map((s) => s.value),
      ),
      y: {
        label: options.yLabel ?? (groups ? 'share of stones' : 'stones'),
        grid: true,
        tickFormat: groups ? formats.percent : undefined,
      },
      color: colorOptions(groups, options),
      marks,
    },
    options,
  );
}

/** Equal-width bin edges over the data (or the given domain), in log space for log axes. */
export function binEdges(
  values: readonly number[],
  bins: number,
  log: boolean,
  domain?: readonly [number, number],
): number[] {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  let [lo, hi] = domain ?? extent(finite);
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
  if (options.reference !== undefined)
    marks.push(Plot.ruleX([options.reference], { stroke: NEGATIVE, strokeDasharray: '4 3' }));
  if (!groups) {
    marks.push(
      Plot.text(data, {
        x: 'value',
        y: 'label',
        text: (d: BarDatum) => formatNumber(d.value, options.value.format),
        textAnchor: 'start',
        dx: 4,
        fill: INK,
      }),
    );
  }
  return render(
    {
      height: Math.max(120, order.length * rowHeight + 60),
      ...labelRowMargins(order, 60),
      x: {
        ...scaleOptions(
          options.value,
          data.map((r) => r.value),
        ),
        type: options.value.log ? 'log' : 'linear',
      },
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
  const marks: Plot.Markish[] = [
    Plot.line(data, { x: 'x', y: 'y', z: groups ? 'group' : undefined, stroke, strokeWidth: 1.8 }),
  ];
  if (options.dots ?? true) marks.push(Plot.dot(data, { x: 'x', y: 'y', fill: stroke, r: 2.5 }));
  const x: Plot.ScaleOptions = options.categories
    ? { type: 'point', domain: [...options.categories], label: options.x.label, padding: 0.3 }
    : scaleOptions(
        options.x,
        data.map((p) => Number(p.x)),
      );
  return render(
    {
      height: 320,
      ...yAxis(
        options.y,
        data.map((p) => p.y),
      ),
      x,
      color: colorOptions(groups, options),
      marks,
    },
    options,
  );
}

export interface CalibrationPoint {
  /** The coverage a range promises, 0–1. */
  nominal: number;
  /** The share of prices it held, 0–1, with its interval. */
  observed: number;
  low: number;
  high: number;
}

/**
 * Promised against observed coverage of price ranges: one dot per level with its interval as a vertical line,
 * and the dashed diagonal where a range holds exactly as often as it promises.
 */
export function calibration(points: readonly CalibrationPoint[], options: Frame): string {
  const values = points.flatMap((p) => [p.nominal, p.low, p.high]);
  const lo = Math.max(0, Math.floor(extent(values)[0] * 10) / 10);
  const axis = (label: string): Axis => ({ label, format: formats.percent, domain: [lo, 1] });
  return render(
    {
      height: 400,
      ...yAxis(axis('observed coverage'), values),
      x: scaleOptions(axis('promised coverage (nominal)')),
      marks: [
        Plot.line(
          [
            [lo, lo],
            [1, 1],
          ],
          { stroke: MUTED, strokeDasharray: '4 3' },
        ),
        Plot.ruleX(points, { x: 'nominal', y1: 'low', y2: 'high', stroke: NEUTRAL, strokeWidth: 1.5 }),
        Plot.dot(points, { x: 'nominal', y: 'observed', fill: NEUTRAL, r: 3.5 }),
      ],
    },
    options,
    false,
  );
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
  interface Bar {
    label: string;
    from: number;
    to: number;
    kind: 'total' | 'up' | 'down';
    text: string;
  }
  const format = (v: number): string => formatNumber(v, options.value.format);
  const rows: Bar[] = [{ label: start.label, from: 0, to: start.value, kind: 'total', text: format(start.value) }];
  let running = start.value;
  for (const step of steps) {
    const next = running + step.value;
    rows.push({
      label: step.label,
      from: running,
      to: next,
      kind: step.value >= 0 ? 'up' : 'down',
      text: `${step.value >= 0 ? '+' : '−'}${format(Math.abs(step.value))}`,
    });
    running = next;
  }
  rows.push({ label: end.label, from: 0, to: running, kind: 'total', text: format(running) });
  const order = rows.map((r) => r.label);
  return render(
    {
      height: order.length * 26 + 50,
      ...labelRowMargins(order, 70),
      x: { ...scaleOptions(options.value), type: 'linear' },
      y: { domain: order, label: null },
      color: { type: 'ordinal', domain: ['total', 'up', 'down'], range: [NEUTRAL, POSITIVE, NEGATIVE] },
      marks: [
        Plot.barX(rows, { x1: 'from', x2: 'to', y: 'label', fill: 'kind' }),
        Plot.text(rows, {
          x: (r: Bar) => Math.max(r.from, r.to),
          y: 'label',
          text: 'text',
          textAnchor: 'start',
          dx: 4,
          fill: INK,
        }),
        Plot.ruleX([0]),
      ],
    },
    options,
    false,
  );
}
