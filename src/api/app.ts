/**
 * The Loupe REST API as a fastify app: one plugin per resource, typebox schemas from the one diamond schema,
 * problem+json for every error, keys and rate limits, the request log and the OpenAPI document with /docs.
 * Building the app opens nothing: the caller gives it the database and the model source, and listens.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';
import type { ApiKey, Scope } from '../store/keys.js';
import type { AddressThrottle } from './address-throttle.js';
import { admission, missingHost } from './admission.js';
import { corsHeaders, registerCors } from './cors.js';
import { answerError, frameworkErrors, registerErrorHandling } from './errors.js';
import type { ApiProblem } from './problem.js';
import type { ModelSource } from './model-source.js';
import { registerMetrics } from './metrics.js';
import type { QuoteStore } from './quote-store.js';
import type { MetricsAccess } from './settings.js';
import type { Shop } from './shop.js';
import { inProcessValuations, type Valuations } from './valuation-pool.js';
import { registerOpenApi } from './openapi.js';
import { clientErrorHandler, registerSecurityHeaders, securityHeaders } from './security-headers.js';
import type { RateLimiter } from './rate-limit.js';
import { REQUEST_ID_HEADER, requestId } from './request-id.js';
import { logEntry, logged, registerRequestLog } from './request-log-hooks.js';
import type { RequestLog } from './request-log.js';
import { appraisalRoutes } from './routes/appraisals.js';
import { diamondRoutes } from './routes/diamonds.js';
import { healthRoutes } from './routes/health.js';
import { modelRoutes } from './routes/models.js';
import { problemRoutes } from './routes/problems.js';
import { requestRoutes } from './routes/requests.js';
import { monitoringRoutes } from './routes/monitoring.js';
import { valuationRoutes } from './routes/valuations.js';
import { TrafficDrift, type TrafficDriftOptions } from './traffic-drift.js';
import { webRoutes } from './routes/web.js';
import { webAccessRoutes } from './routes/web-access.js';
import { REQUEST_TIMEOUT_MS } from './limits.js';
import { BODY_LIMIT } from './schemas.js';
import { serializerCompiler } from './serializer.js';
import { validatorCompiler } from './validator.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a /v1 route needs; routes without one are public. */
    scope?: Scope;
    /** Never refused by the keyless throttle, nor charged to it: a probe must not fail because of others' traffic. */
    unthrottled?: boolean;
  }
  interface FastifyRequest {
    /** The body as received (truncated), for the request log. */
    bodyText: string | null;
    apiKey: ApiKey | null;
    /** No valid key came with the request (its log entry is compact unless the server runs open). */
    keyless: boolean;
    /** Refused by the keyless throttle: the how-many-th refusal of the address's run (0: not refused). */
    throttledRun: number;
    /** The model that answered, for the request log. */
    modelVersion: string | null;
  }
  interface FastifyReply {
    /** The body as sent (truncated), for the request log. */
    sentBody: string | null;
  }
}

export interface AppOptions {
  /** The database, through the store interface (SQLite or PostgreSQL). */
  store: Store;
  models: ModelSource;
  /** Serve /v1 without keys (the caller allows it only on a loopback address). */
  open: boolean;
  /** The name or address the server listens on; when open, requests must name it (or localhost) in Host. */
  host?: string;
  /** Where requests are logged; null turns the log off (for measuring what it costs). */
  requestLog: RequestLog | null;
  /** A pino logger for the server's own events and errors (default: none). */
  logger?: FastifyBaseLogger;
  rateLimiter?: RateLimiter;
  /** Throttles rejected requests without a valid key per client address (default: none). */
  addressThrottle?: AddressThrottle;
  /** The live traffic summary's window and bounds (traffic-drift.ts; default 24 slots of an hour, 64 keys). */
  traffic?: TrafficDriftOptions;
  /** Where valuations are computed (default: in process; `loupe serve` uses worker threads). */
  valuations?: Valuations;
  /** Where answered valuations and idempotent answers are kept; null: not kept (for measuring what it costs). */
  quotes?: QuoteStore | null;
  /** Where similar-stone searches run (default: the store; `loupe serve` on SQLite gives them a thread). */
  similar?: Pick<Store, 'similarStones'>;
  /** Web origins allowed to call the API from a browser (CORS); default none. "*" allows any origin. */
  corsOrigins?: readonly string[];
  /** The heaviest stone priced, ct (LOUPE_MAX_CARAT); default 1.5 × the heaviest stone the served model learned from. */
  maxCarat?: number;
  /** Who may read GET /metrics (default admin; off removes the endpoint and its hooks, and
   * the live traffic window with GET /v1/monitoring). */
  metrics?: MetricsAccess;
  /** The shop a printed valuation names (LOUPE_SHOP_*; default: none, and the standard disclaimer). */
  shop?: Shop;
  /** How long a request may take to arrive, and shutdown waits for those in flight (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const gate = admission({
    store: options.store,
    open: options.open,
    host: options.host,
    rateLimiter: options.rateLimiter,
    throttle: options.addressThrottle,
  });
  const app = Fastify({
    // A request (headers and body) that has not arrived in time is answered 408 by clientErrorHandler. Node looks
    // for such requests every 30 s by default, which would let one run half a minute past its bound.
    requestTimeout,
    http: {
      // A missing Host is refused by Loupe (admission.ts missingHost), as a problem that is logged.
      requireHostHeader: false,
      requestTimeout,
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.min(1000, requestTimeout),
    },
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Every request is logged to the database (request log); pino logs only the server's own events and errors.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Keep-alive connections that are idle are closed on shutdown; requests in flight are answered first.
    forceCloseConnections: 'idle',
    // Requests that still arrive on open connections while closing are served (and logged) like any other.
    return503OnClosing: false,
    // Errors found before routing (an undecodable URL) skip the hooks: the request passes the same gate (a keyed
    // answer carries its RateLimit fields; a request without a key is refused as any other), and is answered and
    // logged here.
    frameworkErrors: (error, request, reply) => {
      reply
        .header(REQUEST_ID_HEADER, request.id)
        .headers({ ...securityHeaders(), ...corsHeaders(options.corsOrigins ?? [], request.headers.origin) });
      gate.admit(request, reply, (refused) => {
        // A refusal is an ApiProblem, or the store failing while the key is looked up (DatabaseUnavailable).
        if (refused) answerError(refused as ApiProblem, request, reply);
        else frameworkErrors(error, request, reply);
        gate.charge(request, reply);
        if (logged(request)) options.requestLog?.push(logEntry(request, reply, !options.open));
      });
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // X-Request-Id: the caller's when sane, else generated (request-id.ts); it names the request in the log.
    requestIdHeader: false,
    genReqId: requestId,
    // What Node cannot parse as HTTP (headers over 16 KiB, a malformed request) is answered as a problem too.
    clientErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('bodyText', null);
  app.decorateRequest('apiKey', null);
  app.decorateRequest('keyless', true);
  app.decorateRequest('throttledRun', 0);
  app.decorateRequest('modelVersion', null);
  app.decorateRequest('bodySha256', null);
  app.decorateRequest('idempotency', null);
  app.decorateReply('sentBody', null);

  // Closing the server stops Node's checks of the request timeout: a request still arriving then (a stalled upload)
  // would hold the shutdown for as long as its client keeps the connection. It gets the same bound from the close.
  let stragglers: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    stragglers = setTimeout(() => app.server.closeAllConnections(), requestTimeout).unref();
    app.server.once('close', () => clearTimeout(stragglers));
    done();
  });
  app.addHook('onClose', (_app, done) => {
    clearTimeout(stragglers);
    done();
  });

  registerErrorHandling(app);
  if (options.requestLog) registerRequestLog(app, options.requestLog, { compactKeyless: !options.open });
  const quotes = options.quotes ?? null;
  // After the last request in flight is answered: write what the request log and the stored valuations (and
  // idempotent answers) still hold, both at once — on a full disk each writer retries for its 10 s, and one after
  // the other a SIGTERM took 20 s. What could not be written is said (−1: the writer's thread had died).
  const requestLog = options.requestLog;
  if (requestLog || quotes)
    app.addHook('onClose', async () => {
      await Promise.all([
        requestLog?.close(),
        quotes?.close().then((notWritten) => {
          if (notWritten !== 0) app.log.error({ notWritten }, 'stored valuations could not be written');
        }),
      ]);
    });

  // Every answer names its request, preflights and problems included: this hook runs before any other.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  // nosniff, a CSP and the other hardening headers on every answer, errors included: before any hook can throw.
  registerSecurityHeaders(app);
  // Before the CORS plugin, which answers a preflight itself: no request without Host goes further.
  app.addHook('onRequest', (request, _reply, done) => done(missingHost(request)));
  await registerCors(app, options.corsOrigins ?? []);

  // Every request passes the one gate (Host, key, rate limit, keyless throttle) before its route.
  app.addHook('onRequest', gate.admit);
  if (options.addressThrottle) {
    app.addHook('onResponse', (request, reply, done) => {
      gate.charge(request, reply);
      done();
    });
  }

  // LOUPE_METRICS=off turns the live traffic window off too: one switch for everything monitoring costs.
  const traffic = options.metrics === 'off' ? null : new TrafficDrift(options.traffic);
  const metrics = registerMetrics(app, {
    traffic,
    access: options.metrics ?? 'admin',
    store: options.store,
    models: options.models,
    requestLog: options.requestLog,
    quotes: options.quotes ?? null,
  });
  const valuations = options.valuations ?? inProcessValuations;

  await registerOpenApi(app);
  await app.register(healthRoutes, { store: options.store, models: options.models });
  await app.register(problemRoutes);
  await app.register(valuationRoutes, {
    models: options.models,
    valuations: metrics ? metrics.timed(valuations) : valuations,
    maxCarat: options.maxCarat,
    quotes: options.quotes ?? null,
    traffic,
  });
  if (traffic) await app.register(monitoringRoutes, { traffic, store: options.store });
  await app.register(diamondRoutes, { store: options.similar ?? options.store });
  await app.register(modelRoutes, { store: options.store, models: options.models, maxCarat: options.maxCarat });
  await app.register(requestRoutes, { store: options.store, requestLog: options.requestLog });
  // Recording appraisals goes through the ingestion, into the store (either database).
  await app.register(appraisalRoutes, { store: options.store, models: options.models });
  // The web app (web/dist) at /: static files only; it talks to the API above like any client.
  await app.register(webAccessRoutes, { store: options.store, open: options.open, monitoring: traffic !== null });
  await app.register(webRoutes, { shop: options.shop });
  return app;
}
