/**
 * The web app's only way to Loupe: the public REST API (/v1), over fetch, with the same JSON a partner gets.
 * Errors arrive as problem+json and become an ApiError carrying the per-field problems.
 */
import type { components, paths } from '../../client/schema.js';
import { hasMeasurements, type Stone, type StoneToValue } from '../../src/diamond/fields.js';

// The answers' shapes come from the API's OpenAPI document (client/schema.d.ts, generated and checked fresh by
// test/api/openapi.test.ts), so the web app cannot drift from what the server sends.
type Schemas = components['schemas'];

export type Explanation = Schemas['Explanation'];
export type ExplanationStep = Explanation['steps'][number];
export type ValuationWarning = Schemas['Warning'];
export type Valuation = Schemas['Valuation'];
export type FieldProblem = Schemas['FieldProblem'];
export type ProblemDetails = Schemas['Problem'];

/** A failed request: the server's problem details, or a description of why there was no answer at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(detail);
  }
}

const KEY_STORAGE = 'loupe.apiKey';
/** Fired on window when the API answers 401: no key, or one it does not accept. */
export const UNAUTHORIZED_EVENT = 'loupe:unauthorized';
/** Fired on window when a key is saved: what a page could not load without one can be asked for again. */
export const KEY_SAVED_EVENT = 'loupe:key-saved';

/** The API key, if the server asked for one (it does not on loopback when started open). */
export function apiKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setApiKey(key: string | null): void {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // Private mode without storage: the key lasts until the page is closed at most; nothing to do.
  }
  if (key) dispatchEvent(new CustomEvent(KEY_SAVED_EVENT));
}

function isProblem(body: unknown): body is ProblemDetails {
  return typeof body === 'object' && body !== null && 'title' in body && 'status' in body;
}

/** What a call sends: nothing, a JSON body, or a CSV file's text. */
type Body = { json: unknown } | { csv: string | Blob } | undefined;

/**
 * How long a request may take before the app gives up on it (30 s): a server that accepts the connection but never
 * answers (hung, overloaded) would otherwise leave a screen waiting for ever. Far above any answer seen: the
 * reference file of 4,995 stones prices in about 1.5 s on the batch screen.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/** The text of an answer (with the key, as every call); a refusal, or no answer in time, becomes an ApiError. */
async function call(
  method: 'GET' | 'POST',
  path: string,
  accept: string,
  body?: Body,
  signal?: AbortSignal,
): Promise<string> {
  const headers: Record<string, string> = { accept: `${accept}, application/problem+json` };
  if (body) headers['content-type'] = 'csv' in body ? 'text/csv; charset=utf-8' : 'application/json';
  const key = apiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  // One controller for the caller's cancel and the time limit; a timer (not AbortSignal.timeout) so that a test's
  // fake clock can move it on.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, REQUEST_TIMEOUT_MS);
  const cancel = () => controller.abort();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener('abort', cancel, { once: true });
  const unanswered = (error: unknown) => {
    if (timedOut)
      return new ApiError(
        0,
        'Loupe did not answer',
        `The server did not answer within ${REQUEST_TIMEOUT_MS / 1000} seconds. Try again; if it keeps happening, tell whoever runs Loupe.`,
      );
    if (signal?.aborted) return error;
    return new ApiError(0, 'Loupe cannot be reached', 'The server did not answer. Check the connection and try again.');
  };
  try {
    let response: Response;
    let text: string;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : 'csv' in body ? body.csv : JSON.stringify(body.json),
        signal: controller.signal,
      });
      // The body is part of the answer: a server that sends its headers and then stalls is also out of time.
      text = await response.text();
    } catch (error) {
      throw unanswered(error);
    }
    if (!response.ok) {
      const json = parseJson(text);
      // The server wants a key (it is not running open): let the app ask for one.
      if (response.status === 401) dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
      if (isProblem(json))
        throw new ApiError(response.status, json.title, json.detail ?? json.title, json.errors ?? []);
      throw new ApiError(
        response.status,
        response.statusText || 'Request failed',
        `The server answered ${response.status}.`,
      );
    }
    return text;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  return parseJson(
    await call(method, path, 'application/json', body === undefined ? undefined : { json: body }, signal),
  ) as T;
}

/** The shop a printed valuation names (LOUPE_SHOP_* on the server; src/api/shop.ts). */
export interface Shop {
  name: string;
  address: string;
  phone: string;
  disclaimer: string;
}

let shopOnce: Promise<Shop | null> | undefined;
/**
 * The shop (not part of /v1, and the same for every key); null if it cannot be read. Once read it is kept for the
 * page's life; a failure is not kept, so the next valuation asks again (a server restarting when the page opened
 * left every later printout without the shop, hunt-web #3).
 */
export function shopDetails(): Promise<Shop | null> {
  if (!shopOnce) {
    const asking: Promise<Shop | null> = fetch('/shop.json')
      .then((r) => (r.ok ? (r.json() as Promise<Shop>) : null))
      .catch(() => null);
    shopOnce = asking;
    void asking.then((shop) => {
      if (shop === null && shopOnce === asking) shopOnce = undefined;
    });
  }
  return shopOnce;
}

/**
 * An HTML document of the API (a model card), fetched with the key: a frame or a link pointing at the API could
 * not send it, and a keyed server would answer them 401.
 */
export function htmlDocument(path: string, signal?: AbortSignal): Promise<string> {
  return call('GET', path, 'text/html', undefined, signal);
}

/** POST /v1/valuations: one stone's price, range and explanation (from all nine characteristics, or the 4Cs alone). */
export function appraise(stone: StoneToValue, signal?: AbortSignal): Promise<Valuation> {
  return request<Valuation>('POST', '/v1/valuations', stone, signal);
}

export type StoredValuation = paths['/v1/valuations/{id}']['get']['responses'][200]['content']['application/json'];

/** GET /v1/valuations/{id}: a valuation exactly as it was answered (the quote), with the stone it valued. */
export function storedValuation(id: string, signal?: AbortSignal): Promise<StoredValuation> {
  return request<StoredValuation>('GET', `/v1/valuations/${encodeURIComponent(id)}`, undefined, signal);
}

/**
 * One item of a batch answer: a valuation, or the problems of that stone (fields named "stones/<i>/carat").
 * Narrower than the document's BatchItem (ok: boolean, both fields optional): the API sends the one ok names.
 */
export type BatchItem =
  | { index: number; ok: true; valuation: Valuation }
  | { index: number; ok: false; errors: FieldProblem[] };

export type BatchAnswer = Omit<Schemas['BatchResponse'], 'results'> & { results: BatchItem[] };

export const BATCH_LIMIT = 1000;

/** POST /v1/valuations/batch: up to BATCH_LIMIT stones, a result or the problems for each, in the order sent. */
export async function appraiseBatch(stones: Stone[], signal?: AbortSignal): Promise<BatchItem[]> {
  const answer = await request<BatchAnswer>('POST', '/v1/valuations/batch?explain=false', { stones }, signal);
  if (!Array.isArray(answer?.results) || answer.results.length !== stones.length) {
    throw new ApiError(
      0,
      'Unexpected answer',
      `The batch answer did not hold one result for each of the ${stones.length} stones sent.`,
    );
  }
  return answer.results;
}

/** A stone of the database with its appraised price and its distance to the one asked about. */
export type SimilarStone = Schemas['SimilarStone'];

/**
 * How similar is measured: `grades` — the same cut, colour and clarity and the closest carat; `all` — the closest
 * over all nine characteristics, each scaled by its spread (only for a stone with its measurements).
 */
export type SimilarityMode = 'grades' | 'all';

/** GET /v1/diamonds/similar: the closest appraised stones in the database. */
export async function similarStones(
  stone: StoneToValue,
  n: number,
  mode: SimilarityMode,
  signal?: AbortSignal,
): Promise<SimilarStone[]> {
  const query = new URLSearchParams({
    carat: String(stone.carat),
    cut: stone.cut,
    color: stone.color,
    clarity: stone.clarity,
    n: String(n),
    mode,
  });
  if (mode === 'all' && hasMeasurements(stone)) {
    for (const f of ['depth', 'table', 'x', 'y', 'z'] as const) query.set(f, String(stone[f]));
  }
  const answer = await request<{ stones: SimilarStone[] }>('GET', `/v1/diamonds/similar?${query}`, undefined, signal);
  return answer.stones;
}

export type ModelInfo = Schemas['Model'];

/** GET /v1/models/current: the model being served. */
export function currentModel(signal?: AbortSignal): Promise<ModelInfo> {
  return request<ModelInfo>('GET', '/v1/models/current', undefined, signal);
}

/**
 * The served model's carat limit (GET /v1/models/current), or undefined when it cannot be read (no model yet, the
 * server away, an older server): the form then shows the schema's bound, and the server's refusal names the limit.
 */
export async function servedCaratLimit(signal?: AbortSignal): Promise<number | undefined> {
  // Not through `call`: a keyed server's 401 here must not raise the key banner before anything was asked.
  const key = apiKey();
  try {
    const r = await fetch('/v1/models/current', { headers: key ? { authorization: `Bearer ${key}` } : {}, signal });
    if (!r.ok) return undefined;
    const limit = ((await r.json()) as ModelInfo).caratLimit;
    return typeof limit === 'number' ? limit : undefined;
  } catch {
    return undefined;
  }
}

/** GET /v1/models: every version, newest first (the API lists them oldest first). */
export async function models(signal?: AbortSignal): Promise<ModelInfo[]> {
  const answer = await request<{ champion: string | null; models: ModelInfo[] }>(
    'GET',
    '/v1/models',
    undefined,
    signal,
  );
  return [...answer.models].reverse();
}

type Appraisals = paths['/v1/appraisals'];
/** Recorded appraisals matching a filter, a page of them, who recorded and when a model last learned from them. */
export type AppraisalList = Appraisals['get']['responses'][200]['content']['application/json'];
/** A recorded appraisal with what the model serving now says of it (`model`, null while none is loaded). */
export type RecordedAppraisal = AppraisalList['appraisals'][number];
/** What recording a stone or a file did: the submission's counts, its recorded stones and its rejected rows. */
export type SubmissionResult = Appraisals['post']['responses'][201]['content']['application/json'];
/** A rejected row, kept until fixed or dismissed: its fields as they stood and the reasons. */
export type OpenReject = SubmissionResult['rejects'][number];
export type AppraisalFilter = Omit<NonNullable<Appraisals['get']['parameters']['query']>, 'format'>;

/** An appraisal as typed: the ten fields as text (checked by the ingestion, as a CSV cell is) and a reference. */
export type AppraisalInput = Record<string, string>;

/** POST /v1/appraisals: one stone with the expert's price; accepted and stored, or kept as a rejected row. */
export function recordAppraisal(input: AppraisalInput, signal?: AbortSignal): Promise<SubmissionResult> {
  return request<SubmissionResult>('POST', '/v1/appraisals', input, signal);
}

/**
 * POST /v1/appraisals as text/csv: a file of appraisals, every row accepted or rejected with its reasons. The file's
 * bytes are sent as they are, so the ingestion judges them (not UTF-8, binary) with its own messages.
 */
export async function uploadAppraisals(name: string, csv: Blob, signal?: AbortSignal): Promise<SubmissionResult> {
  const text = await call(
    'POST',
    `/v1/appraisals?${new URLSearchParams({ name })}`,
    'application/json',
    { csv },
    signal,
  );
  return parseJson(text) as SubmissionResult;
}

function appraisalQuery(filter: AppraisalFilter, format?: 'csv'): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') query.set(k, String(v));
  if (format) query.set('format', format);
  return query.size > 0 ? `?${query}` : '';
}

/** GET /v1/appraisals: recorded appraisals, newest first. */
export function listAppraisals(filter: AppraisalFilter, signal?: AbortSignal): Promise<AppraisalList> {
  return request<AppraisalList>('GET', `/v1/appraisals${appraisalQuery(filter)}`, undefined, signal);
}

/** GET /v1/appraisals?format=csv: every appraisal matching the filter, as the CSV file the API writes. */
export function exportAppraisals(filter: AppraisalFilter): Promise<string> {
  return call('GET', `/v1/appraisals${appraisalQuery(filter, 'csv')}`, 'text/csv');
}

/** GET /v1/appraisals/rejects: the newest rejected rows waiting to be fixed or dismissed, and how many in all. */
export async function openRejects(signal?: AbortSignal): Promise<{ total: number; rejects: OpenReject[] }> {
  return request<{ total: number; rejects: OpenReject[] }>('GET', '/v1/appraisals/rejects', undefined, signal);
}

/** POST /v1/appraisals/rejects/{id}/fix: the corrected row, recorded; the rejected one is marked fixed by it. */
export function fixReject(id: number, input: AppraisalInput): Promise<SubmissionResult> {
  return request<SubmissionResult>('POST', `/v1/appraisals/rejects/${id}/fix`, input);
}

/** POST /v1/appraisals/rejects/{id}/dismiss: the row is no longer listed. */
export async function dismissReject(id: number): Promise<void> {
  await request('POST', `/v1/appraisals/rejects/${id}/dismiss`);
}

/** GET /v1/monitoring: the live traffic window of this server and the live accuracy history (admin). */
export type MonitoringReport = Schemas['Monitoring'];
export type TrafficSummary = Schemas['TrafficSummary'];
export type LiveAccuracyEntry = Schemas['LiveAccuracyEntry'];

export function monitoring(signal?: AbortSignal): Promise<MonitoringReport> {
  return request<MonitoringReport>('GET', '/v1/monitoring', undefined, signal);
}

/**
 * Whether this key (or no key, on an open server) may read GET /v1/monitoring: the Monitoring link is shown only
 * then. Asked of /web-access.json, which always answers 200: a refusal would be logged by the browser and raise
 * the "enter a key" banner on a screen that needs no key.
 */
export async function monitoringAllowed(signal?: AbortSignal): Promise<boolean> {
  const key = apiKey();
  try {
    const r = await fetch('/web-access.json', { headers: key ? { authorization: `Bearer ${key}` } : {}, signal });
    return r.ok && ((await r.json()) as { monitoring?: boolean }).monitoring === true;
  } catch {
    return false;
  }
}
