/**
 * The wiring of one form field to its spec in the shared schema, its value, its problems and its change handler,
 * shared by the stone form (Appraise) and the record form (Appraisals) so both show a field and its problems alike.
 */
import { FIELDS, type GradeFieldName, type NumberFieldName } from '../../../src/diamond/fields.js';
import type { FieldProblem } from '../api.js';
import { GradePicker } from './grade-picker.js';
import { NumberField } from './number-field.js';

interface FieldWiring<N extends string> {
  values: Record<N, string>;
  /** Problems that concern this one field. */
  byField: ReadonlyMap<string, FieldProblem[]>;
  /** Fields any problem names (a geometry problem names several), marked invalid. */
  invalid: ReadonlySet<string>;
  onChange: (name: N, value: string) => void;
  /** Upper bounds tighter than the schema's (the served model's carat limit), when known. */
  maxima?: Partial<Record<NumberFieldName, number>>;
}

/** `number('carat')` and `grade('cut')` for a form whose values are keyed by the field names N. */
export function fieldRenderers<N extends string>({ values, byField, invalid, onChange, maxima }: FieldWiring<N>) {
  const number = (name: N & NumberFieldName) => (
    <NumberField
      spec={FIELDS[name]}
      value={values[name]}
      problems={byField.get(name) ?? []}
      invalid={invalid.has(name)}
      onInput={(v) => onChange(name, v)}
      max={maxima?.[name]}
    />
  );
  const grade = (name: N & GradeFieldName) => (
    <GradePicker
      spec={FIELDS[name]}
      value={values[name]}
      problems={byField.get(name) ?? []}
      invalid={invalid.has(name)}
      onChange={(v) => onChange(name, v)}
    />
  );
  return { number, grade };
}
