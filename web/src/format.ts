/** Numbers as people in a shop read them: dollars without cents, multipliers with two decimals, signed changes. */

const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

/** "$4,120" */
export function money(value: number): string {
  return dollars.format(Math.round(value));
}

/** "$3,940 – $5,210", or "no range" when Loupe withheld it (a range_withheld warning says why). */
export function rangeText(range: { low: number; high: number } | null): string {
  return range ? `${money(range.low)} – ${money(range.high)}` : 'no range';
}

/** "+$4,120" or "−$310" (a true minus sign, so the two line up in a column). */
export function signedMoney(value: number): string {
  const rounded = Math.round(value);
  if (rounded === 0) return '±$0';
  return `${rounded > 0 ? '+' : '−'}${dollars.format(Math.abs(rounded))}`;
}

/** "×3.40" */
export function multiplier(value: number): string {
  return `×${value.toFixed(2)}`;
}

/**
 * A multiplier in words, as what a characteristic alone does to a typical stone's price: "83% lower", "81% higher",
 * "3.4 times as high" (the server's summary words it the same way, src/model/explain.ts).
 */
export function effectInWords(value: number): string {
  if (value >= 2) return `${value.toFixed(1)} times as high`;
  const pct = Math.round(Math.abs(value - 1) * 100);
  if (pct === 0) return 'about the same';
  return `${pct}% ${value >= 1 ? 'higher' : 'lower'}`;
}

/** "+12.5%" or "−3.0%" */
export function signedPercent(value: number, digits = 1): string {
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return `±${text}%`;
  return `${value > 0 ? '+' : '−'}${text}%`;
}

/** "1,234" or "0.123" — a metric value with as many decimals as makes sense for its size. */
export function metricNumber(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "26 Nov 2026, 16:09 UTC" from an ISO timestamp; the text itself when it is not a date. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })}, ${d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })} UTC`;
}

/** Upper-cases the first letter: API labels start lower case ("colour G"), table cells and chart rows do not. */
export function capitalise(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}
