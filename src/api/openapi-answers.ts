/**
 * Every answer an operation can give, in the OpenAPI document: a route lists its own (its 200, the problems only it
 * gives), and this fills in the problems that follow from what the route is — keyed (401, 403, 429, and 503 when the
 * database is unreachable), taking a body (400, 413, 415), taking a query or a path (400, 404) — each with a real
 * example, so a generated client knows every status it must handle. test/api/openapi.test.ts walks the document.
 */
import type { RouteOptions } from 'fastify';
import { PROBLEM_TYPES, type ProblemSlug } from './problem.js';
import type { TSchema } from 'typebox';
import { problemResponse, withExamples } from './schemas.js';

type Answers = Record<string, unknown>;

/** A problem answer with an example whose type, title and status are those of its slug. */
export function problemAnswer(slug: ProblemSlug, description: string, detail: string, errors?: object[]) {
  const p = PROBLEM_TYPES[slug];
  return problemResponse(description, {
    type: `/problems/${slug}`,
    title: p.title,
    status: p.status,
    detail,
    ...(errors ? { errors } : {}),
  });
}

const INVALID = problemAnswer(
  'invalid-input',
  'The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed.',
  'Carat 12 ct is out of range; allowed is 0.1 to 10 ct.',
  [
    {
      field: 'carat',
      code: 'out_of_range',
      message: 'Carat 12 ct is out of range; allowed is 0.1 to 10 ct.',
      allowed: 'a number from 0.1 to 10 ct',
    },
  ],
);

/** The standard answers, by status. */
export const STANDARD_ANSWERS = {
  400: INVALID,
  401: problemAnswer(
    'unauthorized',
    'No valid API key.',
    'This endpoint needs an API key: send it as "Authorization: Bearer lp_…".',
  ),
  403: problemAnswer(
    'forbidden',
    'The key lacks the scope this endpoint needs.',
    'The key "ACME" has the scope valuations; this endpoint needs admin.',
  ),
  404: problemAnswer(
    'not-found',
    'Nothing answers at this path (an unknown id or version).',
    'No model has the version v0099.',
  ),
  413: problemAnswer(
    'body-too-large',
    'The body is larger than the endpoint accepts.',
    'The body is larger than the 65536 bytes this endpoint accepts.',
  ),
  415: problemAnswer(
    'unsupported-media-type',
    'The body is not JSON (Content-Type: application/json), or it is compressed (/problems/unsupported-encoding: only identity is accepted).',
    'The body must be JSON (Content-Type: application/json), not text/plain.',
  ),
  429: problemAnswer(
    'rate-limited',
    "The key's rate limit is used up; see Retry-After.",
    'The key "ACME" may make 600 requests a minute; retry in 1 s.',
  ),
  500: problemAnswer(
    'internal-error',
    'Something failed inside Loupe (logged with the X-Request-Id); the request can be retried.',
    'Something failed inside Loupe; it is logged under the X-Request-Id of this answer.',
  ),
  503: problemAnswer(
    'not-ready',
    'No model is loaded yet, or the database cannot be reached; retry after Retry-After.',
    'The database cannot be reached; retry shortly.',
  ),
} as const;

type Status = keyof typeof STANDARD_ANSWERS;

/** The statuses a route can answer with beyond its own, from what it is. */
export function standardStatuses(route: {
  method: string | string[];
  url: string;
  keyed: boolean;
  hasQuery: boolean;
}): Status[] {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const body = methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH');
  const out: Status[] = [];
  if (body || route.hasQuery || route.url.includes(':')) out.push(400);
  if (route.keyed) out.push(401, 403);
  if (route.url.includes(':')) out.push(404);
  if (body) out.push(413, 415);
  if (route.keyed) out.push(429);
  out.push(500);
  if (route.keyed) out.push(503);
  return out;
}

/** fastify onRoute hook: adds the standard answers a documented route does not list itself. */
export function documentAnswers(route: RouteOptions): void {
  const schema = route.schema as (Record<string, unknown> & { hide?: boolean; response?: Answers }) | undefined;
  if (!schema || schema.hide) return;
  const keyed = (route.config as { scope?: string } | undefined)?.scope !== undefined;
  const statuses = standardStatuses({ method: route.method, url: route.url, keyed, hasQuery: !!schema.querystring });
  const response: Answers = { ...(schema.response ?? {}) };
  for (const status of statuses) response[String(status)] ??= STANDARD_ANSWERS[status];
  // Every problem's example names this route as its instance, as the live answer does.
  const instance = route.url.replace(/:(\w+)/g, (_m, name: string) => String(paramExample(schema.params, name)));
  for (const [status, answer] of Object.entries(response))
    if (!status.startsWith('2')) response[status] = withInstance(answer, instance);
  schema.response = response;
}

function paramExample(params: unknown, name: string): unknown {
  const property = (params as { properties?: Record<string, { examples?: unknown[] }> } | undefined)?.properties?.[
    name
  ];
  return property?.examples?.[0] ?? name;
}

/** A problem answer whose example says which path it answered; any other answer as it is. */
function withInstance(answer: unknown, instance: string): unknown {
  const content = (answer as { content?: Record<string, { schema: TSchema }> }).content;
  const problem = content?.['application/problem+json'];
  const example = (problem?.schema as { examples?: Record<string, unknown>[] } | undefined)?.examples?.[0];
  if (!problem || !example || example.instance !== undefined) return answer;
  return {
    ...(answer as object),
    content: {
      ...content,
      'application/problem+json': { schema: withExamples(problem.schema, { ...example, instance }) },
    },
  };
}
