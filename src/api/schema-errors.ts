/**
 * Turning a schema check's errors (typebox, JSON-pointer paths) into field problems: one per field, naming what
 * was wrong and, read from the schema itself, what is allowed.
 */
import type { FieldProblem } from './problem.js';

export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

type Schema = Record<string, unknown>;

function pointerParts(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The sub-schema at a path (through properties and items). */
function schemaAt(schema: Schema | undefined, parts: string[]): Schema | undefined {
  let s = schema;
  for (const part of parts) {
    if (!s) return undefined;
    const props = s.properties as Record<string, Schema> | undefined;
    if (props && part in props) s = props[part];
    else if (s.items && typeof s.items === 'object') s = s.items as Schema;
    else return undefined;
  }
  return s;
}

/** What a schema allows, in words. */
export function describeAllowed(s: Schema | undefined): string | undefined {
  if (!s) return undefined;
  const range = (): string =>
    s.minimum !== undefined && s.maximum !== undefined
      ? ` from ${s.minimum} to ${s.maximum}`
      : s.minimum !== undefined
        ? ` of at least ${s.minimum}`
        : s.maximum !== undefined
          ? ` of at most ${s.maximum}`
          : '';
  if (s.type === 'integer') return `a whole number${range()}`;
  if (s.type === 'number') return `a number${range()}`;
  if (s.type === 'boolean') return 'true or false';
  const options = (s.anyOf as Schema[] | undefined)?.map((o) => o.const).filter((c) => c !== undefined);
  if (options && options.length > 0) return `one of ${options.join(', ')}`;
  if (Array.isArray(s.anyOf)) {
    const kinds = (s.anyOf as Schema[]).map(describeAllowed);
    return kinds.every((k) => k !== undefined) ? kinds.join(' or ') : undefined;
  }
  if (Array.isArray(s.enum)) return `one of ${s.enum.join(', ')}`;
  if (s.type === 'array') {
    const items = s.maxItems !== undefined ? ` of ${s.minItems ?? 0} to ${s.maxItems} items` : '';
    return `an array${items}`;
  }
  if (s.type === 'object' && s.properties) return `an object with the fields ${Object.keys(s.properties).join(', ')}`;
  if (s.type === 'string') return describeText(s);
  return undefined;
}

/** The forms of text the API's schemas use (`format`), in words. */
const FORMATS: Record<string, string> = {
  date: 'a date YYYY-MM-DD (UTC)',
  'date-time': 'a date and time as RFC 3339 (for example 2026-01-31T12:00:00Z)',
};

/** What a text may be: its form when it has one (a format, else its pattern), else its length. */
function describeText(s: Schema): string {
  const form = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
  if (form) return form;
  if (typeof s.pattern === 'string') {
    const example = Array.isArray(s.examples) && s.examples.length > 0 ? ` (for example ${s.examples[0]})` : '';
    return `a text matching ${s.pattern}${example}`;
  }
  return s.maxLength !== undefined ? `a text of at most ${s.maxLength} characters` : 'a text';
}

const CODES: Record<string, string> = {
  type: 'wrong_type',
  minimum: 'out_of_range',
  maximum: 'out_of_range',
  exclusiveMinimum: 'out_of_range',
  exclusiveMaximum: 'out_of_range',
  const: 'not_allowed',
  anyOf: 'not_allowed',
  enum: 'not_allowed',
  minItems: 'too_few_items',
  maxItems: 'too_many_items',
  maxLength: 'too_long',
  minLength: 'too_short',
  multipleOf: 'not_allowed',
  // Not the validator's: a query number a double cannot hold (validator.ts), worded as a body's is.
  tooLarge: 'not_a_number',
};

/** What a JSON value is, in words ("a text", "an array of 3 items"). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a text';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'null',
};

/** The value at a JSON-pointer path of the data checked, or undefined. */
function valueAt(data: unknown, parts: string[]): unknown {
  let v = data;
  for (const part of parts) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * What is wrong, in Loupe's words rather than the validator's: the validator's own message ("must NOT have fewer
 * than 1 items") never reaches a partner.
 */
function wrongness(e: SchemaError, value: unknown): string {
  const count = Array.isArray(value) ? value.length : undefined;
  const length = typeof value === 'string' ? value.length : undefined;
  switch (e.keyword) {
    case 'type': {
      const wanted = TYPE_WORDS[String(e.params.type)] ?? String(e.params.type);
      return value === undefined ? `is not ${wanted}` : `is ${kindOf(value)}, not ${wanted}`;
    }
    case 'minItems':
    case 'maxItems':
      return count === undefined
        ? `has too ${e.keyword === 'minItems' ? 'few' : 'many'} items`
        : `has ${count} item${count === 1 ? '' : 's'}`;
    case 'minLength':
      return length === undefined ? 'is too short' : `is ${length} characters long, too short`;
    case 'maxLength':
      return length === undefined ? 'is too long' : `is ${length} characters long, too long`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      // A whole number past 2^53 is not the one sent (the URL's digits were rounded): it is not echoed.
      return typeof value === 'number' && !(Number.isInteger(value) && !Number.isSafeInteger(value))
        ? `is ${value}, out of range`
        : 'is out of range';
    case 'const':
    case 'enum':
    case 'anyOf':
      return 'is not one of the values allowed';
    case 'multipleOf':
      return 'has too many decimals';
    case 'pattern':
    case 'format':
      return 'is not in the form allowed';
    case 'tooLarge':
      return 'is too large to be a number';
    default:
      return 'is not valid';
  }
}

/**
 * Field problems from schema errors, one per field (the first, most specific error of each). `data` is the value
 * that was checked, so that a message can say what was sent.
 */
/** What an unknown field's object allows: its known fields, or, for a part of the request that takes none, nothing. */
function otherFields(known: string[], whole: boolean, what: string): string {
  if (known.length > 0) return `only ${known.join(', ')}`;
  return whole ? `none: this endpoint takes no ${what}` : 'no other fields';
}

export function schemaProblems(
  errors: readonly SchemaError[],
  schema: Schema | undefined,
  what: string,
  prefix = '',
  data?: unknown,
): FieldProblem[] {
  const out: FieldProblem[] = [];
  const seen = new Set<string>();
  const add = (p: FieldProblem): void => {
    if (seen.has(p.field)) return;
    seen.add(p.field);
    out.push(p);
  };
  for (const e of errors) {
    const parts = pointerParts(e.instancePath);
    if (e.keyword === 'boolean') {
      // A field whose schema is `false`: an unknown field (its parent's additionalProperties error, which names it
      // too, may lie past the bounded number of errors the check collects).
      const parent = schemaAt(schema, parts.slice(0, -1));
      const known = parent?.properties ? Object.keys(parent.properties as object) : [];
      add({
        field: prefix + parts.join('/'),
        code: 'unknown_field',
        message: `${JSON.stringify(parts.at(-1) ?? '')} is not a field of the ${what}.`,
        allowed: otherFields(known, parts.length === 1, what),
      });
      continue;
    }
    if (e.keyword === 'additionalProperties') {
      const parent = schemaAt(schema, parts);
      const known = parent?.properties ? Object.keys(parent.properties as object) : [];
      for (const name of (e.params.additionalProperties as string[] | undefined) ?? []) {
        add({
          field: prefix + [...parts, name].join('/'),
          code: 'unknown_field',
          message: `${JSON.stringify(name)} is not a field of the ${what}.`,
          allowed: otherFields(known, parts.length === 0, what),
        });
      }
      continue;
    }
    if (e.keyword === 'required') {
      const parent = schemaAt(schema, parts);
      for (const name of (e.params.requiredProperties as string[] | undefined) ?? []) {
        add({
          field: prefix + [...parts, name].join('/'),
          code: 'missing',
          message: `${name} is missing.`,
          allowed: describeAllowed(schemaAt(parent, [name])),
        });
      }
      continue;
    }
    const field = prefix + parts.join('/');
    const label = parts.length ? parts.join('/') : `The ${what}`;
    const own = schemaAt(schema, parts);
    const allowed = describeAllowed(own);
    const value = valueAt(data, parts);
    // A field of several kinds (a number or a text): what is wrong is the rule of the kind sent (a text too long),
    // or, when no kind fits, the kind itself; never "not a number" for a text of the wrong length.
    const union = Array.isArray(own?.anyOf) && !(own.anyOf as Schema[]).some((o) => o.const !== undefined);
    const rule = union
      ? errors.find((x) => x.instancePath === e.instancePath && x.keyword !== 'type' && x.keyword !== 'anyOf')
      : undefined;
    const wrong = union && !rule ? `is ${kindOf(value)}` : wrongness(rule ?? e, value);
    add({
      field,
      code: CODES[(rule ?? e).keyword] ?? 'invalid',
      message: `${label} ${wrong}${allowed ? `; allowed is ${allowed}` : ''}.`,
      ...(allowed ? { allowed } : {}),
    });
  }
  return out;
}
