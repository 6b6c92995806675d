/**
 * The typed Loupe client: openapi-fetch over the types openapi-typescript generated from the API's OpenAPI
 * document (client/schema.d.ts). Paths, bodies, query parameters and answers are all checked by TypeScript.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type LoupeClient = Client<paths>;

type Schemas = components['schemas'];
export type Stone = Schemas['Stone'];
export type Valuation = Schemas['Valuation'];
export type Explanation = Schemas['Explanation'];
export type Problem = Schemas['Problem'];
export type FieldProblem = Schemas['FieldProblem'];
export type BatchResponse = Schemas['BatchResponse'];
export type SimilarStone = Schemas['SimilarStone'];
export type Model = Schemas['Model'];

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
