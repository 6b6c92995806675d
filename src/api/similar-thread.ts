/**
 * Similar-stone searches on a thread of their own (store/similar-worker.ts) on SQLite. A search over all nine
 * characteristics reads a window of the table that grows with how far the stone is from the others: tens of
 * milliseconds at a million stones, more for an unusual stone. Run on the thread that answers requests it held up
 * everything else (`/healthz` waited seconds behind four clients searching). Here the HTTP thread only posts the
 * question and awaits the answer. The searches wait in one bounded queue: beyond `maxWaiting` a search is refused
 * with a 503 and Retry-After instead of letting the queue (and every caller's wait) grow without end.
 */
import type { Worker } from 'node:worker_threads';
import type { SimilarityMode, SimilarStone, SimilarTo } from '../store/similar.js';
import type { FromSimilar, ToSimilar } from '../store/similar-worker.js';
import { ApiProblem } from './problem.js';
import { startTsWorker } from './ts-worker.js';

/** The default bound on searches waiting for (or running on) the thread. */
export const SIMILAR_MAX_WAITING = 64;

export interface SimilarSearchThread {
  similarStones(stone: SimilarTo, n: number, mode: SimilarityMode): Promise<SimilarStone[]>;
  /** Searches sent and not yet answered. */
  readonly waiting: number;
  close(): Promise<void>;
}

export function threadedSimilarSearch(file: string, options: { maxWaiting?: number } = {}): SimilarSearchThread {
  const maxWaiting = options.maxWaiting ?? SIMILAR_MAX_WAITING;
  const worker: Worker = startTsWorker(new URL('../store/similar-worker.ts', import.meta.url), { file });
  worker.unref();
  const pending = new Map<number, { resolve(s: SimilarStone[]): void; reject(e: Error): void }>();
  let nextId = 1;
  let stopped: Error | undefined;
  const failAll = (error: Error): void => {
    stopped = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (m: FromSimilar) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('error' in m) p.reject(new Error(m.error));
    else p.resolve(m.stones);
  });
  worker.on('error', (e) => failAll(e));
  worker.on('exit', () => failAll(new Error('the similar-stones thread has stopped')));
  return {
    get waiting() {
      return pending.size;
    },
    similarStones(stone, n, mode) {
      if (stopped) return Promise.reject(stopped);
      if (pending.size >= maxWaiting)
        return Promise.reject(
          new ApiProblem(
            'busy',
            `${pending.size} similar-stone searches are already waiting (at most ${maxWaiting}); retry shortly.`,
            undefined,
            { 'retry-after': '1' },
          ),
        );
      const id = nextId++;
      return new Promise<SimilarStone[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, stone, n, mode } satisfies ToSimilar);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
