/**
 * The Monitoring screen's charts: plain SVG drawn from the numbers (no chart library), each an image with a title
 * and a description that says every value, so a screen reader gets what the picture shows. They scale to their
 * container (viewBox, width 100%), so no width of the window makes them run past it.
 */

export interface Guide {
  value: number;
  label: string;
}

const W = 640;
const AXIS = 60; // room on the left for the y labels
const FOOT = 22; // room below for the x labels

function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (max <= m * step) return m * step;
  return 10 * step;
}

function Frame(props: { id: string; title: string; desc: string; height: number; children: preact.ComponentChildren }) {
  return (
    <svg
      class="mon-chart"
      viewBox={`0 0 ${W} ${props.height}`}
      role="img"
      aria-labelledby={`${props.id}-title ${props.id}-desc`}
      preserveAspectRatio="xMinYMin meet"
      data-testid={props.id}
    >
      <title id={`${props.id}-title`}>{props.title}</title>
      <desc id={`${props.id}-desc`}>{props.desc}</desc>
      {props.children}
    </svg>
  );
}

/** Y axis with three ticks (0, half, top) and their grid lines. */
function YAxis({
  top,
  height,
  max,
  format,
}: {
  top: number;
  height: number;
  max: number;
  format: (v: number) => string;
}) {
  return (
    <g>
      {[0, 0.5, 1].map((f) => {
        const y = top + height - f * height;
        return (
          <g key={f}>
            <line x1={AXIS} x2={W} y1={y} y2={y} class="mon-chart__grid" />
            <text x={AXIS - 6} y={y + 4} class="mon-chart__tick" text-anchor="end">
              {format(f * max)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** Columns over time (one per slot): stones valued per hour, mean valuation time per hour. */
export function ColumnChart(props: {
  id: string;
  title: string;
  labels: string[];
  values: (number | null)[];
  format: (v: number) => string;
  /** Every how many columns an x label is written. */
  labelEvery: number;
}) {
  const height = 180;
  const plot = height - FOOT - 8;
  const max = niceMax(Math.max(0, ...props.values.map((v) => v ?? 0)));
  const slot = (W - AXIS) / props.values.length;
  const desc = props.values
    .map((v, i) => `${props.labels[i]}: ${v === null ? 'none' : props.format(v)}`)
    .filter((_, i) => props.values[i] !== null && props.values[i] !== 0)
    .join('; ');
  return (
    <Frame id={props.id} title={props.title} desc={desc || 'Nothing in the window.'} height={height}>
      <YAxis top={8} height={plot} max={max} format={props.format} />
      {props.values.map((v, i) =>
        v === null || v === 0 ? null : (
          <rect
            key={i}
            x={AXIS + i * slot + slot * 0.15}
            width={slot * 0.7}
            y={8 + plot - (v / max) * plot}
            height={Math.max(1, (v / max) * plot)}
            class="mon-chart__bar"
          />
        ),
      )}
      {props.labels.map((label, i) =>
        i % props.labelEvery === 0 ? (
          <text key={label} x={AXIS + i * slot + slot / 2} y={height - 6} class="mon-chart__tick" text-anchor="middle">
            {label}
          </text>
        ) : null,
      )}
    </Frame>
  );
}

/** Horizontal bars, one per row, with vertical guide lines (PSI's 0.1 and 0.25; shares; volumes). */
export function BarList(props: {
  id: string;
  title: string;
  rows: { label: string; value: number | null }[];
  format: (v: number) => string;
  max?: number;
  guides?: Guide[];
}) {
  const rowHeight = 30;
  const top = props.guides?.length ? 18 : 4;
  const height = top + props.rows.length * rowHeight + 4;
  const left = 150;
  const right = 90;
  const values = props.rows.map((r) => r.value ?? 0);
  const max = props.max ?? niceMax(Math.max(0, ...values, ...(props.guides ?? []).map((g) => g.value * 1.2)));
  const x = (v: number) => left + (Math.min(v, max) / max) * (W - left - right);
  const desc = props.rows
    .map((r) => `${r.label}: ${r.value === null ? 'not measured' : props.format(r.value)}`)
    .join('; ');
  return (
    <Frame id={props.id} title={props.title} desc={desc} height={height}>
      {props.rows.map((r, i) => (
        <g key={r.label}>
          <text x={0} y={top + i * rowHeight + 19} class="mon-chart__label">
            {r.label.length > 22 ? `${r.label.slice(0, 21)}…` : r.label}
          </text>
          {r.value !== null && (
            <rect
              x={left}
              y={top + i * rowHeight + 7}
              height={16}
              rx={3}
              width={Math.max(2, x(r.value) - left)}
              class="mon-chart__bar"
            />
          )}
          <text x={(r.value === null ? left : x(r.value)) + 8} y={top + i * rowHeight + 19} class="mon-chart__value">
            {r.value === null ? 'not measured' : props.format(r.value)}
          </text>
        </g>
      ))}
      {props.guides?.map((g) => (
        <g key={g.label}>
          <line x1={x(g.value)} x2={x(g.value)} y1={top - 4} y2={height} class="mon-chart__guide" />
          <text x={x(g.value)} y={12} class="mon-chart__tick" text-anchor="middle">
            {g.label}
          </text>
        </g>
      ))}
    </Frame>
  );
}

export interface Line {
  name: string;
  values: (number | null)[];
  dashed?: boolean;
}

/** Lines over a sequence (pipeline runs): the live figure, and the same figure at promotion dashed beside it. */
export function LineChart(props: {
  id: string;
  title: string;
  labels: string[];
  lines: Line[];
  format: (v: number) => string;
  /** The top of the y axis (default: a round number above the largest value). */
  max?: number;
}) {
  const height = 200;
  const plot = height - FOOT - 8;
  const all = props.lines.flatMap((l) => l.values.filter((v): v is number => v !== null));
  const max = props.max ?? niceMax(Math.max(0, ...all) * 1.1);
  const n = props.labels.length;
  const x = (i: number) => AXIS + 12 + (n === 1 ? (W - AXIS - 24) / 2 : (i * (W - AXIS - 24)) / (n - 1));
  const y = (v: number) => 8 + plot - (v / max) * plot;
  const every = Math.max(1, Math.ceil(n / 6));
  const desc = props.lines
    .map(
      (l) =>
        `${l.name}: ${l.values.map((v, i) => `${props.labels[i]} ${v === null ? '—' : props.format(v)}`).join(', ')}`,
    )
    .join('. ');
  return (
    <Frame id={props.id} title={props.title} desc={desc} height={height}>
      <YAxis top={8} height={plot} max={max} format={props.format} />
      {props.lines.map((l, k) => {
        const points = l.values.flatMap((v, i) => (v === null ? [] : [`${x(i)},${y(v)}`]));
        return (
          <g key={l.name} class={`mon-chart__series mon-chart__series--${k}`}>
            <polyline points={points.join(' ')} fill="none" stroke-dasharray={l.dashed ? '6 4' : undefined} />
            {!l.dashed && l.values.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r={3.5} />))}
          </g>
        );
      })}
      {props.labels.map((label, i) =>
        i % every === 0 || i === n - 1 ? (
          <text
            key={label}
            x={x(i)}
            y={height - 6}
            class="mon-chart__tick"
            text-anchor={n > 1 && i === n - 1 ? 'end' : n > 1 && i === 0 ? 'start' : 'middle'}
          >
            {label}
          </text>
        ) : null,
      )}
    </Frame>
  );
}

/** The key of a LineChart: what each line is. */
export function Legend({ lines }: { lines: Line[] }) {
  return (
    <ul class="mon-legend">
      {lines.map((l, k) => (
        <li key={l.name}>
          <svg width="28" height="10" aria-hidden="true" focusable="false" class={`mon-chart__series--${k}`}>
            <line x1="0" x2="28" y1="5" y2="5" stroke-dasharray={l.dashed ? '6 4' : undefined} />
          </svg>
          {l.name}
        </li>
      ))}
    </ul>
  );
}
