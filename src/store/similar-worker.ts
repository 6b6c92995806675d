/**
 * The similar-stones thread (started by api/similar-thread.ts): the same search as the store's (similar.ts), on a
 * read-only connection of its own, so that a search over a large table never holds up the thread that answers
 * requests (better-sqlite3 is synchronous). SQLite in WAL mode lets this connection read while others write; it
 * sees every stone committed before each search starts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './db.js';
import { similarFinder, type SimilarityMode, type SimilarStone, type SimilarTo } from './similar.js';

export type ToSimilar = { id: number; stone: SimilarTo; n: number; mode: SimilarityMode };
export type FromSimilar = { id: number; stones: SimilarStone[] } | { id: number; error: string };

if (!parentPort) throw new Error('similar-worker.ts runs as the similar-stones thread');
const port = parentPort;
const { file } = (workerData as { data: { file: string } }).data;
const finder = similarFinder(openDatabase(file, { readonly: true }));
// The spreads take a pass over the table (seconds at a million stones): taken at start, not by the first search.
finder.warm();

port.on('message', (m: ToSimilar) => {
  let answer: FromSimilar;
  try {
    answer = { id: m.id, stones: finder.find(m.stone, m.n, m.mode) };
  } catch (e) {
    answer = { id: m.id, error: (e as Error).message };
  }
  port.postMessage(answer);
});
