/**
 * GET /v1/monitoring (admin): the live traffic summary of traffic-drift.ts — stones valued over the window, per
 * slot and per partner key, their support shares and the drift of carat, colour and clarity from the champion's
 * training stones. Held in memory: reading it costs no database query.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TrafficDrift } from '../traffic-drift.js';

export const monitoringRoutes: FastifyPluginAsyncTypebox<{ traffic: TrafficDrift }> = async (app, { traffic }) => {
  // Not in the OpenAPI document yet (its answer has no typebox schema); described in docs/operations.md.
  app.get('/v1/monitoring', { config: { scope: 'admin' }, schema: { hide: true } }, async () => ({
    traffic: traffic.report(),
  }));
};
