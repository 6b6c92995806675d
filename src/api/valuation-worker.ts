/**
 * The valuation thread (started by valuation-pool.ts): it holds the models it was sent, by version, and values
 * the batches of stones it is given. Model work runs here so that the thread answering HTTP keeps answering.
 */
import { parentPort } from 'node:worker_threads';
import { artifactSummary, loadValuer, type LoadedModel, type Valuation } from '../model/index.js';
import type { StoneToValue } from '../diamond/index.js';
import { valuationAnswer } from './answer-text.js';
import { denseNormalised, packAnswers, unpackStones, type AnswerResult } from './pool-messages.js';
import type { PoolReply, PoolRequest } from './valuation-pool.js';

type Result = AnswerResult | { ok: true; valuation: Valuation } | { ok: false; message: string };

if (!parentPort) throw new Error('valuation-worker.ts runs as a worker thread of the valuation pool');
const port = parentPort;
/** The models sent, oldest first; a batch names the version it was taken for. */
const models = new Map<string, LoadedModel>();
/** The champion and the one before it: a request that started on the old one finishes on it. */
const KEEP = 2;

port.on('message', (message: PoolRequest) => {
  if (message.type === 'load') {
    try {
      let model = models.get(message.version);
      if (!model) {
        model = loadValuer(message.text, message.version);
        model.prepare();
        models.set(message.version, model);
        for (const version of models.keys()) if (models.size > KEEP) models.delete(version);
      }
      // what the HTTP thread needs of the artifact, without the payload it would otherwise parse itself
      if (message.ack)
        port.postMessage({
          type: 'loaded',
          version: message.version,
          summary: artifactSummary(model.artifact),
        } satisfies PoolReply);
    } catch (error) {
      // a preload hears why; otherwise the thread fails as before (what it held is valued in process)
      if (!message.ack) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      port.postMessage({ type: 'loaded', version: message.version, error: reason } satisfies PoolReply);
    }
    return;
  }
  const model = models.get(message.version);
  const stones = message.stones instanceof Float64Array ? unpackStones(message.stones) : message.stones;
  const normalised = message.answers && denseNormalised(stones.length, message.answers);
  /** A valuation as sent back: the answer's text when asked for (answer-text.ts), else the valuation. */
  const reply = (valuation: Valuation, i: number) =>
    normalised ? valuationAnswer(valuation, normalised[i]) : valuation;
  let results: Result[];
  if (!model) {
    results = stones.map(() => ({
      ok: false,
      message: `model ${message.version} is not loaded in the valuation thread`,
    }));
  } else {
    try {
      // the batch together: a tree model explains it in blocks, faster than stone by stone
      results = model
        .valueMany(stones, { explain: message.explain })
        .map((valuation, i) => ({ ok: true, valuation: reply(valuation, i) }) as Result);
    } catch {
      // one stone the model refuses does not sink the others: value them one by one to find it
      results = stones.map((stone: StoneToValue, i): Result => {
        try {
          const valuation: Valuation = model.value(stone, { explain: message.explain });
          return { ok: true, valuation: reply(valuation, i) } as Result;
        } catch (error) {
          return { ok: false, message: error instanceof Error ? error.message : String(error) };
        }
      });
    }
  }
  // answers go packed (pool-messages.ts): one text and a few typed arrays instead of an object per stone
  port.postMessage(
    (normalised
      ? { type: 'answered', id: message.id, answers: packAnswers(results as AnswerResult[]) }
      : {
          type: 'valued',
          id: message.id,
          results: results as Extract<PoolReply, { type: 'valued' }>['results'],
        }) satisfies PoolReply,
  );
});
