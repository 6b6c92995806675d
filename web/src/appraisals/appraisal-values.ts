/**
 * An appraisal as the expert types it (text, so that "0,51" or "36" reaches the ingestion's own row check and gets
 * its "probably meant"), and the bookkeeping of which reasons of a rejected row concern which field.
 */
import { APPRAISAL_FIELDS, FIELDS, type AppraisalFieldName } from '../../../src/diamond/fields.js';
import type { AppraisalInput, FieldProblem, RecordedAppraisal } from '../api.js';
import { suggestedValue } from '../appraise/stone-values.js';

export type AppraisalValues = Record<AppraisalFieldName, string> & { ref: string };

export function emptyAppraisal(): AppraisalValues {
  const values = { ref: '' } as AppraisalValues;
  for (const f of APPRAISAL_FIELDS) values[f] = '';
  return values;
}

/** A rejected row's cells (by lower-case column name) as the values to correct. */
export function valuesOfRow(fields: Record<string, string>): AppraisalValues {
  const values = emptyAppraisal();
  for (const f of APPRAISAL_FIELDS) values[f] = fields[f] ?? '';
  values.ref = fields.ref ?? '';
  return values;
}

/** What is sent: every field as typed; the reference only when there is one. */
export function inputOf(values: AppraisalValues): AppraisalInput {
  const { ref, ...fields } = values;
  return ref.trim() === '' ? fields : { ...fields, ref: ref.trim() };
}

const isField = (name: string): name is AppraisalFieldName => (APPRAISAL_FIELDS as readonly string[]).includes(name);

/** Reasons that name exactly one field, by field; the rest (a geometry check, a duplicate) concern the row. */
export function reasonsByField(reasons: readonly FieldProblem[]): {
  byField: Map<AppraisalFieldName, FieldProblem[]>;
  row: FieldProblem[];
} {
  const byField = new Map<AppraisalFieldName, FieldProblem[]>();
  const row: FieldProblem[] = [];
  for (const p of reasons) {
    const names = p.field.split(',').map((f) => f.trim().toLowerCase());
    if (names.length === 1 && isField(names[0])) byField.set(names[0], [...(byField.get(names[0]) ?? []), p]);
    else row.push(p);
  }
  return { byField, row };
}

/** Every field a reason names (a geometry reason names several), to mark them invalid. */
export function fieldsNamed(reasons: readonly FieldProblem[]): Set<string> {
  return new Set(reasons.flatMap((p) => p.field.split(',').map((f) => f.trim().toLowerCase())));
}

/** "0.71 ct Ideal F VS1" */
export function stoneText(a: Pick<RecordedAppraisal, 'carat' | 'cut' | 'color' | 'clarity'>): string {
  return `${a.carat} ct ${a.cut} ${a.color} ${a.clarity}`;
}

/**
 * The value a reason proposes for its field, when one click can accept it: a number ("0.36 ct (typed in points…)"
 * → "0.36") or, for a grade, a code of its scale ("Ideal").
 */
export function proposedValue(problem: FieldProblem, name: AppraisalFieldName): string | undefined {
  const f = FIELDS[name];
  if (f.kind === 'number') return suggestedValue(problem);
  return f.scale.find((g) => g.code === problem.suggestion?.trim())?.code;
}
