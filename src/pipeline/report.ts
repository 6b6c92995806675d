/**
 * The report step: a model card (model.md, model.html and its SVG charts) in the folder of every registered
 * model that lacks one. Each file is written atomically and model.md last, so a card counts as present only
 * when it is complete; a run killed here leaves cards that the next run writes.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { upgradeMetrics, writeFileAtomic, type ModelRecord } from '../registry/index.js';
import { renderModelCard } from '../report/model-card.js';

export const CARD_FILE = 'model.md';

export function cardPath(record: ModelRecord): string {
  return join(dirname(record.artifactPath), CARD_FILE);
}

export function writeCard(record: ModelRecord): void {
  const dir = dirname(record.artifactPath);
  const card = renderModelCard({ ...record, metrics: upgradeMetrics(record.metrics, record.kind) });
  for (const [file, svg] of Object.entries(card.charts)) writeFileAtomic(join(dir, file), svg);
  writeFileAtomic(join(dir, 'model.html'), card.html);
  writeFileAtomic(join(dir, CARD_FILE), card.markdown);
}

/** Writes the cards that are missing of these models (the registry's); returns the versions written. */
export function writeMissingCards(models: readonly ModelRecord[]): string[] {
  const written: string[] = [];
  for (const m of models) {
    if (existsSync(cardPath(m))) continue;
    writeCard(m);
    written.push(m.version);
  }
  return written;
}
