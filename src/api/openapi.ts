/**
 * The OpenAPI 3.1 document (at /openapi.json), built from the routes' schemas, and interactive docs at /docs.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { LOUPE_VERSION } from '../model/index.js';
import { documentAnswers } from './openapi-answers.js';
import { hoistComponents } from './openapi-components.js';
import { docsCsp } from './security-headers.js';
import { PROBLEM_TYPES } from './problem.js';
import {
  BatchItem,
  BatchResponse,
  Explanation,
  FieldProblem,
  LoggedRequest,
  Model,
  ModelAccuracy,
  ModelMetrics,
  PriceBasis,
  Problem,
  SimilarStone,
  Stone,
  Valuation,
  Warning,
} from './schemas.js';
import { AtPromotion, LiveAccuracyEntry, Monitoring, SegmentAccuracy, TrafficSummary } from './monitoring-schemas.js';

/** Schemas named in the document (see openapi-components.ts). */
const NAMED = {
  Stone,
  Valuation,
  Explanation,
  Warning,
  FieldProblem,
  Problem,
  BatchItem,
  BatchResponse,
  SimilarStone,
  Model,
  ModelMetrics,
  ModelAccuracy,
  PriceBasis,
  LoggedRequest,
  Monitoring,
  TrafficSummary,
  LiveAccuracyEntry,
  SegmentAccuracy,
  AccuracyAtPromotion: AtPromotion,
};

const DESCRIPTION = `Loupe prices a diamond from its nine characteristics, explains the price and says how sure it is.

**Authentication.** Send a partner key as \`Authorization: Bearer lp_…\` (keys are created with
\`loupe keys create --name NAME --scope valuations\`). The scope \`valuations\` allows valuations, similar stones and
models; \`appraisals\` allows recording the expert's appraisals (and listing, fixing, exporting them); \`admin\` allows
everything, including the request log. A server run open on a loopback address needs no key.
Each key has a rate limit; beyond it the answer is 429 with Retry-After.

**Errors** are RFC 9457 problem details (\`application/problem+json\`) with, for bad input, one entry per field:
${Object.entries(PROBLEM_TYPES)
  .map(([slug, p]) => `\`/problems/${slug}\` (${p.status}) — ${p.about}`)
  .join('\n\n')}`;

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  // Before the routes are registered, so that it sees every one of them.
  app.addHook('onRoute', documentAnswers);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Loupe diamond appraisal API', version: LOUPE_VERSION, description: DESCRIPTION },
      // Relative: the server that serves this document (a generated client takes its base URL as an option).
      servers: [{ url: '/', description: 'The Loupe server that serves this document' }],
      tags: [
        { name: 'valuations', description: 'Price a stone, with its range and explanation.' },
        { name: 'diamonds', description: 'Appraised stones in the database.' },
        { name: 'models', description: 'Model versions and the one being served.' },
        { name: 'appraisals', description: "The expert's appraisals recorded through the API, and their rejects." },
        { name: 'admin', description: 'The request log, live traffic and live accuracy.' },
        { name: 'health', description: 'Liveness and readiness.' },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A partner key: lp_…' } },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (document) =>
      'openapiObject' in document
        ? hoistComponents(document.openapiObject as Record<string, unknown>, NAMED)
        : document.swaggerObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The Explore box names /openapi.json (a list of one document: swagger-ui loads `urls` over its own /docs/json).
    uiConfig: {
      docExpansion: 'list',
      deepLinking: true,
      tryItOutEnabled: true,
      validatorUrl: null,
      urls: [{ url: '/openapi.json', name: 'Loupe API (/openapi.json)' }],
    },
    theme: { title: 'Loupe API — documentation' },
    // Its own scripts and styles only, calls to this server only, never framed (security-headers.ts).
    staticCSP: true,
    transformStaticCSP: docsCsp,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
