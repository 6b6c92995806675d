/**
 * Fastify's validator compiler, on typebox's compiled checks: bodies are checked as sent (a JSON number must be a
 * number), query strings are converted first (everything in a URL is text) and given their defaults.
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Settings } from 'typebox/system';
import { Value } from 'typebox/value';

// Enough diagnostics to name every wrong field of a query or body (typebox keeps 8 by default, and a wrong grade
// alone yields one per allowed grade); still bounded, so that a hostile input cannot make us collect millions.
Settings.Set({ maxErrors: 100 });

/**
 * How a number and a whole number are written in a URL: decimal digits only, a minus sign at most (no 0x10, no 1e3
 * for a count, no +5, no space around it).
 */
const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const WHOLE = /^-?\d+$/;

/** How true and false are written in a URL: as the words, in lower case (the problem says "true or false"). */
const BOOLEAN = /^(true|false)$/;

/** The query parameters converted from text (number, integer, boolean) of a schema, by name, with their type. */
function typed(schema: TSchema, query: Record<string, unknown>): [string, string, 'integer' | 'number' | 'boolean'][] {
  const properties = (schema as { properties?: Record<string, { type?: string }> }).properties ?? {};
  const out: [string, string, 'integer' | 'number' | 'boolean'][] = [];
  for (const [name, v] of Object.entries(query)) {
    const type = properties[name]?.type;
    if (typeof v === 'string' && (type === 'integer' || type === 'number' || type === 'boolean'))
      out.push([name, v, type]);
  }
  return out;
}

/**
 * The query parameters whose text is not a number as written in decimal (or true or false as written): they stay
 * text, so the check reports them, where a lax conversion would read 0x10 as 16, 5.5 as 5 for a whole number and
 * 0 or TRUE as a boolean.
 */
function notStrict(schema: TSchema, query: Record<string, unknown>): string[] {
  return typed(schema, query)
    .filter(([, v, type]) => !(type === 'integer' ? WHOLE : type === 'number' ? DECIMAL : BOOLEAN).test(v))
    .map(([name]) => name);
}

/** A number written in decimal that a double cannot hold (1e309): "too large to be a number", as in a body. */
function tooLarge(schema: TSchema, query: Record<string, unknown>): object[] {
  return typed(schema, query)
    .filter(([, v, type]) => type !== 'boolean' && DECIMAL.test(v) && !Number.isFinite(Number(v)))
    .map(([name]) => ({ keyword: 'tooLarge', instancePath: `/${name}`, params: {} }));
}

/** Whether every property is text without a default: converting a URL's or headers' text changes nothing then. */
function textOnly(schema: TSchema): boolean {
  const properties = (schema as { properties?: Record<string, { type?: unknown; default?: unknown }> }).properties;
  return properties !== undefined && Object.values(properties).every((p) => p.type === 'string' && !('default' in p));
}

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  if (httpPart === 'body' || textOnly(schema)) {
    return (value: unknown) => (check.Check(value) ? { value } : { error: check.Errors(value) as never });
  }
  // Most requests send no query: what converting and defaulting an empty one gives is known in advance (a new
  // object each time, as the handler may keep it; defaults here are single values, copied with it).
  const empty = Value.Default(schema, Value.Convert(schema, {})) as Record<string, unknown>;
  const emptyReady =
    typeof empty === 'object' &&
    empty !== null &&
    Object.values(empty).every((v) => typeof v !== 'object' || v === null) &&
    check.Check(empty);
  return (value: unknown) => {
    if (emptyReady) {
      let none = true;
      for (const _ in value as object) {
        none = false;
        break;
      }
      if (none) return { value: { ...empty } };
    }
    let converted: unknown;
    const query = { ...(value as Record<string, unknown>) };
    try {
      const result = Value.Default(schema, Value.Convert(schema, { ...query })) as Record<string, unknown>;
      for (const name of notStrict(schema, query)) result[name] = query[name];
      converted = result;
    } catch {
      converted = value;
    }
    const huge = tooLarge(schema, query);
    if (huge.length > 0) return { error: [...huge, ...check.Errors(converted)] as never };
    return check.Check(converted) ? { value: converted } : { error: check.Errors(converted) as never };
  };
};
