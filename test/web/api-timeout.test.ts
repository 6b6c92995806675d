/**
 * The web app's requests give up after REQUEST_TIMEOUT_MS (web/src/api.ts): a server that accepts the connection
 * but never answers must not leave a screen waiting for ever. fetch is replaced by one that answers only when its
 * signal aborts it, as the browser's does; the clock is vitest's fake one, so nothing here waits 30 s.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, appraise, REQUEST_TIMEOUT_MS } from '../../web/src/api.js';

const STONE = { carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2' } as const;

/** A fetch that never answers: it rejects, as the browser's does, only when its signal aborts. */
function hungFetch(): typeof fetch {
  return ((_url: string, init?: RequestInit) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    })) as typeof fetch;
}

/** The outcome if it has settled by the next turn of the event loop, else "still waiting". */
function settledOrWaiting(outcome: Promise<unknown>): Promise<unknown> {
  return Promise.race([outcome, new Promise((resolve) => setImmediate(() => resolve('still waiting')))]);
}

beforeEach(() => {
  // Only the timers: setImmediate stays real, to tell "still waiting" from an answer without waiting for one.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('a request the server never answers', () => {
  it('fails after REQUEST_TIMEOUT_MS with an error saying the server did not answer', async () => {
    expect(REQUEST_TIMEOUT_MS).toBe(30_000); // as the README's Web app section says
    vi.stubGlobal('fetch', hungFetch());
    const outcome = appraise(STONE).then(
      () => 'answered',
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1);
    expect(await settledOrWaiting(outcome)).toBe('still waiting');
    await vi.advanceTimersByTimeAsync(1);
    const error = await settledOrWaiting(outcome);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).title).toBe('Loupe did not answer');
    expect((error as ApiError).message).toBe(
      'The server did not answer within 30 seconds. Try again; if it keeps happening, tell whoever runs Loupe.',
    );
  });

  it("is cancelled by the caller's signal as before: the abort, not a time-out", async () => {
    vi.stubGlobal('fetch', hungFetch());
    const controller = new AbortController();
    const outcome = appraise(STONE, controller.signal).then(
      () => 'answered',
      (e: unknown) => e,
    );
    controller.abort();
    const error = await outcome;
    expect(error).not.toBeInstanceOf(ApiError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('leaves no timer behind once answered', async () => {
    vi.stubGlobal('fetch', (async () => new Response(JSON.stringify({ price: 1 }), { status: 200 })) as typeof fetch);
    expect(await appraise(STONE)).toEqual({ price: 1 });
    expect(vi.getTimerCount()).toBe(0);
  });
});
