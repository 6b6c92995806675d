import type { RequestLogEntry } from '../../src/store/requests.js';

/** A request log entry for tests: a plain 200 GET, with the fields a test cares about given. */
export function requestLogEntry(over: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return {
    at: Date.UTC(2026, 11, 6, 21),
    method: 'GET',
    route: '/v1/health',
    url: '/v1/health',
    status: 200,
    latencyMs: 1,
    keyId: null,
    keyName: null,
    modelVersion: null,
    requestBody: null,
    responseBody: null,
    requestId: null,
    ...over,
  };
}
