/**
 * GET /v1/models, /v1/models/current and /v1/models/{version}: versions, metrics, the data snapshot each learned
 * from, and when it was promoted; GET /v1/models/{version}/card (and /v1/models/current/card, the champion's): the
 * model card the pipeline wrote beside the model (self-contained HTML with its charts inline, or the Markdown with
 * ?format=markdown).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { PRICE_BASIS } from '../../diamond/index.js';
import { caratLimit } from '../../model/index.js';
import { labelled, METRICS_VERSION, type ModelMetrics } from '../../registry/index.js';
import type { ModelRecord } from '../../registry/index.js';
import type { Store } from '../../store/store.js';
import type { ModelSource } from '../model-source.js';
import { presentModel } from '../present.js';
import { ApiProblem } from '../problem.js';
import { Model, ModelList, problemResponse, withExamples } from '../schemas.js';

const exampleFigures = (n: number, mae: number, coverage: number) => ({
  n,
  mae,
  rmse: mae * 1.9,
  mape: 7.1,
  mdape: 4.9,
  r2: 0.985,
  range: { coverage, nominal: 90, medianRelativeWidth: 24.5, withheld: 0 },
});
const EXAMPLE_METRICS: ModelMetrics = {
  version: METRICS_VERSION,
  origin: { by: 'pipeline', run: 1, evaluationRowsLeftOut: true },
  outOfFold: labelled(exampleFigures(3987, 288, 90.2), 'cross-validation', 3),
  evaluation: {
    referenceTest: labelled(exampleFigures(997, 298, 90.6), 'reference-test'),
    newest: null,
    combined: labelled(exampleFigures(997, 298, 90.6), 'evaluation'),
    segments: [{ by: 'cut', segment: 'Fair', n: 31, mae: 402, mape: 9.8 }],
    explanation: [{ factor: 'carat', meanAbsEffectPct: 61.2 }],
  },
  champion: null,
  evaluationRows: { referenceTest: 997, newest: 0, newestFiles: [] },
  tuning: null,
  drift: null,
  snapshot: { sha256: 'b'.repeat(64), rows: 3987, maxFileId: 1 },
  promotionRule: { metric: 'mae', tolerance: 0.02, coverageMarginPts: 5 },
};

const EXAMPLE_MODEL = {
  version: 'v0001',
  kind: 'gbdt',
  createdAt: '2026-11-26T16:00:00.000Z',
  promotedAt: '2026-11-26T16:00:01.000Z',
  promotion: { action: 'promote', reason: 'no champion yet: v0001 becomes the first champion' },
  isChampion: true,
  artifactSha256: 'a'.repeat(64),
  trainingDataSha256: 'b'.repeat(64),
  trainingRows: 3987,
  params: {},
  metrics: EXAMPLE_METRICS,
  durationMs: 1200,
  gitCommit: null,
  decision: 'first model: promoted',
  priceBasis: PRICE_BASIS,
  modelCardUrl: '/v1/models/v0001/card',
};
/** What a revalidation gets when nothing changed (the onSend hook below): no body. */
const NOT_MODIFIED = Type.Null({
  description: 'Not modified: the answer is still the one whose ETag was sent in If-None-Match. No body.',
});
const CARD_FILES = {
  html: ['model.html', 'text/html; charset=utf-8'],
  markdown: ['model.md', 'text/markdown; charset=utf-8'],
} as const;

const notFound = (detail: string) =>
  problemResponse('No such model.', { type: '/problems/not-found', title: 'No such resource', status: 404, detail });

/** A strong validator of an answer's bytes: the same answer, the same ETag. */
export function entityTag(payload: string | Buffer): string {
  return `"${createHash('sha256').update(payload).digest('base64url').slice(0, 27)}"`;
}

/** Whether an If-None-Match header names this tag (a list, weak tags and * as RFC 9110 says). */
export function matchesTag(ifNoneMatch: string | undefined, tag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === tag);
}

export const modelRoutes: FastifyPluginAsyncTypebox<{
  store: Store;
  /** The model being served and the configured limit: the carat limit a valuation is refused beyond. */
  models: ModelSource;
  maxCarat: number | undefined;
}> = async (app, { store, models, maxCarat }) => {
  const security = [{ bearerAuth: [] }];
  // Models change rarely and their records are read often: every 200 carries an ETag, and a client that sends it
  // back in If-None-Match gets a 304 without a body. Keyed answers: cached by the client only, and revalidated.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      done(null, payload);
      return;
    }
    const tag = entityTag(payload);
    reply.header('etag', tag).header('cache-control', 'private, no-cache');
    if (matchesTag(request.headers['if-none-match'], tag)) {
      reply.code(304).removeHeader('content-type').removeHeader('content-length');
      done(null, '');
      return;
    }
    done(null, payload);
  });
  app.get(
    '/v1/models',
    {
      config: { scope: 'valuations' },
      schema: {
        tags: ['models'],
        operationId: 'listModels',
        summary: 'Every model version',
        security,
        description:
          'Every registered model, oldest first, with its metrics, the data snapshot it learned from and when it was promoted.',
        response: { 200: withExamples(ModelList, { champion: 'v0001', models: [EXAMPLE_MODEL] }), 304: NOT_MODIFIED },
      },
    },
    async () => {
      const [champion, models] = await Promise.all([store.championVersion(), store.listModels()]);
      return { champion: champion ?? null, models: models.map(presentModel) };
    },
  );

  app.get(
    '/v1/models/current',
    {
      config: { scope: 'valuations' },
      schema: {
        tags: ['models'],
        operationId: 'getCurrentModel',
        summary: 'The model being served (the champion)',
        security,
        response: {
          200: withExamples(Model, { ...EXAMPLE_MODEL, caratLimit: 6.2 }),
          304: NOT_MODIFIED,
          404: notFound('No model has been promoted yet.'),
        },
      },
    },
    async () => {
      const champion = await store.getChampion();
      if (!champion) throw new ApiProblem('not-found', 'No model has been promoted yet.');
      const served = models.current;
      // the limit of the model this server values with; another version (a swap under way) would mislead
      return served?.version === champion.version
        ? { ...presentModel(champion), caratLimit: caratLimit(served.artifact, maxCarat) }
        : presentModel(champion);
    },
  );

  app.get(
    '/v1/models/:version',
    {
      config: { scope: 'valuations' },
      schema: {
        tags: ['models'],
        operationId: 'getModel',
        summary: 'One model version',
        security,
        params: Type.Object({ version: Type.String({ maxLength: 100, examples: ['v0001'] }) }),
        response: {
          200: withExamples(Model, EXAMPLE_MODEL),
          304: NOT_MODIFIED,
          404: notFound('No model has the version v0099.'),
        },
      },
    },
    async (request) => {
      const model = await store.getModel(request.params.version);
      if (!model)
        throw new ApiProblem('not-found', `No model has the version ${JSON.stringify(request.params.version)}.`);
      return presentModel(model);
    },
  );

  const CardQuery = Type.Object(
    { format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('markdown')], { default: 'html' })) },
    { additionalProperties: false },
  );
  const card = {
    200: {
      description: 'The model card.',
      content: {
        'text/html': {
          schema: Type.String({
            examples: ['<!DOCTYPE html>\n<html lang="en"><head><title>Model card — v0001 (gbdt)</title>…'],
          }),
        },
        'text/markdown': { schema: Type.String({ examples: ['# Model card — v0001 (gbdt)\n\n## Summary\n…'] }) },
      },
    },
    304: NOT_MODIFIED,
  };
  const cardDescription =
    'The model card written when the model was registered: accuracy on held-out rows, errors by segment, what drives its prices, drift. HTML with its charts inline (default) or Markdown.';

  /** A model's card as a document of its own: no scripts, no fetching anything, shown framed or in its own tab. */
  const sendCard = (model: ModelRecord, format: keyof typeof CARD_FILES, reply: FastifyReply) => {
    const [file, type] = CARD_FILES[format];
    let text: string;
    try {
      text = readFileSync(join(dirname(model.artifactPath), file), 'utf8');
    } catch {
      throw new ApiProblem(
        'not-found',
        `No model card has been written for ${model.version} yet (the pipeline writes one when it registers a model).`,
      );
    }
    return reply
      .type(type)
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
      )
      .send(text);
  };

  app.get(
    '/v1/models/current/card',
    {
      config: { scope: 'valuations' },
      schema: {
        tags: ['models'],
        operationId: 'getCurrentModelCard',
        summary: "The model card of the model being served (the champion's)",
        security,
        description: cardDescription,
        querystring: CardQuery,
        response: { ...card, 404: notFound('No model has been promoted yet.') },
      },
    },
    async (request, reply) => {
      const champion = await store.getChampion();
      if (!champion) throw new ApiProblem('not-found', 'No model has been promoted yet.');
      return sendCard(champion, request.query.format ?? 'html', reply);
    },
  );

  app.get(
    '/v1/models/:version/card',
    {
      config: { scope: 'valuations' },
      schema: {
        tags: ['models'],
        operationId: 'getModelCard',
        summary: "One model's model card",
        security,
        description: cardDescription,
        params: Type.Object({ version: Type.String({ maxLength: 100, examples: ['v0001'] }) }),
        querystring: CardQuery,
        response: { ...card, 404: notFound('No model card for v0099.') },
      },
    },
    async (request, reply) => {
      const model = await store.getModel(request.params.version);
      if (!model)
        throw new ApiProblem('not-found', `No model has the version ${JSON.stringify(request.params.version)}.`);
      return sendCard(model, request.query.format ?? 'html', reply);
    },
  );
};
