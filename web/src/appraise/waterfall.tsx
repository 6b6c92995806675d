/**
 * The explanation as a waterfall: a bar for the typical price, one floating bar per characteristic for its share
 * of the change (from the running total before it to the one after it), and a bar for this stone's price. Each
 * step also gives its multiplier, labelled as what it is: what the characteristic alone does to a typical stone's
 * price, not the step from one running total to the next (hunt-web #2). Plain SVG laid out for the width it has
 * (labels beside the bars when there is room, above them when narrow, where a connector passing a label stops short
 * of it), so text stays readable at any size.
 * Colour is never the only cue: every step also says "+$…" or "−$…". A table gives the same numbers.
 */
import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Explanation } from '../api.js';
import { capitalise, effectInWords, money, multiplier, signedMoney } from '../format.js';
import { shownSteps } from './shown-steps.js';

interface Row {
  kind: 'total' | 'up' | 'down';
  label: string;
  from: number;
  to: number;
  value: string;
  /** A step's multiplier, what the characteristic alone does to a typical stone: "on its own ×0.17". */
  alone?: string;
}

/** The bars in whole dollars as shown: the typical price, each share from one running total to the next, the price. */
function rowsOf(e: Explanation, quoted: number): Row[] {
  const typical = Math.round(e.typicalPrice);
  const rows: Row[] = [{ kind: 'total', label: 'Typical stone', from: 0, to: typical, value: money(typical) }];
  let before = typical;
  shownSteps(e, quoted).forEach(({ share, runningTotal }, k) => {
    const s = e.steps[k];
    rows.push({
      kind: share >= 0 ? 'up' : 'down',
      label: capitalise(s.label),
      from: before,
      to: runningTotal,
      value: signedMoney(share),
      alone: `on its own ${multiplier(s.multiplier)}`,
    });
    before = runningTotal;
  });
  rows.push({ kind: 'total', label: 'This stone', from: 0, to: quoted, value: money(quoted) });
  return rows;
}

/** Round tick values for an axis from 0 to max: 1, 2 or 5 times a power of ten. */
function ticks(max: number, count: number): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(v);
  return out;
}

const shortMoney = (v: number): string =>
  v >= 1000 ? `$${(v / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })}k` : `$${v}`;

/** The size of a step label (styles.css: .waterfall__label), for the narrow layout, which draws labels over the plot. */
const LABEL_PX = 13;

let measuring: CanvasRenderingContext2D | null | undefined;

/**
 * How wide a label is drawn, measured in the page's font one weight bolder than the label's (so never narrower); a
 * generous 0.75 em a character where the browser cannot measure.
 */
function textWidth(text: string): number {
  measuring ??= document.createElement('canvas').getContext('2d');
  if (measuring) {
    measuring.font = `600 ${LABEL_PX}px ${getComputedStyle(document.body).fontFamily}`;
    // a font the canvas cannot read leaves its 10px default, which would measure short
    if (measuring.font.includes(`${LABEL_PX}px`)) return measuring.measureText(text).width;
  }
  return text.length * LABEL_PX * 0.75;
}

/**
 * The parts of a connector from y1 down to y2 at x that keep clear of a label's box (with 2 px to spare): in the
 * narrow layout a connector runs through the band of the next row's label, which it must not cross (hunt-web #17).
 */
function connectorParts(x: number, y1: number, y2: number, label?: Box): [number, number][] {
  if (!label || x < label.left - 2 || x > label.right + 2) return [[y1, y2]];
  const parts: [number, number][] = [
    [y1, label.top - 2],
    [label.bottom + 2, y2],
  ];
  return parts.filter(([a, b]) => b - a >= 2);
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  useLayoutEffect(() => {
    if (ref.current) setWidth(ref.current.clientWidth || 640);
  }, []);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      const w = Math.round(entries[0].contentRect.width);
      if (w > 0) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

interface ChartProps {
  explanation: Explanation;
  /** The price as quoted (rounded); the bars end at the explanation's exact price. */
  quoted: number;
  id: string;
  /** Another stone's explanation, drawn as outlines behind the bars, so a what-if shows what moved. */
  before?: { explanation: Explanation; quoted: number };
}

export function WaterfallChart({ explanation, quoted, id, before }: ChartProps) {
  const [ref, width] = useWidth();
  const rows = rowsOf(explanation, quoted);
  const ghosts = before ? rowsOf(before.explanation, before.quoted) : [];
  const narrow = width < 480;
  const labelWidth = narrow ? 0 : Math.min(240, Math.max(150, Math.round(width * 0.3)));
  // room for "−$2,316 on its own ×0.17" beside a bar that reaches the end of the axis
  const valueWidth = narrow ? 172 : 190;
  const rowHeight = narrow ? 50 : 36;
  const barHeight = narrow ? 18 : 20;
  const top = 8;
  const axisHeight = 26;
  const plotLeft = labelWidth;
  const plotWidth = Math.max(80, width - labelWidth - valueWidth);
  const max = Math.max(...[...rows, ...ghosts].map((r) => Math.max(r.from, r.to))) * 1.04;
  const x = (v: number): number => plotLeft + (v / max) * plotWidth;
  const height = top + rows.length * rowHeight + axisHeight;
  const axis = ticks(max, narrow ? 3 : 5);
  const barY = (i: number): number =>
    top + i * rowHeight + (narrow ? rowHeight - barHeight - 6 : (rowHeight - barHeight) / 2);
  // Narrow, a label sits above its bar from the left edge, clear of the outline a what-if draws 3 px around the bar.
  const labelBaseline = (i: number): number => barY(i) - 8;
  const labelBoxes: (Box | undefined)[] = rows.map((r, i) =>
    narrow
      ? {
          left: 0,
          right: textWidth(r.label),
          top: labelBaseline(i) - LABEL_PX,
          bottom: labelBaseline(i) + LABEL_PX * 0.3,
        }
      : undefined,
  );

  const shown = shownSteps(explanation, quoted);
  const description = [
    `Starts at ${money(explanation.typicalPrice)}, the typical stone: the geometric mean of Loupe's prices for the stones it learned from.`,
    ...explanation.steps.map(
      (s, k) =>
        `${capitalise(s.label)}: on its own ${multiplier(s.multiplier)} (a typical stone's price ${effectInWords(s.multiplier)}); its share of the change ${signedMoney(shown[k].share)}, running total ${money(shown[k].runningTotal)}.`,
    ),
    `Ends at ${money(quoted)}, this stone's price.`,
    ...(before ? [`Outlines show the stone as appraised, which ends at ${money(before.quoted)}.`] : []),
  ].join(' ');

  return (
    <div class="waterfall" ref={ref}>
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>From the typical price to this stone's price</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {axis.map((t) => (
          <g key={t} class="waterfall__tick">
            <line x1={x(t)} x2={x(t)} y1={top} y2={top + rows.length * rowHeight} />
            {/* Narrow, the plot starts at the chart's left edge: "$0" centred on it would stick out by half its width. */}
            <text x={x(t)} y={height - 8} text-anchor={x(t) < 24 ? 'start' : 'middle'}>
              {shortMoney(t)}
            </text>
          </g>
        ))}
        {rows.map((r, i) => {
          const y = barY(i);
          const left = x(Math.min(r.from, r.to));
          const w = Math.max(2, Math.abs(x(r.to) - x(r.from)));
          const next = rows[i + 1];
          return (
            <g key={i} class={`waterfall__row waterfall__row--${r.kind}`}>
              {narrow ? (
                <text class="waterfall__label" x={0} y={labelBaseline(i)}>
                  {r.label}
                </text>
              ) : (
                <text
                  class="waterfall__label"
                  x={labelWidth - 12}
                  y={y + barHeight / 2}
                  dominant-baseline="central"
                  text-anchor="end"
                >
                  {r.label}
                </text>
              )}
              {ghosts[i] && (
                <rect
                  class="waterfall__ghost"
                  x={x(Math.min(ghosts[i].from, ghosts[i].to))}
                  y={y - 3}
                  width={Math.max(2, Math.abs(x(ghosts[i].to) - x(ghosts[i].from)))}
                  height={barHeight + 6}
                  rx={4}
                />
              )}
              <rect x={left} y={y} width={w} height={barHeight} rx={3} />
              <text class="waterfall__value" x={left + w + 8} y={y + barHeight / 2} dominant-baseline="central">
                {r.value}
                {r.alone && <tspan class="waterfall__alone">{` ${r.alone}`}</tspan>}
              </text>
              {next &&
                next.kind !== 'total' &&
                connectorParts(x(r.to), y + barHeight, barY(i + 1), labelBoxes[i + 1]).map(([y1, y2]) => (
                  <line key={y1} class="waterfall__connector" x1={x(r.to)} x2={x(r.to)} y1={y1} y2={y2} />
                ))}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** The waterfall's numbers as a table: for screen readers, for copying into a letter, for anyone who prefers them. */
export function ExplanationTable({
  explanation,
  quoted,
  caption,
}: {
  explanation: Explanation;
  quoted: number;
  caption: string;
}) {
  const shown = shownSteps(explanation, quoted);
  const typical = Math.round(explanation.typicalPrice);
  const together = explanation.price / explanation.typicalPrice;
  return (
    <>
      <table class="data-table explanation-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col" class="num">
              On its own
            </th>
            <th scope="col" class="num">
              Share of the change
            </th>
            <th scope="col" class="num">
              Running total
            </th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Typical stone</th>
            <td class="num">—</td>
            <td class="num">—</td>
            <td class="num">{money(typical)}</td>
          </tr>
          {explanation.steps.map((s, k) => (
            <tr key={s.factor}>
              <th scope="row">{capitalise(s.label)}</th>
              <td class="num">
                {multiplier(s.multiplier)} <span class="explanation-table__words">{effectInWords(s.multiplier)}</span>
              </td>
              <td class={`num ${shown[k].share >= 0 ? 'up' : 'down'}`}>{signedMoney(shown[k].share)}</td>
              <td class="num">{money(shown[k].runningTotal)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">This stone</th>
            <td class="num">
              {multiplier(together)} <span class="explanation-table__words">{effectInWords(together)}</span>
            </td>
            <td class="num">{signedMoney(Math.round(quoted) - typical)}</td>
            <td class="num">{money(quoted)}</td>
          </tr>
        </tfoot>
      </table>
      <p class="explanation-table__note muted" data-testid="explanation-note">
        “On its own” is what a characteristic alone does to a typical stone's price (all of them together make this
        price); “Share of the change” is its part of the dollars from the typical price to this one, so a running total
        is not the one before it times the multiplier.
      </p>
    </>
  );
}
