/**
 * The form's values as typed (text, so a mistyped "1,2" reaches the shared validator and gets its suggestion),
 * and the field-problem bookkeeping shared by the form, the error summary and the what-if panel.
 */
import { FIELDS, STONE_FIELDS, type StoneFieldName, type StoneToValue } from '../../../src/diamond/fields.js';
import { validateStoneToValue } from '../../../src/diamond/validate.js';
import type { FieldProblem } from '../api.js';

export type StoneValues = Record<StoneFieldName, string>;

export function emptyValues(): StoneValues {
  return { carat: '', cut: '', color: '', clarity: '', depth: '', table: '', x: '', y: '', z: '' };
}

/** The schema's example stone, as form text. */
export function exampleValues(): StoneValues {
  const values = emptyValues();
  for (const name of STONE_FIELDS) {
    const f = FIELDS[name];
    values[name] = f.kind === 'number' ? f.example.toFixed(f.decimals) : f.example;
  }
  return values;
}

/** A stone as form text; a 4Cs-only stone leaves the measurements empty. */
export function valuesOf(stone: StoneToValue): StoneValues {
  const values = emptyValues();
  for (const name of STONE_FIELDS) {
    const value = (stone as Partial<Record<StoneFieldName, unknown>>)[name];
    values[name] = value === undefined ? '' : String(value);
  }
  return values;
}

/** Whether the form names this stone: "0.90" is 0.9; a form the validator refuses names no stone. */
export function namesStone(values: StoneValues, stone: StoneToValue): boolean {
  const check = validateStoneToValue(values);
  if (!check.ok) return false;
  const typed = check.value as Partial<Record<StoneFieldName, unknown>>;
  const given = stone as Partial<Record<StoneFieldName, unknown>>;
  return STONE_FIELDS.every((name) => typed[name] === given[name]);
}

/** The fields a problem is about: "depth,x,y,z" names four; an API path ("stones/3/carat") names its last part. */
export function fieldsOf(problem: FieldProblem): StoneFieldName[] {
  return problem.field
    .split(',')
    .map((f) => f.trim().split('/').pop() ?? '')
    .filter((f): f is StoneFieldName => (STONE_FIELDS as readonly string[]).includes(f));
}

/** Problems that concern exactly one field, by field; the rest (geometry, whole-body) are shown as a group. */
export function splitProblems(problems: readonly FieldProblem[]): {
  byField: Map<StoneFieldName, FieldProblem[]>;
  shared: FieldProblem[];
} {
  const byField = new Map<StoneFieldName, FieldProblem[]>();
  const shared: FieldProblem[] = [];
  for (const p of problems) {
    const fields = fieldsOf(p);
    if (fields.length === 1) byField.set(fields[0], [...(byField.get(fields[0]) ?? []), p]);
    else shared.push(p);
  }
  return { byField, shared };
}

export function invalidFields(problems: readonly FieldProblem[]): Set<StoneFieldName> {
  return new Set(problems.flatMap(fieldsOf));
}

export const inputId = (name: string): string => `stone-${name}`;

/**
 * The value a problem's suggestion proposes, when it proposes one a person can accept with one click:
 * "1.2 (with a decimal point instead of a comma)" → "1.2"; "0.12 ct (typed in points…)" → "0.12".
 * Never applied without that click.
 */
export function suggestedValue(problem: FieldProblem): string | undefined {
  return problem.suggestion?.match(/^[+-]?\d+(\.\d+)?/)?.[0];
}
