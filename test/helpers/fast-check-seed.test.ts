import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CI_SEED, propertySeed } from './fast-check-seed.js';

describe('the seed of property tests', () => {
  it('is fixed in CI, random elsewhere, and FC_SEED replays one', () => {
    expect(propertySeed({ CI: 'true' })).toBe(CI_SEED);
    expect(propertySeed({})).toBeUndefined();
    expect(propertySeed({ FC_SEED: '-123' })).toBe(-123);
    expect(propertySeed({ CI: 'true', FC_SEED: '42' })).toBe(42);
    expect(() => propertySeed({ FC_SEED: 'abc' })).toThrow(/FC_SEED must be an integer/);
  });

  it('is what this very run uses (the setup file is registered in vitest.config.ts)', () => {
    expect(fc.readConfigureGlobal().seed).toBe(propertySeed(process.env));
  });

  it('is repeatable: two runs of a property see the same values under the configured seed', () => {
    const seen = (): number[] => {
      const values: number[] = [];
      fc.assert(
        fc.property(fc.integer(), (v) => void values.push(v)),
        { numRuns: 20, seed: propertySeed({ CI: 'true' }) },
      );
      return values;
    };
    expect(seen()).toEqual(seen());
  });

  it('is printed when a property fails, so a random failure can be replayed', () => {
    let message = '';
    try {
      fc.assert(
        fc.property(fc.integer(), (v) => v < 0),
        { numRuns: 5 },
      );
    } catch (err) {
      message = (err as Error).message;
    }
    const seed = /seed: (-?\d+)/.exec(message)?.[1];
    expect(seed, message).toBeDefined();
    // Replaying the printed seed fails the same way.
    expect(() =>
      fc.assert(
        fc.property(fc.integer(), (v) => v < 0),
        { numRuns: 5, seed: Number(seed) },
      ),
    ).toThrow(`seed: ${seed}`);
  });
});
