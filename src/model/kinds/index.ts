/**
 * The registry of model kinds: the one place a new kind is added.
 */
import { gbdt } from './gbdt.js';
import { hedonic } from './hedonic.js';
import type { ModelKind } from './kind.js';
import { xgboost } from './xgboost.js';

/** A kind of any parameters: fit is a method, so a kind's own parameter type is accepted here. */
type AnyKind = ModelKind<object>;

/** Kinds Loupe trains itself. */
const TRAINABLE: readonly AnyKind[] = [gbdt, hedonic];
/** Kinds Loupe serves but does not train (their models are imported). */
const IMPORTED: readonly AnyKind[] = [xgboost];

const KINDS = new Map<string, AnyKind>([...TRAINABLE, ...IMPORTED].map((k) => [k.name, k]));

/** Names of the kinds `trainModel` (and so the CLI and the pipeline) can train. */
export const KIND_NAMES: readonly string[] = TRAINABLE.map((k) => k.name);
export const DEFAULT_KIND = 'gbdt';

export function getKind(name: string): AnyKind {
  const kind = KINDS.get(name);
  if (!kind) throw new RangeError(`unknown model kind "${name}"; known kinds: ${[...KINDS.keys()].join(', ')}`);
  return kind;
}

export type { ModelKind, FittedModel, FitContext } from './kind.js';
