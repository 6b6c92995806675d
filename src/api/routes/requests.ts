/**
 * GET /v1/requests: the request log, newest first (admin keys only).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { REQUESTS_EXAMINED } from '../../store/requests.js';
import type { Store } from '../../store/store.js';
import type { RequestLog } from '../request-log.js';
import { RequestList, RequestsQuery, problemResponse, withExamples, type Defaulted } from '../schemas.js';

export const requestRoutes: FastifyPluginAsyncTypebox<{
  store: Pick<Store, 'listRequests'>;
  requestLog: RequestLog | null;
}> = async (app, { store, requestLog }) => {
  app.get(
    '/v1/requests',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        operationId: 'listRequests',
        summary: 'The request log (admin)',
        description: `Every request and its answer, newest first: time, route, status, latency, key, model version, the bodies (truncated). Page with ?before=<nextBefore>. Filtered by status, route or requestId, one answer looks at no more than the ${REQUESTS_EXAMINED.toLocaleString('en-US')} entries below \`before\` (the newest, without it): a page may hold fewer than \`limit\` matches, even none, while \`nextBefore\` is not null; null means nothing older is left to look at.`,
        security: [{ bearerAuth: [] }],
        querystring: RequestsQuery,
        response: {
          200: withExamples(RequestList, {
            nextBefore: null,
            requests: [
              {
                id: 1,
                at: '2026-11-26T16:00:00.000Z',
                method: 'POST',
                route: '/v1/valuations',
                url: '/v1/valuations',
                status: 200,
                latencyMs: 0.41,
                keyId: 1,
                keyName: 'ACME',
                modelVersion: 'v0001',
                requestBody: '{"carat":0.9,…}',
                responseBody: '{"price":4530,…}',
                requestId: '3f1c9a4e-8b7d-4c21-9e55-0d6f2a7b1c88',
              },
            ],
          }),
          403: problemResponse('The key lacks the admin scope.', {
            type: '/problems/forbidden',
            title: 'The key may not do this',
            status: 403,
            detail: 'The key "ACME" has the scope valuations; this endpoint needs admin.',
          }),
        },
      },
    },
    async (request) => {
      await requestLog?.settle(); // so that the list includes the requests just answered
      return store.listRequests(request.query as Defaulted<typeof request.query, 'limit'>);
    },
  );
};
