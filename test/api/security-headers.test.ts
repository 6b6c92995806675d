/**
 * Security headers: nosniff on every answer, a CSP on every answer (the strictest on data, its own on /docs, which
 * may not be framed), and Node's own answers to what is not HTTP (headers too large, a malformed request) as
 * problem+json, checked on a real socket.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRequests } from '../../src/store/requests.js';
import { expectProblem, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

let home: TestHome;
let t: TestApp;
let port: number;
beforeAll(async () => {
  home = await testHome();
  t = await testApp(home, { open: false });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await t?.app.close();
  home?.cleanup();
});

/** Sends raw bytes and reads the answer until the server closes the connection. */
function raw(
  request: string | Buffer,
  at = port,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(at, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.end(request);
  });
}

describe('headers on every answer', () => {
  it('nosniff and a CSP on data, problems, unknown routes, undecodable URLs, the web app and /docs', async () => {
    const answers = await Promise.all(
      [
        ['GET', '/healthz'],
        ['GET', '/openapi.json'],
        ['GET', '/v1/models'], // 401: no key
        ['POST', '/v1/valuations'], // 401 before its body is read
        ['GET', '/nowhere'],
        ['GET', '/%zz'], // answered before routing
        ['GET', '/'],
        ['GET', '/docs/'],
        ['GET', '/problems/invalid-input'],
      ].map(([method, url]) => t.app.inject({ method: method as 'GET', url })),
    );
    for (const res of answers) {
      expect(res.headers['x-content-type-options'], res.raw.req.url).toBe('nosniff');
      expect(res.headers['content-security-policy'], res.raw.req.url).toBeTruthy();
    }
    const json = answers[0].headers['content-security-policy'];
    expect(json).toContain("default-src 'none'");
    expect(json).toContain("frame-ancestors 'none'");
  });

  it("helmet's exact headers on data answers, success and problem alike, and no X-Powered-By", async () => {
    // What @fastify/helmet set with these options; helmet now runs once at start and every answer gets its headers.
    const helmet = {
      'content-security-policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-site',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    };
    for (const [method, url] of [
      ['GET', '/healthz'],
      ['GET', '/v1/models'], // 401 problem
      ['GET', '/nowhere'], // 404 problem
    ]) {
      const res = await t.app.inject({ method: method as 'GET', url });
      expect(res.headers, url).toMatchObject(helmet);
      expect(res.headers['x-powered-by'], url).toBeUndefined();
      expect(res.headers['strict-transport-security'], url).toBeUndefined();
    }
  });

  it("/docs: its own scripts, this server only, never framed, no upgrade of the page's plain-HTTP loads", async () => {
    for (const url of ['/docs/', '/docs/static/swagger-initializer.js', '/docs/static/swagger-ui.css']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toMatch(/script-src 'self'/);
      expect(csp, url).not.toContain('upgrade-insecure-requests');
      expect(csp, url).not.toContain('validator.swagger.io');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });
});

describe("Node's own answers are problems too (raw sockets)", () => {
  it('headers over 16 KiB: 431 problem+json, with nosniff', async () => {
    const res = await raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    expect(JSON.parse(res.body)).toMatchObject({ type: '/problems/headers-too-large', status: 431 });
  });

  it('a malformed request line or header: 400 problem+json', async () => {
    for (const request of ['NOT HTTP AT ALL\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n']) {
      const res = await raw(request);
      expect(res.status, request).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.body)).toMatchObject({ type: '/problems/malformed-request', status: 400 });
    }
  });

  it('an HTTP/1.1 request without Host: a 400 problem with the headers of any answer, and logged', async () => {
    const own = await testHome({ promote: false });
    const app = await testApp(own, { open: false, flushIntervalMs: 10 });
    await app.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const at = (app.app.server.address() as { port: number }).port;
      const res = await raw('GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n', at);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({ type: '/problems/malformed-request', status: 400, instance: '/v1/models' });
      expect(body.detail).toMatch(/Host/);
      // HTTP/1.0 needs no Host
      expect((await raw('GET /healthz HTTP/1.0\r\n\r\n', at)).status).toBe(200);
    } finally {
      await app.app.close();
    }
    const [logged] = listRequests(own.db, { limit: 1, status: 400 });
    expect(logged).toMatchObject({ route: '/v1/models', status: 400 });
    own.cleanup();
  });

  it('each new problem type resolves to its explanation', async () => {
    for (const slug of ['headers-too-large', 'malformed-request', 'request-timeout']) {
      const res = await t.app.inject({ method: 'GET', url: `/problems/${slug}` });
      expect(res.statusCode, slug).toBe(200);
    }
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/models' }), 401);
  });
});

describe('a request that does not arrive in time', () => {
  let slow: TestApp;
  let slowPort: number;
  beforeAll(async () => {
    // A short bound, so that the test waits for it and not a minute (the server's is REQUEST_TIMEOUT_MS).
    slow = await testApp(home, { open: true, requestLog: false, quotes: false, requestTimeoutMs: 300 });
    await slow.app.listen({ host: '127.0.0.1', port: 0 });
    slowPort = (slow.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await slow?.app.close();
  });

  /** Opens a connection that announces a 100-byte body and sends 1 byte of it; resolves with what came back. */
  function stalled(): { sent: Promise<void>; answer: Promise<string> } {
    const socket = connect(slowPort, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    const sent = new Promise<void>((resolve) =>
      socket.write(
        'POST /v1/valuations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
        () => resolve(),
      ),
    );
    const answer = new Promise<string>((resolve) =>
      socket.on('close', () => resolve(Buffer.concat(chunks).toString())),
    );
    return { sent, answer };
  }

  it('is answered 408 request-timeout and its connection closed, body still missing', async () => {
    const text = await stalled().answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({
      type: '/problems/request-timeout',
      status: 408,
    });
  });

  it('does not hold the shutdown for longer than the bound', async () => {
    const { sent, answer } = stalled();
    await sent;
    // Closing stops Node's own timeout checks: without a bound of its own, this close would wait for the client.
    await slow.app.close();
    await answer;
  });
});
