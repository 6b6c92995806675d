/**
 * The answer to POST /v1/valuations as text, made on the thread that valued the stone (valuation-worker.ts), so
 * that the thread answering HTTP neither copies the valuation's objects across threads nor serializes them: it
 * receives two strings and puts the stored valuation's id and time between them.
 *
 * The text is what the route's serializer writes: the same serializer (serializer.ts) on the same schema. That
 * serializer writes an object's required fields first and then the optional ones present, in the schema's order,
 * so `id` and `valuedAt` come after `warnings` and before `explanation`; the thread serializes the answer with a
 * mark in both and cuts it there. A valuation's objects cost both threads a structured clone each way; its text
 * of about 1.2 KB crosses as one copy.
 */
import type { Normalisation } from '../diamond/index.js';
import type { SupportLevel, Valuation, WarningCode } from '../model/index.js';
import { presentValuation } from './present.js';
import { Valuation as ValuationSchema } from './schemas.js';
import { serializerCompiler } from './serializer.js';
import { normalisedWarnings } from './stone-input.js';

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

const serialize = serializerCompiler({
  schema: ValuationSchema,
  method: 'POST',
  url: '/v1/valuations',
  httpStatus: '200',
}) as (value: unknown) => string;
/** A mark no answer holds (a control character, written escaped), and where the serializer writes it. */
const MARK = '\u0001';
const MARKED = ',"id":"\\u0001","valuedAt":"\\u0001"';

/** The valuation with a `normalised` warning first for each grade read in another spelling. */
export function withNormalised(v: Valuation, normalised: readonly Normalisation[]): Valuation {
  return normalised.length === 0 ? v : { ...v, warnings: [...normalisedWarnings(normalised), ...v.warnings] };
}

/** The answer to a valuation of one stone (its grades read as `normalised` says), cut for its id and time. */
export function valuationAnswer(valuation: Valuation, normalised: readonly Normalisation[]): ValuationAnswer {
  const text = serialize({ id: MARK, valuedAt: MARK, ...presentValuation(withNormalised(valuation, normalised)) });
  const at = text.indexOf(MARKED);
  if (at < 0) throw new Error('the valuation serializer no longer writes id and valuedAt where answer-text.ts cuts');
  return {
    head: text.slice(0, at),
    tail: text.slice(at + MARKED.length),
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
