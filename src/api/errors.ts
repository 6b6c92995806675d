/**
 * Every failure becomes a problem+json answer: bad JSON, wrong media type, too large a body, schema violations
 * (explained field by field), unknown routes, auth and rate limits. Only a real fault inside Loupe is a 500.
 */
import { isDiskFull } from '../store/disk-full.js';
import { DatabaseUnavailable } from '../store/store.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import { Type } from 'typebox';
import { bodyFingerprint } from './idempotency.js';
import {
  ApiProblem,
  capProblems,
  PROBLEM_CONTENT_TYPE,
  problemBody,
  summarise,
  type FieldProblem,
  type ProblemSlug,
} from './problem.js';
import { keylessError, redactKeys } from './redact.js';
import { schemaProblems, type SchemaError } from './schema-errors.js';

const TRUNCATE = 4096;

function truncate(text: string): string {
  return text.length > TRUNCATE ? `${text.slice(0, TRUNCATE)}…` : text;
}

export function sendProblem(
  reply: FastifyReply,
  slug: ProblemSlug,
  detail: string,
  errors?: FieldProblem[],
  headers: Record<string, string> = {},
  status?: number,
): FastifyReply {
  const url = redactKeys(reply.request.url);
  const body = problemBody(
    slug,
    redactKeys(detail),
    errors && capProblems(errors),
    url.length <= 2000 ? url : undefined,
    status,
  );
  const text = JSON.stringify(body);
  reply.sentBody = text.length > 4096 ? `${text.slice(0, 4096)}…` : text;
  return reply.code(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(text);
}

/** A body schema given per media type (`content`, as /v1/appraisals has): the one of the request's media type. */
function bodySchemaOf(schema: Record<string, unknown> | undefined, request: FastifyRequest): typeof schema {
  const content = schema?.content as Record<string, { schema?: Record<string, unknown> }> | undefined;
  if (!content) return schema;
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  return content[type]?.schema;
}

function validationProblems(error: FastifyError, request: FastifyRequest): FieldProblem[] {
  const part = error.validationContext ?? 'body';
  const declared = request.routeOptions.schema?.[part === 'querystring' ? 'querystring' : part] as
    | Record<string, unknown>
    | undefined;
  const schema = part === 'body' ? bodySchemaOf(declared, request) : declared;
  const what = part === 'body' ? 'request body' : part === 'querystring' ? 'query string' : part;
  const data =
    part === 'body'
      ? request.body
      : part === 'querystring'
        ? request.query
        : part === 'params'
          ? request.params
          : request.headers;
  const problems = schemaProblems((error.validation ?? []) as unknown as SchemaError[], schema, what, '', data);
  return problems.length > 0 ? problems : [{ field: '', code: 'invalid', message: truncate(error.message) }];
}

/** A route with path parameters: what its path looks like and what its parameters allow. */
interface ParamRoute {
  method: string;
  path: RegExp;
  names: string[];
  schema: Record<string, unknown> | undefined;
}

/** Each app's routes with path parameters, for explaining an over-long one, which the router refuses unrouted. */
const paramRoutes = new WeakMap<FastifyInstance, ParamRoute[]>();

function paramRoute(method: string, url: string, schema: unknown): ParamRoute {
  const names: string[] = [];
  const source = url
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(part.slice(1));
      return '([^/]*)';
    })
    .join('/');
  return { method, path: new RegExp(`^${source}/?$`), names, schema: schema as Record<string, unknown> | undefined };
}

/**
 * The field problem of a path parameter longer than the router reads (routerOptions.maxParamLength), worded as
 * the schema check words one that is merely longer than allowed; undefined when no route has such a parameter.
 */
function overlongParam(request: FastifyRequest): FieldProblem | undefined {
  const path = request.url.split('?')[0];
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  for (const route of paramRoutes.get(request.server) ?? []) {
    const match = route.method === method ? route.path.exec(path) : null;
    if (!match) continue;
    const values = match.slice(1).map((v) => {
      try {
        return decodeURIComponent(v);
      } catch {
        return v;
      }
    });
    const longest = values.reduce((at, v, i) => (v.length > values[at].length ? i : at), 0);
    const name = route.names[longest];
    const properties = (route.schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
    const limit = properties[name]?.maxLength ?? 0;
    const error = { keyword: 'maxLength', instancePath: `/${name}`, params: { limit } };
    return schemaProblems([error], route.schema, 'path', '', { [name]: values[longest] })[0];
  }
  return undefined;
}

/** Errors fastify finds before routing (a URL that cannot be decoded, an over-long path parameter), as problems too. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const param = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? overlongParam(request) : undefined;
  if (param) {
    sendProblem(reply, 'invalid-input', summarise([param]), [param], {}, 400);
  } else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendProblem(reply, 'invalid-input', 'A part of the path is too long for any endpoint.', undefined, {}, 400);
  } else if (error.code === 'FST_ERR_BAD_URL') {
    sendProblem(
      reply,
      'invalid-input',
      'The URL cannot be decoded: it has a malformed percent-encoding.',
      undefined,
      {},
      400,
    );
  } else {
    sendProblem(reply, 'invalid-input', error.message, undefined, {}, 400);
  }
}

/** The query of a documented endpoint that takes none: any parameter is an unknown field. */
const NO_QUERY = Type.Object({}, { additionalProperties: false });

/**
 * One query policy for every documented endpoint (every operation of /openapi.json): a query parameter it does not
 * take is a 400 `unknown_field`, as an unknown field of a body is, whether it takes other parameters or none.
 * The pages (the web app, /docs, /problems) are not endpoints and take what a browser adds.
 */
function strictQuery(route: RouteOptions): void {
  const schema = route.schema as (FastifySchema & { hide?: boolean }) | undefined;
  if (!schema || schema.hide) return;
  schema.querystring ??= NO_QUERY;
  if ((schema.querystring as { additionalProperties?: unknown }).additionalProperties !== false)
    throw new Error(`${route.url}: its query schema must refuse unknown parameters (additionalProperties: false)`);
}

/** The Content-Encoding of a request with a body, when it is not identity (at most 100 characters of it). */
function foreignEncoding(request: FastifyRequest): string | undefined {
  const header = request.headers['content-encoding'];
  if (header === undefined) return undefined;
  const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length']) > 0;
  const codings = header.split(',').map((c) => c.trim().toLowerCase());
  if (!hasBody || codings.every((c) => c === '' || c === 'identity')) return undefined;
  return header.slice(0, 100);
}

/**
 * Why JSON.parse failed, without the excerpt of the body V8 puts in some of its messages (`Unexpected token 'x',
 * "…" is not valid JSON`): a problem never echoes raw request bytes. The character is named, as itself when it is
 * printable ASCII, else by its code point.
 */
function jsonError(error: Error): string {
  const token = /^Unexpected token '([\s\S])', [\s\S]*is not valid JSON$/.exec(error.message);
  if (!token) return error.message;
  const c = token[1];
  const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return `an unexpected character ${/^[\x21-\x7e]$/.test(c) ? JSON.stringify(c) : code}`;
}

/** The answer to an error of a request: a problem+json, a 500 (logged) only for a fault inside Loupe. */
export function answerError(error: FastifyError | ApiProblem, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ApiProblem)
    return sendProblem(reply, error.slug, error.message, error.errors, error.headers, error.status);
  // A request that needs the database while it restarts; valuations do not, and go on being answered.
  if (error instanceof DatabaseUnavailable)
    return sendProblem(
      reply,
      'not-ready',
      'The database is not answering (it may be restarting); retry shortly.',
      undefined,
      {
        'retry-after': '5',
      },
    );
  if (error.validation) {
    const problems = validationProblems(error, request);
    return sendProblem(reply, 'invalid-input', summarise(problems), problems);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendProblem(
        reply,
        'body-too-large',
        `The body is larger than the ${request.routeOptions.bodyLimit ?? 'allowed'} bytes this endpoint accepts.`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendProblem(
        reply,
        'unsupported-media-type',
        `Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted; send application/json${request.url.startsWith('/v1/appraisals') ? ' (one stone) or text/csv (a file)' : ''}.`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return sendProblem(reply, 'malformed-json', 'The body is empty; send a JSON document.');
    default:
      break;
  }
  // A write the disk refused (recording an appraisal): the request is fine, the server is not; logged, since the
  // operator must free space, and said so the client knows nothing was stored.
  if (error.name === 'StoreFullError' || isDiskFull(error)) {
    request.log.error({ message: error.message }, 'a request could not be stored: the disk is full');
    return sendProblem(
      reply,
      'storage-full',
      "The server's disk is full: nothing of it was stored; send it again once space has been freed.",
    );
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // A client error fastify or Node found (bad content length, aborted body, …): say it as it is.
    return sendProblem(reply, status === 404 ? 'not-found' : 'invalid-input', error.message, undefined, {}, status);
  }
  request.log.error({ err: keylessError(error) }, 'request failed');
  return sendProblem(reply, 'internal-error', 'Something failed inside Loupe; it has been logged.');
}

export function registerErrorHandling(app: FastifyInstance): void {
  const routes: ParamRoute[] = [];
  paramRoutes.set(app, routes);
  app.addHook('onRoute', (route) => {
    strictQuery(route);
    if (!route.url.includes(':')) return;
    for (const method of [route.method].flat()) routes.push(paramRoute(method, route.url, route.schema?.params));
  });
  // Bodies are JSON only: without the text parser, any other media type is a 415.
  app.removeContentTypeParser('text/plain');
  // Bodies are read as sent: a compressed one would be read as garbage ("not valid JSON"); say what is wrong.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = foreignEncoding(request);
    if (encoding === undefined) {
      done(null, payload);
      return;
    }
    done(
      new ApiProblem(
        'unsupported-encoding',
        `Content-Encoding ${JSON.stringify(encoding)} is not accepted; send the body uncompressed (identity: no Content-Encoding).`,
        undefined,
        { 'accept-encoding': 'identity' },
      ),
    );
  });
  // JSON bodies are read as text first: the request log keeps what was sent, even when it is not valid JSON.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    request.bodyText = truncate(text);
    // The whole body's digest, for telling a retry from another request under the same Idempotency-Key.
    if (request.headers['idempotency-key'] !== undefined) request.bodySha256 = bodyFingerprint(text);
    if (text.trim() === '') {
      done(new ApiProblem('malformed-json', 'The body is empty; send a JSON document.'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new ApiProblem('malformed-json', `The body is not valid JSON: ${jsonError(e as Error)}.`), undefined);
    }
  });

  app.setErrorHandler(answerError);

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      'not-found',
      `No endpoint answers ${request.method} ${request.url.split('?')[0].slice(0, 200)}; /openapi.json lists every endpoint.`,
    ),
  );
}
