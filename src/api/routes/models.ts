/**
 * GET /v1/models, /v1/models/current and /v1/models/{version}: versions, metrics, the data snapshot each learned
 * from, and when it was promoted.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { championVersion, getChampion, getModel, listModels } from '../../registry/index.js';
import type { Db } from '../../store/db.js';
import { presentModel } from '../present.js';
import { ApiProblem } from '../problem.js';
import { Model, ModelList, problemResponse, withExamples } from '../schemas.js';

const EXAMPLE_MODEL = {
  version: 'v0001', kind: 'hedonic', createdAt: '2026-11-26T16:00:00.000Z', promotedAt: '2026-11-26T16:00:01.000Z', isChampion: true,
  artifactSha256: 'a'.repeat(64), trainingDataSha256: 'b'.repeat(64), trainingRows: 4984, params: {}, metrics: { mape: 0.1 },
  durationMs: 1200, gitCommit: null, decision: 'first model: promoted',
};
const notFound = (detail: string) => problemResponse('No such model.', { type: '/problems/not-found', title: 'No such resource', status: 404, detail });

export const modelRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  const security = [{ bearerAuth: [] }];
  app.get('/v1/models', {
    config: { scope: 'valuations' },
    schema: {
      tags: ['models'], summary: 'Every model version', security,
      description: 'Every registered model, oldest first, with its metrics, the data snapshot it learned from and when it was promoted.',
      response: { 200: withExamples(ModelList, { champion: 'v0001', models: [EXAMPLE_MODEL] }) },
    },
  }, async () => ({ champion: championVersion(db) ?? null, models: listModels(db).map(presentModel) }));

  app.get('/v1/models/current', {
    config: { scope: 'valuations' },
    schema: {
      tags: ['models'], summary: 'The model being served (the champion)', security,
      response: { 200: withExamples(Model, EXAMPLE_MODEL), 404: notFound('No model has been promoted yet.') },
    },
  }, async () => {
    const champion = getChampion(db);
    if (!champion) throw new ApiProblem('not-found', 'No model has been promoted yet.');
    return presentModel(champion);
  });

  app.get<{ Params: { version: string } }>('/v1/models/:version', {
    config: { scope: 'valuations' },
    schema: {
      tags: ['models'], summary: 'One model version', security,
      params: Type.Object({ version: Type.String({ maxLength: 100, examples: ['v0001'] }) }),
      response: { 200: withExamples(Model, EXAMPLE_MODEL), 404: notFound('No model has the version v0099.') },
    },
  }, async (request) => {
    const model = getModel(db, request.params.version);
    if (!model) throw new ApiProblem('not-found', `No model has the version ${JSON.stringify(request.params.version)}.`);
    return presentModel(model);
  });
};
