/**
 * The registry of model kinds: the one place a new kind is added.
 */
import { gbdt } from './gbdt.js';
import { hedonic } from './hedonic.js';
import type { ModelKind } from './kind.js';
import { DEFAULT_KIND, KIND_NAMES } from './names.js';
import { xgboost } from './xgboost.js';

/** A kind of any parameters: fit is a method, so a kind's own parameter type is accepted here. */
type AnyKind = ModelKind<object>;

/** Kinds Loupe trains itself. */
const TRAINABLE: readonly AnyKind[] = [gbdt, hedonic];
/** Kinds Loupe serves but does not train (their models are imported). */
const IMPORTED: readonly AnyKind[] = [xgboost];

const KINDS = new Map<string, AnyKind>([...TRAINABLE, ...IMPORTED].map((k) => [k.name, k]));

// Names of the kinds `trainModel` (and so the CLI and the pipeline) can train: listed in ./names.ts for the help.
if (TRAINABLE.map((k) => k.name).join() !== KIND_NAMES.join() || !KIND_NAMES.includes(DEFAULT_KIND))
  throw new Error(
    `kinds/names.ts lists ${KIND_NAMES.join(', ')}; the trainable kinds are ${TRAINABLE.map((k) => k.name)}`,
  );
export { DEFAULT_KIND, KIND_NAMES };

export function getKind(name: string): AnyKind {
  const kind = KINDS.get(name);
  if (!kind) throw new RangeError(`unknown model kind "${name}"; known kinds: ${[...KINDS.keys()].join(', ')}`);
  return kind;
}

export type { ModelKind, FittedModel, FitContext } from './kind.js';
