/**
 * The installable Loupe client (package `loupe-client`, built from this file to JS + .d.ts): a small fetch client
 * with no dependencies, typed by the types generated from the API's OpenAPI document (schema.d.ts). It covers
 * valuations (one, a batch, a stored one), similar stones and models, and retries a 429 or a 503 after the
 * answer's Retry-After (a few times, bounded), sending the same Idempotency-Key so a retried valuation is one quote.
 */
import type { components } from './schema.js';

type Schemas = components['schemas'];
export type Stone = Schemas['Stone'];
export type Valuation = Schemas['Valuation'];
export type Explanation = Schemas['Explanation'];
export type BatchResponse = Schemas['BatchResponse'];
export type SimilarStone = Schemas['SimilarStone'];
export type Model = Schemas['Model'];
export type Problem = Schemas['Problem'];
export type FieldProblem = Schemas['FieldProblem'];
export type StoredValuation = { valuation: Valuation; stone: Stone; ref?: string };
export type { components };

export interface LoupeOptions {
  /** Where the API runs, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** A partner key (lp_…); not needed when the server runs open on loopback. */
  apiKey?: string;
  /** Retries of a 429 or 503 after its Retry-After (default 2; 0 turns retrying off). */
  retries?: number;
  /** The longest wait for one retry, in seconds (default 30): a longer Retry-After is given up on. */
  maxRetryAfterSeconds?: number;
  fetch?: typeof fetch;
}

/** An answer that is a problem (RFC 9457): its status, and the problem with every field's error. */
export class LoupeError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${problem.title}: ${problem.detail}`);
    this.name = 'LoupeError';
  }
}

export interface SimilarQuery {
  carat: number;
  cut: string;
  color: string;
  clarity: string;
  n?: number;
  mode?: 'grades' | 'all';
}

export class LoupeClient {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #retries: number;
  readonly #maxWait: number;
  readonly #fetch: typeof fetch;

  constructor(options: LoupeOptions) {
    this.#base = options.baseUrl.replace(/\/$/, '');
    this.#headers = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
    this.#retries = options.retries ?? 2;
    this.#maxWait = options.maxRetryAfterSeconds ?? 30;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Values one stone; `idempotencyKey` makes a retry (by you or by this client) return the same quote. */
  value(stone: Stone, options: { explain?: boolean; idempotencyKey?: string } = {}): Promise<Valuation> {
    return this.#send('POST', `/v1/valuations${explainQuery(options.explain)}`, stone, options.idempotencyKey);
  }

  /** Values up to 1,000 stones; each may carry a `ref` that comes back in its result. */
  valueBatch(
    stones: (Stone & { ref?: string })[],
    options: { explain?: boolean; idempotencyKey?: string } = {},
  ): Promise<BatchResponse> {
    return this.#send(
      'POST',
      `/v1/valuations/batch${explainQuery(options.explain)}`,
      { stones },
      options.idempotencyKey,
    );
  }

  /** A valuation exactly as it was answered (the quote). */
  valuation(id: string): Promise<StoredValuation> {
    return this.#send('GET', `/v1/valuations/${encodeURIComponent(id)}`);
  }

  /** The appraised stones most like one. */
  similar(query: SimilarQuery): Promise<{ mode: string; count: number; stones: SimilarStone[] }> {
    const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    return this.#send('GET', `/v1/diamonds/similar?${q}`);
  }

  /** The model being served. */
  currentModel(): Promise<Model> {
    return this.#send('GET', '/v1/models/current');
  }

  /** Every model version, and which one is the champion. */
  models(): Promise<{ champion: string | null; models: Model[] }> {
    return this.#send('GET', '/v1/models');
  }

  async #send<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    const headers: Record<string, string> = { ...this.#headers, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    for (let attempt = 0; ; attempt++) {
      const res = await this.#fetch(`${this.#base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.ok) return (await res.json()) as T;
      const wait = Number(res.headers.get('retry-after'));
      const retryable = (res.status === 429 || res.status === 503) && Number.isFinite(wait) && wait >= 0;
      if (retryable && attempt < this.#retries && wait <= this.#maxWait) {
        await res.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        continue;
      }
      throw new LoupeError(res.status, await problemOf(res));
    }
  }
}

function explainQuery(explain: boolean | undefined): string {
  return explain === false ? '?explain=false' : '';
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    return JSON.parse(text) as Problem;
  } catch {
    return { type: 'about:blank', title: res.statusText || 'Error', status: res.status, detail: text.slice(0, 500) };
  }
}
