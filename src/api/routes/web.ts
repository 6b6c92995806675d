/**
 * The web app at /: the files Vite built into web/dist, served as they are. The app is a client of the public API
 * like any partner, so nothing here touches the model or the database. Built asset names carry a content hash and
 * are cached for a year; index.html is revalidated, so a rebuilt app is picked up on the next visit.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { parseShop, type Shop } from '../shop.js';

/** web/dist, found from this file (src/api/routes/web.ts) so it does not depend on the working directory. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

// The app loads only its own scripts and calls only this server. Inline styles are allowed for the model card: the
// app shows it in a srcdoc frame (and a blob: tab), which inherit this policy, and the card styles itself inline.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'";

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Loupe — web app not built</title>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>The web app is not built yet</h1><p>Build it with <code>npm run build:web</code> (or start Loupe with <code>npm start</code>,
which builds it when needed), then reload. The REST API is running: see <a href="/docs">/docs</a>.</p></body></html>`;

async function sendFile(
  reply: FastifyReply,
  root: string,
  relative: string,
  headers: Record<string, string>,
): Promise<boolean> {
  const path = resolve(root, relative);
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) return false;
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    return false;
  }
  reply.headers({
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  await reply.send(body);
  return true;
}

export const webRoutes: FastifyPluginAsync<{ root?: string; shop?: Shop }> = async (app, opts) => {
  const root = resolve(opts.root ?? WEB_DIST);
  // The shop a printed valuation names (src/api/shop.ts): the same for every visitor, so no key is asked.
  const shop = JSON.stringify(opts.shop ?? parseShop({}));
  app.get('/shop.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-cache').send(shop),
  );
  const index = async (_request: unknown, reply: FastifyReply) => {
    const headers = { 'cache-control': 'no-cache', 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' };
    if (!(await sendFile(reply, root, 'index.html', headers))) {
      await reply
        .code(503)
        .header('content-type', 'text/html; charset=utf-8')
        .header('retry-after', '10')
        .send(NOT_BUILT);
    }
    return reply;
  };
  app.get('/', { schema: { hide: true } }, index);
  app.get('/index.html', { schema: { hide: true } }, index);

  app.get<{ Params: { '*': string } }>('/assets/*', { schema: { hide: true } }, async (request, reply) => {
    if (
      await sendFile(reply, root, join('assets', request.params['*']), {
        'cache-control': 'public, max-age=31536000, immutable',
      })
    )
      return reply;
    return reply.callNotFound();
  });
  app.get('/favicon.svg', { schema: { hide: true } }, async (_request, reply) => {
    if (await sendFile(reply, root, 'favicon.svg', { 'cache-control': 'public, max-age=86400' })) return reply;
    return reply.callNotFound();
  });
};
