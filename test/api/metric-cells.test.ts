import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterCells, HistogramCells, observe } from '../../src/api/metric-cells.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];
// Values on the bounds, between them, below the first and above the last.
const VALUES = [0, 0.0005, 0.001, 0.002, 0.01, 0.05, 0.1, 0.5, 1, 2, 30];

describe('metric cells', () => {
  it('expose a histogram exactly as prom-client does for the same observations', async () => {
    const expected = new Registry();
    const reference = new Histogram({
      name: 'h_seconds',
      help: 'h.',
      labelNames: ['route', 'status'] as const,
      buckets: BOUNDS,
      registers: [expected],
    });
    const actual = new Registry();
    const cells = new HistogramCells(actual, 'h_seconds', 'h.', BOUNDS);
    const a = cells.cell({ route: '/v1/x', status: '200' });
    const b = cells.cell({ route: 'unmatched', status: '404' });
    VALUES.forEach((v, i) => {
      const [cell, labels] = i % 3 === 1 ? [b, b.labels] : [a, a.labels];
      observe(cell, BOUNDS, v);
      reference.observe(labels, v);
    });
    expect(await actual.metrics()).toBe(await expected.metrics());
  });

  it('expose a counter exactly as prom-client does', async () => {
    const expected = new Registry();
    const reference = new Counter({
      name: 'c_total',
      help: 'c.',
      labelNames: ['model_version', 'outcome'] as const,
      registers: [expected],
    });
    const actual = new Registry();
    const cells = new CounterCells(actual, 'c_total', 'c.');
    const valued = cells.cell({ model_version: 'v0001', outcome: 'valued' });
    const refused = cells.cell({ model_version: 'v0001', outcome: 'refused' });
    valued.value += 7;
    refused.value++;
    reference.inc(valued.labels, 7);
    reference.inc(refused.labels);
    expect(await actual.metrics()).toBe(await expected.metrics());
  });
});
