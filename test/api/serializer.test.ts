/**
 * The API's serializer compiler (src/api/serializer.ts) writes what fast-json-stringify writes from the schemas as
 * published, without the Ajv checks that a union costs it on the first answer: a model record's schema keeps no
 * union, and real records and the documented example come out byte for byte as before.
 */
import { rmSync } from 'node:fs';
import fastJson from 'fast-json-stringify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupePaths } from '../../src/config/index.js';
import { presentModel } from '../../src/api/present.js';
import { Model, ModelList } from '../../src/api/schemas.js';
import { forSerializer } from '../../src/api/serializer.js';
import { openDatabase } from '../../src/store/db.js';
import { listModels } from '../../src/store/models.js';
import { firstModelHome, promotedHome } from '../helpers/prepared-home.js';
import { testApp, testHome } from './helpers.js';

const homes: string[] = [];
let models: ReturnType<typeof presentModel>[];
beforeAll(async () => {
  // A pipeline-made record (tuning, evaluation) and one registered by hand.
  models = [...(await records(firstModelHome)), ...(await records(promotedHome))];
});
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

type FjsSchema = Parameters<typeof fastJson>[0];
const plain = (schema: unknown) => fastJson(JSON.parse(JSON.stringify(schema)) as FjsSchema);
const rewritten = (schema: unknown) => fastJson(forSerializer(JSON.parse(JSON.stringify(schema))) as FjsSchema);

async function records(prepare: (prefix: string) => Promise<string>) {
  const home = await prepare('loupe-serializer-');
  homes.push(home);
  const db = openDatabase(loupePaths({}, { home }).database);
  try {
    return listModels(db).map(presentModel);
  } finally {
    db.close();
  }
}

describe('the serializer compiler', () => {
  it('leaves no union in a model record for fast-json-stringify to check with Ajv', () => {
    expect(JSON.stringify(Model)).toContain('"anyOf"');
    expect(JSON.stringify(forSerializer(Model))).not.toContain('"anyOf"');
    expect(JSON.stringify(forSerializer(ModelList))).not.toContain('"anyOf"');
  });

  it('writes real model records and the documented example exactly as the published schema does', async () => {
    expect(models.length).toBeGreaterThanOrEqual(2);
    const home = await testHome();
    const t = await testApp(home, { open: true });
    try {
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const example = doc.paths['/v1/models/current'].get.responses['200'].content['application/json'];
      const documented = example.example ?? example.schema.examples[0];
      const withNulls = {
        ...documented,
        promotedAt: null,
        promotion: null,
        metrics: { ...documented.metrics, evaluation: null, tuning: null, drift: null },
      };
      for (const value of [...models, documented, withNulls]) expect(rewritten(Model)(value)).toBe(plain(Model)(value));
      const list = { champion: models[0].version, models };
      expect(rewritten(ModelList)(list)).toBe(plain(ModelList)(list));
      expect(rewritten(ModelList)({ champion: null, models: [] })).toBe(
        plain(ModelList)({ champion: null, models: [] }),
      );
      const live = await t.app.inject({ method: 'GET', url: '/v1/models/current' });
      expect(live.statusCode).toBe(200);
      expect(live.body).toBe(plain(Model)(JSON.parse(live.body)));
    } finally {
      await t.app.close();
      home.cleanup();
    }
  });

  it('rewrites only what serializes the same: X or null, a union of string constants', () => {
    const obj = { type: 'object', properties: { a: { type: 'number' } } };
    expect(forSerializer({ description: 'd', anyOf: [obj, { type: 'null' }] })).toEqual({
      description: 'd',
      ...obj,
      nullable: true,
    });
    expect(forSerializer({ anyOf: [{ type: 'number' }, { type: 'null' }] })).toEqual({
      type: 'number',
      nullable: true,
    });
    expect(
      forSerializer({
        anyOf: [
          { type: 'string', const: 'a' },
          { type: 'string', const: 'b' },
        ],
      }),
    ).toEqual({
      type: 'string',
      enum: ['a', 'b'],
    });
    // Anything else stays a union: two kinds of object, a number or a string, a reference.
    const two = { anyOf: [obj, { type: 'object', properties: { b: { type: 'string' } } }] };
    expect(forSerializer(two)).toEqual(two);
    const mixed = { anyOf: [{ type: 'number' }, { type: 'string' }] };
    expect(forSerializer(mixed)).toEqual(mixed);
    const ref = { anyOf: [{ $ref: '#/definitions/x' }, { type: 'null' }] };
    expect(forSerializer(ref)).toEqual(ref);
  });
});
