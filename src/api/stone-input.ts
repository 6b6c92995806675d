/**
 * Checking a stone sent as JSON. The API is strict where the CSV reader is forgiving: numbers must be JSON numbers
 * and grades must be spelt as in the schema, because a program sent them; a near miss gets a suggestion instead.
 * Every problem comes from the one diamond schema (src/diamond): the typebox schema for the shape, validateStoneToValue
 * for ranges and the plausibility of the measurements.
 */
import { Compile } from 'typebox/compile';
import {
  FIELDS,
  gradeHint,
  STONE_FIELDS,
  StoneSchema,
  suggestField,
  validateStoneToValue,
  type StoneToValue,
} from '../diamond/index.js';
import { MAX_PROBLEMS, moreProblems, type FieldProblem } from './problem.js';

const stoneShape = Compile(StoneSchema);
const KNOWN = new Set<string>(STONE_FIELDS);

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Problems of a JSON stone that its shape check (types, exact grades, unknown fields) finds, field by field. */
function strictProblems(record: Record<string, unknown>, prefix: string): Map<string, FieldProblem> {
  const out = new Map<string, FieldProblem>();
  for (const name of STONE_FIELDS) {
    const value = record[name];
    if (value === undefined || value === null) continue; // validateStoneToValue reports it as missing (or leaves all five measurements out)
    const f = FIELDS[name];
    if (f.kind === 'number' && typeof value === 'string') {
      const trimmed = value.trim();
      const numeric = trimmed !== '' && Number.isFinite(Number(trimmed));
      out.set(name, {
        field: prefix + name,
        code: 'wrong_type',
        message: `${f.label} must be a JSON number, not the string ${show(value)}.`,
        allowed: `a number from ${f.min} to ${f.max} ${f.unit}`,
        ...(numeric ? { suggestion: `${Number(trimmed)} (without quotes)` } : {}),
      });
    } else if (f.kind === 'grade' && typeof value === 'string' && !f.scale.some((g) => g.code === value)) {
      const folded = value.trim().replace(/\s+/g, ' ').toLowerCase();
      const near = f.scale.find((g) => g.code.toLowerCase() === folded);
      const allowed = `one of ${f.scale.map((g) => g.code).join(', ')} (exactly as written)`;
      const hint = near ? { suggestion: near.code } : gradeHint(f, value);
      const note = hint.note ? ` ${hint.note}` : hint.suggestion ? ` Did you mean ${hint.suggestion}?` : '';
      out.set(name, {
        field: prefix + name,
        code: 'unknown_grade',
        message: near
          ? `${f.label} ${show(value)} is not spelt as in the grade scale; grades are case-sensitive.`
          : `${f.label} ${show(value)} is not a known grade.${note}`,
        allowed,
        ...(hint.suggestion ? { suggestion: hint.suggestion } : {}),
      });
    }
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

export type StoneCheck = { ok: true; stone: StoneToValue } | { ok: false; problems: FieldProblem[] };

/** A stone ready to value, or every problem it has. The shape check runs first: it is compiled and fast. */
export function checkStone(raw: unknown, prefix = ''): StoneCheck {
  if (stoneShape.Check(raw)) {
    const v = validateStoneToValue(raw);
    if (v.ok) return { ok: true, stone: v.value };
  }
  const problems = stoneProblems(raw, prefix);
  if (problems.length === 0) {
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
