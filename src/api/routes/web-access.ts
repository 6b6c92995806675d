/**
 * GET /web-access.json: which admin screens the web app may show the caller — today, whether GET /v1/monitoring
 * would answer them (monitoring on, and no key on an open server or a key with the admin scope). Always 200, so
 * that asking does not log a refused request in the browser or raise the app's "enter a key" banner; it says
 * nothing a refusal of /v1/monitoring would not. Not part of /v1 (like /shop.json): for the app only.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../../store/store.js';

export const webAccessRoutes: FastifyPluginAsync<{
  store: Pick<Store, 'findKey'>;
  open: boolean;
  monitoring: boolean;
}> = async (app, { store, open, monitoring }) => {
  app.get('/web-access.json', { schema: { hide: true } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (!monitoring) return { monitoring: false };
    const header = request.headers.authorization;
    if (header === undefined) return { monitoring: open };
    const secret = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const key = secret ? await store.findKey(secret) : undefined;
    return { monitoring: key?.scopes.includes('admin') ?? false };
  });
};
