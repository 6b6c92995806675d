/**
 * Vitest setup file (vitest.config.ts): one seed policy for every fast-check property in the suite.
 * - In CI (`process.env.CI` set) every property runs with the fixed seed CI_SEED, so a CI run is repeatable and
 *   cannot fail on one run and pass on the next.
 * - Elsewhere each run draws a random seed, to keep finding new cases; when a property fails, fast-check's error
 *   names the seed and the path of the counterexample (`{ seed: …, path: "…" }`).
 * - `FC_SEED=N` replays a seed, in CI or not. A property that sets its own `seed` keeps it.
 */
import fc from 'fast-check';

export const CI_SEED = 20_261_204;

/** The seed the properties run with (undefined: a random one, fast-check's default). */
export function propertySeed(env: Record<string, string | undefined>): number | undefined {
  const given = env.FC_SEED?.trim();
  if (given) {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${given}"`);
    return seed | 0;
  }
  return env.CI ? CI_SEED : undefined;
}

const seed = propertySeed(process.env);
if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
