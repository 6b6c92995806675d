/**
 * The explanation's dollars as the web app shows them (web/src/appraise/shown-steps.ts): whole dollars that add up
 * to the shown price, every stone (hunt-web #12: rounded on their own they were $1–2 off in about half the stones).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Stone } from '../../src/diamond/index.js';
import { NUM_FACTORS } from '../../src/model/features.js';
import { tellExplanation } from '../../src/model/index.js';
import { shownSteps, wholeDollarShares } from '../../web/src/appraise/shown-steps.js';
import { STONE_A } from '../helpers/stones.js';

const stone: Stone = STONE_A;
const logContribution = fc.double({ min: -3, max: 4, noNaN: true });
const contributions = fc.array(logContribution, { minLength: NUM_FACTORS, maxLength: NUM_FACTORS });

describe('shownSteps', () => {
  it('adds up: the typical price plus the shown shares is the quoted price, and each share is within $1', () => {
    fc.assert(
      fc.property(contributions, fc.double({ min: 5, max: 10, noNaN: true }), (c, base) => {
        const e = tellExplanation(stone, base, c);
        const quoted = Math.round(e.price);
        const shown = shownSteps(e, quoted);
        const sum = shown.reduce((t, s) => t + s.share, Math.round(e.typicalPrice));
        expect(sum).toBe(quoted);
        expect(shown.at(-1)!.runningTotal).toBe(quoted);
        shown.forEach((s, i) => {
          expect(Number.isInteger(s.share)).toBe(true);
          expect(Math.abs(s.share - e.steps[i].dollars)).toBeLessThan(1);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the running totals as typical + the shares so far', () => {
    const e = tellExplanation(stone, Math.log(2403), [0.5, 0.03, -0.1, -0.2, 0.01]);
    const shown = shownSteps(e, Math.round(e.price));
    let running = Math.round(e.typicalPrice);
    for (const s of shown) {
      running += s.share;
      expect(s.runningTotal).toBe(running);
    }
  });
});

describe('wholeDollarShares', () => {
  it('gives the dollars left over to the shares that lost most to rounding down', () => {
    expect(wholeDollarShares([99.4, -813.4, 10.6, 0.5], -703)).toEqual([99, -813, 11, 0]);
  });

  it('spreads a total further off a dollar at a time, either way', () => {
    const up = wholeDollarShares([1.2, 2.7, 3.1], 20);
    expect(up.reduce((a, b) => a + b)).toBe(20);
    const down = wholeDollarShares([1.2, 2.7, 3.1], -4);
    expect(down.reduce((a, b) => a + b)).toBe(-4);
  });
});
