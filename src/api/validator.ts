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

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  if (httpPart === 'body') {
    return (value: unknown) => (check.Check(value) ? { value } : { error: check.Errors(value) as never });
  }
  return (value: unknown) => {
    let converted: unknown;
    try {
      converted = Value.Default(schema, Value.Convert(schema, { ...(value as object) }));
    } catch {
      converted = value;
    }
    return check.Check(converted) ? { value: converted } : { error: check.Errors(converted) as never };
  };
};
