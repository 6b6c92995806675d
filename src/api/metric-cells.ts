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

interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; values: Sample[]; aggregator: 'sum' }>;
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
    const family: Family = {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ name, help, type: 'histogram', aggregator: 'sum', values: this.samples() }),
    };
    registry.registerMetric(family as unknown as Metric);
  }

  cell(labels: Record<string, string>): HistogramCell {
    const cell: HistogramCell = { labels, count: 0, sum: 0, perBucket: new Array(this.bounds.length + 1).fill(0) };
    this.cells.push(cell);
    return cell;
  }

  private samples(): Sample[] {
    const out: Sample[] = [];
    for (const cell of this.cells) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += cell.perBucket[i];
        out.push({ metricName: `${this.name}_bucket`, labels: { le, ...cell.labels }, value: cumulative });
      });
      out.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...cell.labels }, value: cell.count });
      out.push({ metricName: `${this.name}_sum`, labels: cell.labels, value: cell.sum });
      out.push({ metricName: `${this.name}_count`, labels: cell.labels, value: cell.count });
    }
    return out;
  }
}

/** A counter family whose cells the caller creates (once per label set) and keeps. */
export class CounterCells {
  private readonly cells: CounterCell[] = [];

  constructor(registry: Registry, name: string, help: string) {
    const family: Family = {
      name,
      help,
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({
        name,
        help,
        type: 'counter',
        aggregator: 'sum',
        values: this.cells.map((c) => ({ labels: c.labels, value: c.value })),
      }),
    };
    registry.registerMetric(family as unknown as Metric);
  }

  cell(labels: Record<string, string>): CounterCell {
    const cell: CounterCell = { labels, value: 0 };
    this.cells.push(cell);
    return cell;
  }
}
