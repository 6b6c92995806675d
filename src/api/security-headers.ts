/**
 * Security headers on every answer, and Node's own answers to what is not HTTP as problems too.
 *
 * helmet's browser hardening headers go on every response, `X-Content-Type-Options: nosniff` first among them;
 * its Content-Security-Policy is the strictest (`default-src 'none'`, no framing), right for JSON. They are the
 * same on every answer, so helmet runs once, at start, and each request gets the headers it set (the fastify
 * plugin built a new helmet middleware, parsing the CSP, on every request: about 1.5% of the server's CPU). The
 * pages that are documents set their own: the web app (routes/web.ts), the model card (routes/models.ts) and
 * /docs (DOCS_CSP below). A request Node cannot parse (headers over 16 KiB, a malformed request line) never
 * reaches fastify: clientErrorHandler answers it on the socket, as problem+json with the same headers.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { PROBLEM_CONTENT_TYPE, problemBody, type ProblemSlug } from './problem.js';

/** The CSP of answers that are data (JSON, problems): nothing may load, nothing may frame them. */
const DATA_CSP: HelmetOptions['contentSecurityPolicy'] = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
};

const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: DATA_CSP,
  // Plain HTTP on loopback by default; the proxy that terminates TLS in front of Loupe sets HSTS.
  strictTransportSecurity: false,
  // Partners' pages call the API with CORS (LOUPE_CORS_ORIGINS); that is not what CORP guards, but keep it lax.
  crossOriginResourcePolicy: { policy: 'same-site' },
};

/** The headers helmet sets with these options (lower-case names), worked out by running it once on a stand-in. */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

let dataHeaders: Record<string, string> | undefined;

/** The security headers of an answer that is data; worked out once. */
export function securityHeaders(): Record<string, string> {
  dataHeaders ??= helmetHeaders(HELMET_OPTIONS);
  return dataHeaders;
}

export function registerSecurityHeaders(app: FastifyInstance): void {
  const headers = securityHeaders();
  // Set first, in onRequest, so that an answer that is a document (the web app, the card, /docs) replaces the CSP.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}

/**
 * /docs (Swagger UI): its own scripts and styles (inline ones by their hash, from @fastify/swagger-ui), calls to
 * this server only, and it may not be framed. swagger-ui's default policy is adjusted: no
 * upgrade-insecure-requests (it would send the page's own plain-HTTP loads to https), no validator badge, and
 * inline styles allowed (Swagger UI sets style attributes as it renders; its scripts stay limited to its own).
 */
export function docsCsp(swaggerDefault: string): string {
  return swaggerDefault
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && d !== 'upgrade-insecure-requests')
    .map((d) =>
      d.startsWith('frame-ancestors')
        ? "frame-ancestors 'none'"
        : d.startsWith('style-src')
          ? "style-src 'self' 'unsafe-inline'"
          : d.replace(' validator.swagger.io', ''),
    )
    .concat("form-action 'none'")
    .join('; ');
}

const CLIENT_ERRORS: Record<string, { status: number; slug: ProblemSlug; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    slug: 'headers-too-large',
    detail: 'The request headers are larger than the 16 KiB this server reads; send fewer or shorter headers.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    slug: 'request-timeout',
    detail: 'The request was not received in time; send it again.',
  },
};

/** Answers a request Node could not parse (fastify's clientErrorHandler) with a problem, then closes the socket. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = error.code ? CLIENT_ERRORS[error.code] : undefined;
  const { status, slug, detail } = known ?? {
    status: 400,
    slug: 'malformed-request' as const,
    detail: `The request is not valid HTTP/1.1 (${String(error.code ?? 'unparsable').slice(0, 40)}).`,
  };
  const body = JSON.stringify(problemBody(slug, detail, undefined, undefined, status));
  // A request timing out while its body arrives may have been answered already (a 403 before the body is read):
  // another answer on the same socket would be garbage to the client, so it is only closed then.
  const answered = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (socket.writable && !answered) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        "X-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n" +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
