/**
 * Errors as RFC 9457 problem details (application/problem+json): a type, a title, the status, a sentence about
 * this occurrence and, for bad input, one entry per field — which field, what was wrong, what is allowed.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** One thing wrong with the input. */
export interface FieldProblem {
  /** The field at fault, as a path into the input ("carat", "stones/3/cut"); "" for the whole body. */
  field: string;
  code: string;
  message: string;
  allowed?: string;
  suggestion?: string;
  /** On a `more_problems` entry: how many problems were left out of the list. */
  omitted?: number;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldProblem[];
}

/** Every kind of problem the API answers with; `type` resolves to /problems/<slug>, which explains it. */
export const PROBLEM_TYPES = {
  'invalid-input': {
    status: 400,
    title: 'The request is not valid',
    about:
      'Some input is missing, of the wrong type, out of range or not allowed. The errors list names each field, what was wrong and what is allowed.',
  },
  'malformed-json': {
    status: 400,
    title: 'The body is not valid JSON',
    about: 'The request body could not be read as JSON (a syntax error, an empty body or a truncated document).',
  },
  'malformed-request': {
    status: 400,
    title: 'The request is not valid HTTP',
    about:
      'The request could not be read as HTTP/1.1 (a malformed request line or header, an invalid character); nothing of it was processed.',
  },
  unauthorized: {
    status: 401,
    title: 'An API key is needed',
    about: 'Send a valid, unrevoked key as "Authorization: Bearer lp_…". Keys are created with `loupe keys create`.',
  },
  forbidden: {
    status: 403,
    title: 'The key may not do this',
    about: 'The key is valid but lacks the scope this endpoint needs (valuations or admin).',
  },
  'wrong-host': {
    status: 403,
    title: 'The Host is not this server',
    about:
      'The server runs open (without keys) and answers only requests whose Host header names it: the name it listens on, localhost or a loopback address. A page whose own name was pointed at this machine (DNS rebinding) is refused.',
  },
  'not-found': {
    status: 404,
    title: 'No such resource',
    about: 'No endpoint or resource answers at this path and method. /openapi.json lists every endpoint.',
  },
  'idempotency-conflict': {
    status: 409,
    title: 'The Idempotency-Key was used for another request',
    about:
      'An Idempotency-Key names one request for 24 hours: a retry must send the same query and body. Use a new key for a new request.',
  },
  'request-timeout': {
    status: 408,
    title: 'The request took too long to arrive',
    about: 'The server stopped waiting for the rest of the request (headers or body); send it again.',
  },
  'already-recorded': {
    status: 409,
    title: 'Already recorded',
    about:
      'The same file (byte for byte) was uploaded before, so its rows are already recorded or listed as rejected; nothing was added.',
  },
  'body-too-large': {
    status: 413,
    title: 'The body is too large',
    about: 'The request body exceeds the limit of the endpoint; split a batch into several requests.',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Send JSON',
    about:
      'Request bodies must be JSON with the header Content-Type: application/json; an appraisal file may be sent as CSV (text/csv) to POST /v1/appraisals.',
  },
  'unsupported-encoding': {
    status: 415,
    title: "The body's encoding is not accepted",
    about:
      'Request bodies are read as sent: a compressed body (Content-Encoding gzip, br, deflate…) is refused. Send it uncompressed, without Content-Encoding (or with identity).',
  },
  'beyond-limit': {
    status: 422,
    title: 'Loupe does not price this stone',
    about:
      'The stone is valid but beyond the limit of what Loupe prices (by default 1.5 × the heaviest stone its model learned from; LOUPE_MAX_CARAT sets it). The errors list names the field and the limit.',
  },
  'headers-too-large': {
    status: 431,
    title: 'The request headers are too large',
    about:
      "The request headers together exceed 16 KiB (Node's limit); send fewer or shorter headers (a cookie may have grown).",
  },
  'rate-limited': {
    status: 429,
    title: 'Too many requests',
    about: 'The key has used its requests for now; retry after the number of seconds in the Retry-After header.',
  },
  'not-ready': {
    status: 503,
    title: 'Not ready',
    about: 'The service has no model loaded yet or cannot reach its database; retry shortly.',
  },
  busy: {
    status: 503,
    title: 'Busy',
    about: 'Too many requests of this kind are waiting to be answered; retry after the seconds in Retry-After.',
  },
  'storage-full': {
    status: 507,
    title: 'The server cannot store this now',
    about:
      "The server's disk is full: nothing of the request was stored. Valuations are still answered; send it again once the operator has freed some space.",
  },
  'internal-error': {
    status: 500,
    title: 'Internal error',
    about: 'Something failed inside Loupe. It is logged; the request can be retried.',
  },
} as const satisfies Record<string, { status: number; title: string; about: string }>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

/** An error that becomes a problem response as it is. */
export class ApiProblem extends Error {
  readonly status: number;
  constructor(
    readonly slug: ProblemSlug,
    detail: string,
    readonly errors?: FieldProblem[],
    readonly headers: Record<string, string> = {},
    status?: number,
  ) {
    super(detail);
    this.status = status ?? PROBLEM_TYPES[slug].status;
  }
}

export function problemBody(
  slug: ProblemSlug,
  detail: string,
  errors?: FieldProblem[],
  instance?: string,
  status?: number,
): ProblemDetails {
  const kind = PROBLEM_TYPES[slug];
  const body: ProblemDetails = { type: `/problems/${slug}`, title: kind.title, status: status ?? kind.status, detail };
  if (instance !== undefined) body.instance = instance;
  if (errors !== undefined) body.errors = errors;
  return body;
}

/**
 * Lists of problems are bounded, so that a hostile input (a stone with 128 unknown fields, a batch of 1,000 such
 * stones) cannot turn a 1 MiB request into a 25 MB answer: at most MAX_PROBLEMS are listed for one stone or one
 * request; a batch lists MAX_BATCH_PROBLEMS in all, then only the first problem of each further failed stone (so
 * every row still says why); a `more_problems` entry says how many were left out.
 */
export const MAX_PROBLEMS = 20;
export const MAX_BATCH_PROBLEMS = 2000;
export const MORE_PROBLEMS = 'more_problems';

/** The entry that stands for `omitted` problems left out of a list (of the stone at `field`, or of the body). */
export function moreProblems(field: string, omitted: number, listed: number): FieldProblem {
  return {
    field,
    code: MORE_PROBLEMS,
    message: `${omitted.toLocaleString('en-US')} more ${omitted === 1 ? 'problem is' : 'problems are'} not listed (${listed} listed); fix these and send again to see them.`,
    allowed: `at most ${MAX_PROBLEMS} problems are listed per stone or request; in a batch ${MAX_BATCH_PROBLEMS.toLocaleString('en-US')} in all, then one per stone`,
    omitted,
  };
}

/** How many problems a list stands for: its entries, with a `more_problems` entry counting what it left out. */
export function countProblems(errors: readonly FieldProblem[]): number {
  let n = 0;
  for (const e of errors) n += e.code === MORE_PROBLEMS ? (e.omitted ?? 0) : 1;
  return n;
}

/** At most `max` problems of a list, then one entry saying how many more there were. */
export function capProblems(errors: readonly FieldProblem[], max = MAX_PROBLEMS, field = ''): FieldProblem[] {
  const listed = errors.filter((e) => e.code !== MORE_PROBLEMS);
  const total = countProblems(errors);
  if (total <= max && listed.length === errors.length) return [...errors];
  const kept = listed.slice(0, max);
  return total > kept.length ? [...kept, moreProblems(field, total - kept.length, kept.length)] : kept;
}

/** "3 problems: carat is out of range; …" — a detail line for a list of field problems. */
export function summarise(errors: readonly FieldProblem[]): string {
  const total = countProblems(errors);
  const shown = errors
    .filter((e) => e.code !== MORE_PROBLEMS)
    .slice(0, 3)
    .map((e) => e.message)
    .join(' ');
  const more = total > 3 ? ` (and ${(total - 3).toLocaleString('en-US')} more)` : '';
  return total === 1 ? shown : `${total.toLocaleString('en-US')} problems: ${shown}${more}`;
}
