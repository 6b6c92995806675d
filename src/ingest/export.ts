/**
 * Rejected rows back to CSV, to be fixed and ingested again: the file's own header and each row's raw text
 * unchanged, plus a `reasons` column saying what is wrong (ignored as an extra column when re-ingested).
 */
import type { RejectRecord } from '../store/rejects.js';

export const REASONS_COLUMN = 'reasons';

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The lines (without line endings) of a CSV of rejected rows that share one header. */
export function* toRejectsCsv(header: string, rejects: Iterable<RejectRecord>): Generator<string> {
  yield `${header},${REASONS_COLUMN}`;
  for (const r of rejects) {
    yield `${r.rawText},${csvField(r.reasons.map((p) => p.message).join(' | '))}`;
  }
}
