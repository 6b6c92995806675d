/**
 * The registry of model kinds: the one place a new kind is added.
 */
import { gbdt } from './gbdt.js';
import { hedonic } from './hedonic.js';
import type { ModelKind } from './kind.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const KINDS: ReadonlyMap<string, ModelKind<any>> = new Map([
  [gbdt.name, gbdt],
  [hedonic.name, hedonic],
]);

export const KIND_NAMES: readonly string[] = [...KINDS.keys()];
export const DEFAULT_KIND = 'hedonic';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function getKind(name: string): ModelKind<any> {
  const kind = KINDS.get(name);
  if (!kind) throw new RangeError(`unknown model kind "${name}"; known kinds: ${KIND_NAMES.join(', ')}`);
  return kind;
}

export type { ModelKind, FittedModel, FitContext } from './kind.js';
