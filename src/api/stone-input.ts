/**
 * Checking a stone sent as JSON, under the one leniency policy of src/diamond (validate.ts): a grade in another
 * letter case or spacing is used and reported (`normalised`), a number must be a JSON number (a program sent it),
 * and a near miss (a number as text, a decimal comma, a misspelt grade or field) gets a suggestion instead.
 * Every problem comes from the one diamond schema (src/diamond): the typebox schema for the shape, validateStoneToValue
 * for ranges, grades and the plausibility of the measurements.
 */
import type { FastifyRequest } from 'fastify';
import { Compile } from 'typebox/compile';
import {
  FIELDS,
  numberHint,
  readGrade,
  STONE_FIELDS,
  StoneSchema,
  suggestField,
  validateStoneToValue,
  type Normalisation,
  type StoneToValue,
} from '../diamond/index.js';
import { MAX_PROBLEMS, moreProblems, type FieldProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Grades of the query read in another spelling (the one leniency policy), said in the answer's warnings. */
    gradesRead?: Normalisation[];
  }
}

const stoneShape = Compile(StoneSchema);
const KNOWN = new Set<string>(STONE_FIELDS);

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Numbers sent as JSON strings, field by field: the JSON types the CSV reader cannot check. */
function strictProblems(record: Record<string, unknown>, prefix: string): Map<string, FieldProblem> {
  const out = new Map<string, FieldProblem>();
  for (const name of STONE_FIELDS) {
    const value = record[name];
    const f = FIELDS[name];
    if (f.kind !== 'number' || typeof value !== 'string') continue;
    const trimmed = value.trim();
    const numeric = trimmed !== '' && Number.isFinite(Number(trimmed));
    const suggestion = numeric ? `${Number(trimmed)} (without quotes)` : numberHint(f, trimmed);
    out.set(name, {
      field: prefix + name,
      code: 'wrong_type',
      message: `${f.label} must be a JSON number, not the string ${show(value)}${suggestion ? `; probably meant ${suggestion}` : ''}.`,
      allowed: `a number from ${f.min} to ${f.max} ${f.unit}`,
      ...(suggestion ? { suggestion } : {}),
    });
  }
  return out;
}

/**
 * The problems of a stone sent as JSON, in the order of the fields, then unknown fields, then geometry: at most
 * MAX_PROBLEMS, then one entry counting the rest.
 */
export function stoneProblems(raw: unknown, prefix = ''): FieldProblem[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [
      {
        field: prefix.replace(/\/$/, ''),
        code: 'wrong_type',
        message: `A stone must be a JSON object with its 4Cs (and its five measurements, or none), not ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : `a ${typeof raw}`}.`,
        allowed: `an object with the fields ${STONE_FIELDS.join(', ')}`,
      },
    ];
  }
  const record = raw as Record<string, unknown>;
  const strict = strictProblems(record, prefix);
  const problems: FieldProblem[] = [];
  const validation = validateStoneToValue(record);
  const fromValidator = validation.ok ? [] : validation.problems;
  for (const name of STONE_FIELDS) {
    const own = strict.get(name) ?? fromValidator.find((p) => p.field === name);
    if (own) problems.push(own.field === prefix + name ? own : { ...own, field: prefix + own.field });
  }
  // Unknown fields past the cap are only counted: their number grows with the input, the answer must not.
  let unlisted = 0;
  for (const key of Object.keys(record)) {
    if (KNOWN.has(key)) continue;
    if (problems.length >= MAX_PROBLEMS) unlisted++;
    else {
      // A near miss of a field the stone lacks (colour, Carat) is named; one it already has is not a likely meaning.
      const meant = suggestField(key, STONE_FIELDS);
      const suggestion = meant !== undefined && record[meant] === undefined ? meant : undefined;
      problems.push({
        field: prefix + key,
        code: 'unknown_field',
        message: `${show(key)} is not a characteristic of a stone${suggestion ? `; did you mean ${suggestion}?` : '.'}`,
        allowed: `only the fields ${STONE_FIELDS.join(', ')}`,
        ...(suggestion ? { suggestion } : {}),
      });
    }
  }
  if (unlisted > 0) return [...problems, moreProblems(prefix.replace(/\/$/, ''), unlisted, problems.length)];
  // Plausibility of the measurements is judged only when every field on its own is fine.
  if (problems.length === 0) {
    for (const p of fromValidator)
      problems.push({
        ...p,
        field: p.field
          .split(',')
          .map((f) => prefix + f.trim())
          .join(','),
      });
  }
  return problems;
}

export type StoneCheck =
  | { ok: true; stone: StoneToValue; normalised: Normalisation[] }
  | { ok: false; problems: FieldProblem[] };

/**
 * A stone ready to value (with the grades read in another spelling, to say so in the answer), or every problem it
 * has. The shape check runs first: it is compiled and fast, and passes every stone spelt as in the schema.
 */
export function checkStone(raw: unknown, prefix = ''): StoneCheck {
  if (stoneShape.Check(raw)) {
    const v = validateStoneToValue(raw);
    if (v.ok) return { ok: true, stone: v.value, normalised: [] };
  }
  const problems = stoneProblems(raw, prefix);
  if (problems.length === 0) {
    const v = validateStoneToValue(raw);
    if (v.ok) return { ok: true, stone: v.value, normalised: v.normalised };
    // Cannot happen while the shape check and the validator agree; never let a bad stone through if they do not.
    problems.push({
      field: prefix.replace(/\/$/, ''),
      code: 'invalid',
      message: 'The stone does not match the Stone schema.',
      allowed: 'see the Stone schema in /openapi.json',
    });
  }
  return { ok: false, problems };
}

/** The `normalised` warnings of an answer: one per grade read in another spelling, saying what was given and used. */
export { normalisedWarnings } from './answer-text.js';

/**
 * A route's preValidation, before its query's schema checks the grades (an enum of codes): a grade (cut, color,
 * clarity) in another letter case or spacing is read as its code, as in a valuation, and kept in
 * request.gradesRead for the answer to say. Anything else is left for the schema to refuse.
 */
export async function readGradesOfQuery(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown>;
  const read: Normalisation[] = [];
  for (const name of STONE_FIELDS) {
    const field = FIELDS[name];
    const raw = query[name];
    if (field.kind !== 'grade' || typeof raw !== 'string') continue;
    const grade = readGrade(field, raw);
    if (!grade?.normalised) continue;
    query[name] = grade.code;
    read.push(grade.normalised);
  }
  if (read.length > 0) request.gradesRead = read;
}
