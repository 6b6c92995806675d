/**
 * Naming the API's shared schemas in the OpenAPI document: wherever a route's schema is exactly one of them (its
 * examples aside), it becomes a $ref to #/components/schemas/<Name>. Routes keep plain inline schemas (which
 * validation and serialisation need); only the document changes, so generated clients get named types
 * (components['schemas']['Valuation']) instead of anonymous copies.
 */
import type { TSchema } from 'typebox';

type Json = Record<string, unknown>;

function withoutExamples(node: Json): Json {
  const { examples: _examples, example: _example, ...rest } = node;
  return rest;
}

/** A canonical text of a schema (sorted keys; `const: x` as `enum: [x]`, as the document writes it). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = { ...(value as Json) };
    if ('const' in obj && !('enum' in obj)) {
      obj.enum = [obj.const];
      delete obj.const;
    }
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hoistComponents(doc: Json, named: Record<string, TSchema>): Json {
  const byText = new Map<string, string>();
  const schemas: Record<string, unknown> = {};
  const plain = (s: unknown): Json => JSON.parse(JSON.stringify(s)) as Json;
  for (const [name, schema] of Object.entries(named)) byText.set(canonical(withoutExamples(plain(schema))), name);

  const walk = (node: unknown, top: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (!node || typeof node !== 'object') return node;
    const obj = node as Json;
    const name = top ? undefined : byText.get(canonical(withoutExamples(obj)));
    if (name) {
      // Name nested schemas inside the component too (e.g. Valuation holds Explanation).
      if (!(name in schemas)) schemas[name] = walk(withoutExamples(obj), true);
      const ref: Json = { $ref: `#/components/schemas/${name}` };
      if (obj.examples !== undefined) ref.examples = obj.examples;
      return ref;
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(obj)) out[k] = k === 'examples' || k === 'example' ? v : walk(v, false);
    return out;
  };

  const paths = walk(doc.paths, true);
  const components = (doc.components ?? {}) as Json;
  const sorted = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((k) => [k, schemas[k]]),
  );
  return {
    ...doc,
    paths,
    components: { ...components, schemas: { ...((components.schemas as Json) ?? {}), ...sorted } },
  };
}
