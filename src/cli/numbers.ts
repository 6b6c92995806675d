/**
 * Numbers given to commands — options and the environment variables beside them — read one way: as a plain
 * decimal, the form row values take (src/diamond isPlainNumber). Number() alone also takes hex (0x1F), binary and
 * octal literals, "Infinity" and blank text, which nobody means as a seed, a limit or a port.
 */
// validate.js, not the folder's index: the index loads the schemas (typebox) too, and every command reads numbers.
import { isPlainNumber } from '../diamond/validate.js';
import { CliError, EXIT_USAGE } from './output.js';

export interface NumberRule {
  /** Whole numbers only. */
  whole?: boolean;
  /** The smallest allowed. */
  min?: number;
  /** Allowed only above this (a limit of 0 would mean nothing). */
  above?: number;
  /** The largest allowed. */
  max?: number;
}

/**
 * The number `text` spells (surrounding spaces ignored) if it is a plain decimal that keeps `rule`, else
 * undefined: the caller says what is allowed, naming the option or variable the text came from.
 */
export function plainNumber(text: string, rule: NumberRule = {}): number | undefined {
  const trimmed = text.trim();
  if (!isPlainNumber(trimmed)) return undefined;
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return undefined;
  if (rule.whole && !Number.isInteger(n)) return undefined;
  if (rule.min !== undefined && n < rule.min) return undefined;
  if (rule.above !== undefined && !(n > rule.above)) return undefined;
  if (rule.max !== undefined && n > rule.max) return undefined;
  // "-0" is 0: a seed or a count written so is no different
  return n === 0 ? 0 : n;
}

/**
 * The carat limit, from `source` (--max-carat, or LOUPE_MAX_CARAT when the option is not given): the heaviest stone
 * Loupe prices, a number of carats above 0; undefined when not set.
 */
export function parseMaxCarat(text: string | undefined, source = 'LOUPE_MAX_CARAT'): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = plainNumber(text, { above: 0 });
  if (value === undefined)
    throw new CliError(
      `the carat limit (${source}) must be a number of carats above 0, such as 7.5, not "${text}"`,
      EXIT_USAGE,
    );
  return value;
}
