/**
 * The fit threads' claiming of histogram chunks (engine/thread-sync.ts): each chunk of a job is handed out once,
 * numbered from 0 in its job, and nothing more once the job's chunks are gone — also to a thread still asking for
 * the previous job's.
 */
import { describe, expect, it } from 'vitest';
import { claim, waitFor } from '../../src/engine/thread-sync.js';

const [NEXT, LIMIT, BASE, WORD] = [9, 3, 10, 16];

/** What FitThreads.post does for a job of `chunks` chunks. */
function post(ctrl: Int32Array, chunks: number): void {
  ctrl[BASE] = ctrl[NEXT];
  Atomics.store(ctrl, LIMIT, ctrl[BASE] + chunks);
}

describe('claim', () => {
  it('hands out every chunk of a job once, then none', () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(16 * 4));
    expect(claim(ctrl, NEXT, LIMIT, BASE)).toBe(-1);
    post(ctrl, 3);
    expect([0, 1, 2, 3].map(() => claim(ctrl, NEXT, LIMIT, BASE))).toEqual([0, 1, 2, -1]);
    post(ctrl, 0);
    expect(claim(ctrl, NEXT, LIMIT, BASE)).toBe(-1);
    post(ctrl, 2);
    expect([0, 1, 2].map(() => claim(ctrl, NEXT, LIMIT, BASE))).toEqual([0, 1, -1]);
    expect(ctrl[NEXT]).toBe(5);
  });

  it('waitFor returns at once when the word has reached the value (else it would sleep: the test times out)', () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(17 * 4));
    ctrl[WORD] = 2;
    waitFor(ctrl, WORD, 2, 0);
    waitFor(ctrl, WORD, 1, 16);
    expect(ctrl[WORD]).toBe(2);
  }, 5_000);
});
