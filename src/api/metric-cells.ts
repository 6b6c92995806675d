/**
 * Counters and histograms cheap enough to update on every request. prom-client hashes a label object into a key
 * on every `inc`/`observe` (even through `.labels(…)` children); here a caller holds a cell — a plain object with
 * its count, sum and buckets — and an observation is a few additions. The cells are read at scrape time through
 * prom-client's Registry (`registerMetric` accepts any object with `name`, `help`, `type` and `get()`), so they are
 * exposed in the same text format as prom-client's own metrics.
 */
import type { Metric, Registry } from 'prom-client';

export interface HistogramCell {
  readonly labels: Readonly<Record<string, string>>;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last entry is above the highest bound. */
  readonly perBucket: number[];
}

export interface CounterCell {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

export interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * Registers a family whose samples `samples()` computes at each scrape (cells held by a caller, or figures read
 * from elsewhere); histogram samples name their `_bucket`, `_sum` and `_count` series in `metricName`.
 */
export function registerFamily(
  registry: Registry,
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  samples: () => Sample[] | Promise<Sample[]>,
): void {
  const family = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: await samples() }),
  };
  registry.registerMetric(family as unknown as Metric);
}

/** The samples of one histogram series from its cumulative bucket counts (one per bound), count and sum. */
export function histogramSamples(
  name: string,
  labels: Record<string, string>,
  bounds: readonly number[],
  atMost: readonly number[],
  count: number,
  sum: number,
): Sample[] {
  const out: Sample[] = bounds.map((le, i) => ({
    metricName: `${name}_bucket`,
    labels: { le, ...labels },
    value: atMost[i],
  }));
  out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...labels }, value: count });
  out.push({ metricName: `${name}_sum`, labels, value: sum });
  out.push({ metricName: `${name}_count`, labels, value: count });
  return out;
}

/** Adds one observation. Bounds are few (about a dozen): a linear scan beats a binary search there. */
export function observe(cell: HistogramCell, bounds: readonly number[], value: number): void {
  let i = 0;
  while (i < bounds.length && value > bounds[i]) i++;
  cell.perBucket[i]++;
  cell.count++;
  cell.sum += value;
}

/** A histogram family whose cells the caller creates (once per label set) and keeps. */
export class HistogramCells {
  private readonly cells: HistogramCell[] = [];

  constructor(
    registry: Registry,
    readonly name: string,
    help: string,
    readonly bounds: readonly number[],
  ) {
    registerFamily(registry, name, help, 'histogram', () => this.samples());
  }

  cell(labels: Record<string, string>): HistogramCell {
    const cell: HistogramCell = { labels, count: 0, sum: 0, perBucket: new Array(this.bounds.length + 1).fill(0) };
    this.cells.push(cell);
    return cell;
  }

  private samples(): Sample[] {
    return this.cells.flatMap((cell) => {
      const atMost: number[] = [];
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += cell.perBucket[i];
        atMost.push(cumulative);
      }
      return histogramSamples(this.name, cell.labels, this.bounds, atMost, cell.count, cell.sum);
    });
  }
}

/** A counter family whose cells the caller creates (once per label set) and keeps. */
export class CounterCells {
  private readonly cells: CounterCell[] = [];

  constructor(registry: Registry, name: string, help: string) {
    registerFamily(registry, name, help, 'counter', () =>
      this.cells.map((c) => ({ labels: c.labels, value: c.value })),
    );
  }

  cell(labels: Record<string, string>): CounterCell {
    const cell: CounterCell = { labels, value: 0 };
    this.cells.push(cell);
    return cell;
  }
}
