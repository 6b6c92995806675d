/**
 * Shaping answers for people and programs: the valuation's explanation to the cent (the price and range are
 * already rounded by the model layer), stored records without server internals.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PRICE_BASIS } from '../diamond/index.js';
import { upgradeMetrics, type ModelMetrics, type ModelRecord } from '../registry/index.js';

// on its own module so that a valuation thread loads it without the registry (answer-text.ts)
export { presentValuation } from './present-valuation.js';

/**
 * A model record without its artifact's path on the server's disk, with the address of its card once written and
 * the price basis (one for every model: the data's prices are all on it).
 */
export function presentModel(r: ModelRecord): Omit<ModelRecord, 'artifactPath' | 'metrics'> & {
  metrics: ModelMetrics;
  priceBasis: typeof PRICE_BASIS;
  modelCardUrl: string | null;
} {
  const { artifactPath, ...rest } = r;
  const card = existsSync(join(dirname(artifactPath), 'model.html'))
    ? `/v1/models/${encodeURIComponent(r.version)}/card`
    : null;
  return { ...rest, metrics: upgradeMetrics(r.metrics, r.kind), priceBasis: PRICE_BASIS, modelCardUrl: card };
}
