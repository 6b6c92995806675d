/**
 * The typed Loupe client: openapi-fetch over the types openapi-typescript generated from the API's OpenAPI
 * document (client/schema.d.ts). Paths, bodies, query parameters and answers are all checked by TypeScript.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

// The schema's type aliases are defined once, in the installable client, and shared here.
export type {
  BatchResponse,
  components,
  Explanation,
  FieldProblem,
  Model,
  Problem,
  SimilarStone,
  Stone,
  Valuation,
} from './loupe.js';
export type { paths };
export type LoupeClient = Client<paths>;

export interface LoupeClientOptions {
  /** Where the API runs, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** A partner key (lp_…); not needed when the server runs open on loopback. */
  apiKey?: string;
  fetch?: typeof fetch;
}

export function createLoupeClient(options: LoupeClientOptions): LoupeClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ''),
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
