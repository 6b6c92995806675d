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
}

/** `number('carat')` and `grade('cut')` for a form whose values are keyed by the field names N. */
export function fieldRenderers<N extends string>({ values, byField, invalid, onChange }: FieldWiring<N>) {
  const number = (name: N & NumberFieldName) => (
    <NumberField
      spec={FIELDS[name]}
      value={values[name]}
      problems={byField.get(name) ?? []}
      invalid={invalid.has(name)}
      onInput={(v) => onChange(name, v)}
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
