import { describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import {
  bars,
  binEdges,
  calibration,
  dependence,
  formats,
  histogram,
  lines,
  logTicks,
  scatter,
  toPng,
  waterfall,
} from '../../src/report/charts.js';
import { extent, labelRowMargins, yAxis } from '../../src/report/chart-frame.js';

/** Parses chart text as XML the way a browser or resvg would, and returns the root element. */
function parseSvg(svg: string): Element {
  const { document } = parseHTML(`<html><body>${svg}</body></html>`);
  const root = document.querySelector('svg');
  if (!root) throw new Error('no <svg> element');
  return root as unknown as Element;
}

function texts(svg: string): string[] {
  return Array.from(parseSvg(svg).querySelectorAll('text')).map((t) => t.textContent ?? '');
}

function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const points = Array.from({ length: 60 }, (_, i) => ({
  x: 0.25 + i / 20,
  y: 500 * (0.25 + i / 20) ** 1.8,
  group: i % 2 ? 'Ideal' : 'Fair',
}));

describe('charts', () => {
  it('draws a scatter as one standalone SVG with a title, legend in the given order and one dot per point', () => {
    const svg = scatter(points, {
      title: 'Price & carat',
      x: { label: 'carat', log: true },
      y: { label: 'price', log: true, format: formats.dollars },
      groups: ['Fair', 'Ideal'],
      legend: 'cut',
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const root = parseSvg(svg);
    expect(root.querySelectorAll('circle').length).toBe(points.length);
    const t = texts(svg);
    expect(t[0]).toBe('Price & carat');
    expect(svg).toContain('Price &amp; carat');
    expect(t.indexOf('Fair')).toBeLessThan(t.indexOf('Ideal'));
    expect(t).toContain('$1,000');
  });

  it('leaves out groups that are not listed', () => {
    const svg = scatter(points, { x: { label: 'x' }, y: { label: 'y' }, groups: ['Ideal'] });
    expect(parseSvg(svg).querySelectorAll('circle').length).toBe(points.length / 2);
  });

  it('is deterministic: the same data gives the same bytes', () => {
    const draw = () =>
      histogram(
        points.map((p) => p.y),
        { x: { label: 'price', log: true }, bins: 20 },
      );
    expect(draw()).toBe(draw());
  });

  it('draws a histogram with one bar per non-empty bin', () => {
    const values = [1, 1, 2, 3, 3, 3, 10];
    const svg = histogram(values, { x: { label: 'v', domain: [0, 10] }, bins: 10 });
    const heights = Array.from(parseSvg(svg).querySelectorAll('rect')).filter(
      (r) => r.getAttribute('height') !== '100%',
    );
    expect(heights.length).toBe(new Set(values.map((v) => Math.min(9, Math.floor(v)))).size);
  });

  it('draws grouped histograms as shares of each group', () => {
    const svg = histogram(
      points.map((p) => ({ value: p.x, group: p.group })),
      { x: { label: 'carat' }, groups: ['Fair', 'Ideal'] },
    );
    expect(parseSvg(svg).querySelectorAll('path').length).toBeGreaterThanOrEqual(2);
    expect(texts(svg).some((t) => t.includes('share of stones'))).toBe(true);
  });

  it('normalises each group of a histogram within that group, not over all stones pooled', () => {
    // Two groups with the same distribution but ten times the stones: as shares of their own group the two
    // outlines are the same line (pooled shares would put the large group's line ten times higher).
    const shape = [1, 2, 2, 3, 3, 3, 4, 4, 5];
    const samples = [
      ...Array.from({ length: 10 }, () => shape.map((value) => ({ value, group: 'large' }))).flat(),
      ...shape.map((value) => ({ value, group: 'small' })),
    ];
    const svg = histogram(samples, { x: { label: 'v', domain: [0, 6] }, bins: 6, groups: ['large', 'small'] });
    const outlines = Array.from(parseSvg(svg).querySelectorAll('path'))
      .map((p) => p.getAttribute('d') ?? '')
      .filter((d) => d.length > 20);
    expect(outlines.length).toBe(2);
    expect(outlines[0]).toBe(outlines[1]);
  });

  it('draws bars in the given order with their values written beside them', () => {
    const svg = bars(
      [
        { label: 'clarity', value: 0.2 },
        { label: 'carat', value: 0.75 },
      ],
      { value: { label: 'mean |contribution|' }, order: ['carat', 'clarity'] },
    );
    const t = texts(svg);
    expect(t.indexOf('carat')).toBeLessThan(t.indexOf('clarity'));
    expect(t).toContain('0.75');
  });

  it('draws a dashed reference line across bars and leaves room for long labels', () => {
    const long = 'proportions (depth, table, roundness, depth gap)';
    const svg = bars([{ label: long, value: 0.9 }], { value: { label: 'coverage' }, reference: 0.9 });
    expect(
      parseSvg(svg).querySelectorAll('line[stroke-dasharray]').length +
        parseSvg(svg).querySelectorAll('[stroke-dasharray] line').length,
    ).toBeGreaterThan(0);
    const inner = parseSvg(svg).querySelector('svg');
    expect(inner).not.toBeNull();
    expect(svg).toContain(long);
  });

  it('draws lines over an ordered category axis', () => {
    const svg = lines(
      [
        { x: 'SI2', y: 4, group: 'small' },
        { x: 'I1', y: 3, group: 'small' },
      ],
      { x: { label: 'clarity' }, y: { label: 'median price' }, categories: ['I1', 'SI2'] },
    );
    const t = texts(svg);
    expect(t.indexOf('I1')).toBeLessThan(t.indexOf('SI2'));
    expect(parseSvg(svg).querySelectorAll('path').length).toBeGreaterThan(0);
  });

  it('draws a dependence plot with its zero line', () => {
    const svg = dependence(
      [
        { x: 1, y: -0.2 },
        { x: 2, y: 0.3 },
      ],
      { x: { label: 'carat' }, y: { label: 'contribution' } },
    );
    expect(parseSvg(svg).querySelectorAll('circle').length).toBe(2);
    expect(parseSvg(svg).querySelectorAll('line').length).toBeGreaterThan(0);
  });

  it('labels a ranked axis with the category names at their positions', () => {
    const svg = dependence(
      [
        { x: 0.1, y: -0.2 },
        { x: 2.2, y: 0.3 },
      ],
      { x: { label: 'clarity', categories: ['I1', 'SI2', 'SI1'] }, y: { label: 'contribution' } },
    );
    const t = texts(svg);
    expect(t).toEqual(expect.arrayContaining(['I1', 'SI2', 'SI1']));
    expect(t.indexOf('I1')).toBeLessThan(t.indexOf('SI1'));
    expect(t).not.toContain('0.5');
  });

  it('draws a calibration plot: one dot and one interval per level, with its title', () => {
    const levels = [0.5, 0.8, 0.9, 0.95].map((nominal) => ({
      nominal,
      observed: nominal - 0.01,
      low: nominal - 0.04,
      high: nominal + 0.02,
    }));
    const svg = calibration(levels, { title: 'Do the ranges hold?' });
    const root = parseSvg(svg);
    expect(root.querySelectorAll('circle').length).toBe(4);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Do the ranges hold?', '50%', '90%']));
    // one vertical interval per level, from its low to its high
    const intervals = Array.from(root.querySelectorAll('g[aria-label="rule"] line'));
    expect(intervals.length).toBe(4);
    for (const l of intervals) expect(l.getAttribute('y1')).not.toBe(l.getAttribute('y2'));
  });

  it('draws a waterfall whose last bar is the sum of the start and the steps', () => {
    const svg = waterfall(
      { label: 'typical', value: 3000 },
      [
        { label: 'carat', value: 2500 },
        { label: 'clarity', value: -400 },
      ],
      { label: 'appraised' },
      { value: { label: 'USD', format: formats.dollars } },
    );
    const t = texts(svg);
    expect(t).toEqual(expect.arrayContaining(['$3,000', '+$2,500', '−$400', '$5,100']));
    expect(t.indexOf('typical')).toBeLessThan(t.indexOf('appraised'));
    expect(t).not.toContain('up');
  });

  it('rasterises to a PNG at twice the SVG size by default', () => {
    const svg = scatter(points, { width: 300, height: 200, x: { label: 'x' }, y: { label: 'y' } });
    const png = toPng(svg);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const height = Number(parseSvg(svg).getAttribute('height'));
    expect(pngSize(png)).toEqual({ width: 600, height: 2 * height });
    expect(pngSize(toPng(svg, { scale: 1 })).width).toBe(300);
  });
});

describe('axis helpers', () => {
  it('puts log ticks at 1, 2 and 5 times powers of ten inside the range', () => {
    expect(logTicks(0.23, 5.01)).toEqual([0.5, 1, 2, 5]);
    expect(logTicks(326, 18_800)).toEqual([500, 1000, 2000, 5000, 10000]);
  });

  it('makes equal-width bins, equal in log space for log axes', () => {
    const linear = binEdges([0, 10], 5, false);
    expect(linear.slice(0, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(linear[5]).toBeGreaterThan(10);
    expect(linear[5]).toBeCloseTo(10, 6);
    const edges = binEdges([1, 100], 2, true);
    expect(edges[0]).toBeCloseTo(1);
    expect(edges[1]).toBeCloseTo(10);
    expect(edges[2]).toBeCloseTo(100);
  });

  it('gives a y axis of numbers a left margin that grows with its longest tick label', () => {
    const dollars = { label: 'price', format: formats.dollars };
    const small = yAxis(dollars, [5, 9]);
    const large = yAxis(dollars, [5, 1_250_000]);
    expect(small.marginLeft).toBe(40);
    // "$1,250,000" is 10 characters: 6.5 px each and 14 px of tick and gap.
    expect(large.marginLeft).toBe(Math.ceil(10 * 6.5 + 14));
    expect(large.y).toMatchObject({ label: 'price', grid: true, tickFormat: formats.dollars });
  });

  it('gives rows of category labels a left margin for the longest label and the right margin asked', () => {
    expect(labelRowMargins(['D', 'E'], 60)).toEqual({ marginLeft: 60, marginRight: 60 });
    expect(labelRowMargins(['Ideal', 'a label of 24 characters'], 70)).toEqual({
      marginLeft: Math.ceil(24 * 6.6 + 16),
      marginRight: 70,
    });
  });

  it('formats dollars and percentages', () => {
    expect(formats.dollars(12345.6)).toBe('$12,346');
    expect(formats.dollars(-400)).toBe('−$400');
    expect(formats.percent(0.0703)).toBe('7%');
    expect(formats.percent(0.005)).toBe('0.5%');
    expect(formats.percent1(0.0703)).toBe('7.0%');
  });

  it('takes the extent of 500,000 values without overflowing the call stack', () => {
    const values = Array.from({ length: 500_000 }, (_, i) => ((i * 7919) % 500_000) - 1000);
    expect(() => Math.min(...values)).toThrow(RangeError); // what the charts did before
    expect(extent(values)).toEqual([-1000, 498_999]);
    expect(extent([])).toEqual([Infinity, -Infinity]);
    const edges = binEdges(values, 4, false);
    expect(edges).toHaveLength(5);
    expect(edges[0]).toBe(-1000);
    expect(edges[4]).toBeCloseTo(498_999, 2); // a hair above the maximum, by design
  });
});
