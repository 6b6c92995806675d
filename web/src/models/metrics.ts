/** Model metrics in words: known keys get a name and a unit; nested groups (cv, test, …) keep their nesting. */
import { metricNumber } from '../format.js';

const KNOWN: Record<string, { label: string; unit?: '$' | '%' }> = {
  n: { label: 'Stones evaluated' },
  mae: { label: 'Mean absolute error', unit: '$' },
  rmse: { label: 'Root mean squared error', unit: '$' },
  mape: { label: 'Mean absolute percentage error', unit: '%' },
  mdape: { label: 'Median absolute percentage error', unit: '%' },
  r2: { label: 'R² (share of price variation explained)' },
  coverage: { label: 'Prices inside their range', unit: '%' },
  nominal: { label: 'Range calibrated to hold', unit: '%' },
  medianRelativeWidth: { label: 'Median range width, relative to price', unit: '%' },
};

export interface MetricRow {
  group: string;
  key: string;
  label: string;
  value: string;
}

function humanise(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export function formatMetric(key: string, value: unknown): string {
  if (typeof value !== 'number') return typeof value === 'string' ? value : JSON.stringify(value);
  const unit = KNOWN[key]?.unit;
  if (key === 'n') return value.toLocaleString('en-US');
  if (unit === '$') return `$${metricNumber(value)}`;
  if (unit === '%') return `${metricNumber(value)}%`;
  return metricNumber(value);
}

export function metricLabel(key: string): string {
  return KNOWN[key]?.label ?? humanise(key);
}

export function flattenMetrics(metrics: Record<string, unknown>, group = ''): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      rows.push(...flattenMetrics(value as Record<string, unknown>, group ? `${group} › ${humanise(key)}` : humanise(key)));
    } else if (value !== null && value !== undefined) {
      rows.push({ group, key, label: metricLabel(key), value: formatMetric(key, value) });
    }
  }
  return rows;
}

/** A metric by key anywhere in the (possibly nested) metrics, first match in document order. */
export function findMetric(metrics: Record<string, unknown> | null | undefined, key: string): number | undefined {
  if (!metrics) return undefined;
  if (typeof metrics[key] === 'number') return metrics[key] as number;
  for (const value of Object.values(metrics)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const found = findMetric(value as Record<string, unknown>, key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
