/**
 * Fastify's serializer compiler: fast-json-stringify, as Fastify's default, on each response schema with its
 * unions that only say "this or null" or "one of these words" rewritten into the form it writes without a check.
 *
 * Why: for an `anyOf`, fast-json-stringify picks the branch by validating the value against each branch with Ajv,
 * and compiles each of those validators on the first answer that reaches it. A model record's metrics (the metrics
 * contract, src/registry/metrics.ts) hold 71 such unions nested inside each other, so the first GET /v1/models,
 * /v1/models/current or /v1/models/{version} of a server compiled validators, each route its own: 1.0, 0.7 and
 * 0.4 s on a machine at load 9, and the first serialization of one record took 3.8 s at load 25. `X | null`
 * serializes the same as X marked nullable, and a union of string constants the same as a string; the published
 * schemas (OpenAPI) are not changed, and what is stored is checked against the contract when it is written.
 */
import type { FastifySerializerCompiler } from 'fastify';
import fastJson from 'fast-json-stringify';

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNull = (b: Schema) => b.type === 'null' && Object.keys(b).every((k) => k === 'type' || k === 'description');
const isWord = (b: Schema) => b.type === 'string' && typeof b.const === 'string';

/** The schema with `anyOf: [X, null]` as X nullable, `anyOf` of string constants as a string; a new object. */
export function forSerializer(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forSerializer);
  if (!isObject(schema)) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) out[k] = forSerializer(v);
  const branches = out.anyOf;
  if (!Array.isArray(branches) || !branches.every(isObject)) return out;
  const { anyOf: _anyOf, ...siblings } = out;
  const rest = branches.filter((b) => !isNull(b));
  if (branches.length === 2 && rest.length === 1) {
    const [only] = rest;
    if (typeof only.type === 'string' && only.anyOf === undefined && only.$ref === undefined)
      return { ...siblings, ...only, nullable: true };
  }
  if (branches.every(isWord)) return { ...siblings, type: 'string', enum: branches.map((b) => b.const) };
  return out;
}

/**
 * Serializers by the schema object they were compiled from. Many routes answer with the same schema object (the
 * problem schemas, a model record): it is compiled once, not once per route and status; and an app built again in
 * the same process (the tests build dozens) compiles nothing. A serializer is a pure function of its schema.
 */
const compiled = new WeakMap<object, (data: unknown) => string>();

export const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  let serialize = compiled.get(schema as object);
  if (!serialize) {
    serialize = fastJson(forSerializer(schema) as Parameters<typeof fastJson>[0]);
    compiled.set(schema as object, serialize);
  }
  return serialize;
};
