/**
 * JSON Schemas (typebox) for a stone and an appraisal, generated from the one field table in fields.ts,
 * so the API's validation and its OpenAPI document can never disagree with CSV validation or the web form.
 */
import { Type, type TNumber, type TObject, type TOptional, type TSchema, type TUnsafe } from 'typebox';
import {
  APPRAISAL_FIELDS,
  FIELDS,
  MEASUREMENT_FIELDS,
  STONE_FIELDS,
  type Appraisal,
  type AppraisalFieldName,
  type Field,
  type FourCs,
  type MeasurementFieldName,
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
  optional: readonly string[] = [],
): ObjectSchema<N> {
  const properties: Record<string, TSchema> = {};
  for (const name of names) {
    const schema = fieldSchema(FIELDS[name]);
    properties[name] = optional.includes(name) ? Type.Optional(schema) : schema;
  }
  // Built in a loop from the field table, so TypeScript cannot follow the keys: the type above says what the loop builds.
  return Type.Object(properties, { $id: id, description, additionalProperties: false }) as unknown as ObjectSchema<N>;
}

/** A stone to value: the 4Cs required, the five measurements optional (the schema's `measurement` fields). */
type StoneToValueSchema = TObject<
  { [K in keyof FourCs]: FieldSchema<K> } & { [K in MeasurementFieldName]: TOptional<TNumber> }
>;

/**
 * The body of a valuation request: the 4Cs, and the five measurements all or none (validateStoneToValue checks the
 * "all or none", which JSON Schema's `required` cannot say).
 */
export const StoneSchema = objectSchema(
  STONE_FIELDS,
  'Stone',
  `The characteristics of a diamond: carat, cut, color and clarity are required; the five measurements (${MEASUREMENT_FIELDS.join(', ')}) are optional, all five or none. Without them the stone is valued from its 4Cs alone, with a wider range calibrated for such stones and a measurements_missing warning. A grade is read whatever its letter case and spacing (\`ideal\` as Ideal, with a normalised warning); a number must be a JSON number.`,
  MEASUREMENT_FIELDS,
) as unknown as StoneToValueSchema;
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
