/**
 * The answer to POST /v1/valuations as text, made on the thread that valued the stone (valuation-worker.ts), so
 * that the thread answering HTTP neither copies the valuation's objects across threads nor serializes them: it
 * receives two strings and puts the stored valuation's id and time between them.
 *
 * The text is what the route's serializer (fast-json-stringify on the Valuation schema, serializer.ts) wrote: it
 * writes an object's required fields first, then the optional ones present, each in the schema's order, so `id`
 * and `valuedAt` come after `warnings` and before `explanation`. Here the same fields are written in that order
 * with JSON.stringify, which needs neither the schemas nor the serializer's compiler on the thread (loading those
 * made a new valuation thread take half as long again to start); test/api/valuation-pool.test.ts checks the text
 * against the route's serializer byte for byte.
 */
import { normalisationMessage, type Normalisation } from '../diamond/index.js';
import type { SupportLevel, Valuation, WarningCode } from '../model/index.js';
import { roundExplanation } from './present-valuation.js';

/** A valuation's answer, cut where its id and time go, with what the metrics and the traffic summary count. */
export interface ValuationAnswer {
  /** The answer's JSON up to where `id` and `valuedAt` go, and from there on. */
  head: string;
  tail: string;
  /** The stone's support level (for the live traffic summary). */
  support: SupportLevel;
  /** The codes of the model's warnings (for the metrics; not the `normalised` ones the answer adds). */
  warnings: WarningCode[];
}

/** A `normalised` warning for each grade read in another spelling (the thread imports it from here, not from the
 * stone check, which compiles the stone's schema). */
export function normalisedWarnings(normalised: readonly Normalisation[]) {
  return normalised.map((n) => ({
    code: 'normalised' as const,
    field: n.field,
    message: normalisationMessage(n),
    given: n.from,
    used: n.to,
  }));
}

/** The valuation with a `normalised` warning first for each grade read in another spelling. */
export function withNormalised(v: Valuation, normalised: readonly Normalisation[]): Valuation {
  return normalised.length === 0 ? v : { ...v, warnings: [...normalisedWarnings(normalised), ...v.warnings] };
}

/** The answer to a valuation of one stone (its grades read as `normalised` says), cut for its id and time. */
export function valuationAnswer(valuation: Valuation, normalised: readonly Normalisation[]): ValuationAnswer {
  const v = withNormalised(valuation, normalised);
  const { range, support, explanation: e } = v;
  // the 200 schema's required fields, in its order (undefined optional fields are left out, as the schema does)
  const head = JSON.stringify({
    price: v.price,
    currency: v.currency,
    range: range && { low: range.low, high: range.high, coverage: range.coverage },
    support: { level: support.level, comparableStones: support.comparableStones, summary: support.summary },
    modelVersion: v.modelVersion,
    warnings: v.warnings.map((w) => ({
      code: w.code,
      message: w.message,
      field: w.field,
      given: w.given,
      used: w.used,
    })),
  });
  const explanation = e && roundExplanation(e);
  return {
    head: head.slice(0, -1),
    tail: explanation ? `,"explanation":${JSON.stringify(explanation)}}` : '}',
    support: valuation.support.level,
    warnings: valuation.warnings.map((w) => w.code),
  };
}

/** The answer's text: with its id and time when the valuation is stored, else without them. */
export function answerText(answer: ValuationAnswer, stored?: { id: string; valuedAt: string }): string {
  // neither needs escaping: an id is val_ and base64url, a time is ISO 8601
  return stored
    ? `${answer.head},"id":"${stored.id}","valuedAt":"${stored.valuedAt}"${answer.tail}`
    : answer.head + answer.tail;
}
