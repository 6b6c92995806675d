/**
 * JSON Schemas (typebox) for a stone and an appraisal, generated from the one field table in fields.ts,
 * so the API's validation and its OpenAPI document can never disagree with CSV validation or the web form.
 */
import { Type, type TNumber, type TObject, type TSchema, type TUnsafe } from 'typebox';
import {
  APPRAISAL_FIELDS,
  FIELDS,
  STONE_FIELDS,
  type Appraisal,
  type AppraisalFieldName,
  type Field,
} from './fields.js';

/** The typebox type of one field: a number, or one of its grade codes (so that Static<typeof StoneSchema> is Stone). */
type FieldSchema<N extends AppraisalFieldName> = Appraisal[N] extends number ? TNumber : TUnsafe<Appraisal[N]>;
type ObjectSchema<N extends AppraisalFieldName> = TObject<{ [K in N]: FieldSchema<K> }>;

function fieldSchema(f: Field): TSchema {
  if (f.kind === 'number') {
    return Type.Number({
      minimum: f.min,
      maximum: f.max,
      description: `${f.description} Unit: ${f.unit}. Allowed: ${f.min} to ${f.max}.`,
      examples: [f.example],
    });
  }
  return Type.Union(
    f.scale.map((g) => Type.Literal(g.code, { description: g.meaning })),
    { description: f.description, examples: [f.example] },
  );
}

function objectSchema<N extends AppraisalFieldName>(
  names: readonly N[],
  id: string,
  description: string,
): ObjectSchema<N> {
  const properties: Record<string, TSchema> = {};
  for (const name of names) properties[name] = fieldSchema(FIELDS[name]);
  // Built in a loop from the field table, so TypeScript cannot follow the keys: the type above says what the loop builds.
  return Type.Object(properties, { $id: id, description, additionalProperties: false }) as unknown as ObjectSchema<N>;
}

/** The nine characteristics of a stone: the body of a valuation request. */
export const StoneSchema = objectSchema(STONE_FIELDS, 'Stone', 'The nine characteristics of a diamond.');
/** A stone with its appraised price. */
export const AppraisalSchema = objectSchema(
  APPRAISAL_FIELDS,
  'Appraisal',
  'A diamond and the price an expert appraised it at.',
);

/** An example stone, from the field table's examples. */
export function exampleStone(): Record<string, number | string> {
  const example: Record<string, number | string> = {};
  for (const name of STONE_FIELDS) example[name] = FIELDS[name].example;
  return example;
}
