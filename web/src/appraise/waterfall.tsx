/**
 * The explanation as a waterfall: a bar for the typical price, one floating bar per characteristic from the price
 * before it to the price after it, and a bar for this stone's price. Plain SVG laid out for the width it has
 * (labels beside the bars when there is room, above them on a phone), so text stays readable at any size.
 * Colour is never the only cue: every step also says "+$…" or "−$…". A table gives the same numbers.
 */
import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Explanation } from '../api.js';
import { capitalise, money, multiplier, signedMoney } from '../format.js';

interface Row {
  kind: 'total' | 'up' | 'down';
  label: string;
  from: number;
  to: number;
  value: string;
}

function rowsOf(e: Explanation, quoted: number): Row[] {
  const rows: Row[] = [
    { kind: 'total', label: 'Typical stone', from: 0, to: e.typicalPrice, value: money(e.typicalPrice) },
  ];
  let before = e.typicalPrice;
  for (const s of e.steps) {
    rows.push({
      kind: s.priceAfter >= before ? 'up' : 'down',
      label: capitalise(s.label),
      from: before,
      to: s.priceAfter,
      value: `${multiplier(s.multiplier)} (${signedMoney(s.dollars)})`,
    });
    before = s.priceAfter;
  }
  rows.push({ kind: 'total', label: 'This stone', from: 0, to: e.price, value: money(quoted) });
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
  const valueWidth = narrow ? 128 : 150;
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

  const description = [
    `Starts at ${money(explanation.typicalPrice)}, the typical stone: the geometric mean of Loupe's prices for the stones it learned from.`,
    ...explanation.steps.map(
      (s) =>
        `${capitalise(s.label)}: ${multiplier(s.multiplier)}, ${signedMoney(s.dollars)}, to ${money(s.priceAfter)}.`,
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
                <text class="waterfall__label" x={0} y={y - 6}>
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
              </text>
              {next && next.kind !== 'total' && (
                <line class="waterfall__connector" x1={x(r.to)} x2={x(r.to)} y1={y + barHeight} y2={barY(i + 1)} />
              )}
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
  let before = explanation.typicalPrice;
  return (
    <table class="data-table explanation-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col" class="num">
            Effect
          </th>
          <th scope="col" class="num">
            Change
          </th>
          <th scope="col" class="num">
            Price after
          </th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">Typical stone</th>
          <td class="num">—</td>
          <td class="num">—</td>
          <td class="num">{money(explanation.typicalPrice)}</td>
        </tr>
        {explanation.steps.map((s) => {
          const row = (
            <tr key={s.factor}>
              <th scope="row">{capitalise(s.label)}</th>
              <td class="num">{multiplier(s.multiplier)}</td>
              <td class={`num ${s.priceAfter >= before ? 'up' : 'down'}`}>{signedMoney(s.dollars)}</td>
              <td class="num">{money(s.priceAfter)}</td>
            </tr>
          );
          before = s.priceAfter;
          return row;
        })}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">This stone</th>
          <td class="num">{multiplier(explanation.price / explanation.typicalPrice)}</td>
          <td class="num">{signedMoney(explanation.price - explanation.typicalPrice)}</td>
          <td class="num">{money(quoted)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
