/**
 * GET /healthz (the process is alive) and GET /readyz (a model is loaded and the database answers).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Store } from '../../store/store.js';
import type { ModelSource } from '../model-source.js';
import { ApiProblem } from '../problem.js';
import { Health, Readiness, problemResponse, withExamples } from '../schemas.js';

export const healthRoutes: FastifyPluginAsyncTypebox<{ store: Pick<Store, 'ping'>; models: ModelSource }> = async (
  app,
  { store, models },
) => {
  app.get(
    '/healthz',
    {
      config: { unthrottled: true },
      schema: {
        tags: ['health'],
        operationId: 'getHealth',
        summary: 'Alive',
        response: { 200: withExamples(Health, { status: 'ok' }) },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { unthrottled: true },
      schema: {
        tags: ['health'],
        operationId: 'getReadiness',
        summary: 'Ready: a model is loaded and the database answers',
        response: {
          200: withExamples(Readiness, { status: 'ready', modelVersion: 'v0001', database: 'ok' }),
          503: problemResponse('Not ready yet.', {
            type: '/problems/not-ready',
            title: 'Not ready',
            status: 503,
            detail: 'No model is loaded yet.',
          }),
        },
      },
    },
    async (request) => {
      let database = 'ok';
      try {
        await store.ping();
      } catch (e) {
        // The store's reason: away, not answering in time, or every connection of the pool taken.
        database = `not usable now: ${(e as Error).message}`;
      }
      const model = models.current;
      if (!model || database !== 'ok') {
        throw new ApiProblem(
          'not-ready',
          [!model ? 'No model is loaded yet.' : '', database !== 'ok' ? `The database is ${database}.` : '']
            .filter(Boolean)
            .join(' '),
          undefined,
          { 'retry-after': '5' },
        );
      }
      request.modelVersion = model.version;
      return { status: 'ready', modelVersion: model.version, database };
    },
  );
};
