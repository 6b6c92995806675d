/**
 * A training thread: runs engine fits sent by parallel-fit.ts and posts the fitted models back. It imports only
 * the engine, so it starts fast and cannot reach anything stateful.
 */
import { parentPort } from 'node:worker_threads';
import { fit } from '../engine/index.js';
import type { EngineFitJob } from './kinds/fit-plan.js';

export interface FitRequest {
  id: number;
  job: EngineFitJob;
}

export type FitReply = { id: number; model: ReturnType<typeof fit>['model'] } | { id: number; error: string };

parentPort?.on('message', (request: FitRequest) => {
  let reply: FitReply;
  try {
    reply = { id: request.id, model: fit(request.job.X, request.job.y, request.job.options).model };
  } catch (e) {
    reply = { id: request.id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  // The model's typed arrays are this thread's to give away: transfer them rather than copy.
  const buffers = new Set<ArrayBuffer>();
  if ('model' in reply)
    for (const t of reply.model.ensemble.trees)
      for (const a of [t.feature, t.threshold, t.left, t.right, t.defaultLeft, t.value, t.cover])
        buffers.add(a.buffer as ArrayBuffer);
  parentPort!.postMessage(reply, [...buffers]);
});
