/**
 * Regenerates the typed client's types from the API itself: builds the app (without listening, on an empty
 * in-memory database), takes its OpenAPI document and runs openapi-typescript on it.
 *   npx tsx client/generate.ts          writes client/openapi.json and client/schema.d.ts
 * test/api/openapi.test.ts fails when the committed files differ from what this produces.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { buildApp, ModelSource } from '../src/api/index.js';
import { openDatabase } from '../src/store/db.js';
import { sqliteStore } from '../src/store/sqlite-store.js';

export const OPENAPI_FILE = fileURLToPath(new URL('./openapi.json', import.meta.url));
export const SCHEMA_FILE = fileURLToPath(new URL('./schema.d.ts', import.meta.url));

/** The OpenAPI document as the app serves it at /openapi.json. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const store = sqliteStore(openDatabase(':memory:'));
  const app = await buildApp({
    store,
    models: new ModelSource({ version: async () => undefined, load: async () => undefined }),
    open: true,
    requestLog: null,
  });
  try {
    await app.ready();
    return JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
  } finally {
    await app.close();
    await store.close();
  }
}

export async function generate(): Promise<{ openapi: string; schema: string }> {
  const doc = await openApiDocument();
  const header =
    "/**\n * Generated from the Loupe API's OpenAPI document by client/generate.ts (openapi-typescript). Do not edit.\n */\n\n";
  const ast = await openapiTS(doc as never);
  return { openapi: `${JSON.stringify(doc, null, 2)}\n`, schema: header + astToString(ast) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { openapi, schema } = await generate();
  writeFileSync(OPENAPI_FILE, openapi);
  writeFileSync(SCHEMA_FILE, schema);
  process.stdout.write(`wrote ${OPENAPI_FILE} and ${SCHEMA_FILE}\n`);
}
