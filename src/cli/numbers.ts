/**
 * Numbers given to commands — options and the environment variables beside them — read one way: as a plain
 * decimal, the form row values take (src/diamond plainNumber, which reads the pipeline's variables too). Number()
 * alone also takes hex (0x1F), binary and octal literals, "Infinity" and blank text, which nobody means as a seed,
 * a limit or a port.
 */
// validate.js, not the folder's index: the index loads the schemas (typebox) too, and every command reads numbers.
import { plainNumber } from '../diamond/validate.js';
import { CliError, EXIT_USAGE } from './output.js';

export { plainNumber, type NumberRule } from '../diamond/validate.js';

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
