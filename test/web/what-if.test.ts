/** What-if steps (web/src/appraise/what-if.ts) against the served model's carat limit (hunt-web #13). */
import { describe, expect, it } from 'vitest';
import type { FourCs } from '../../src/diamond/index.js';
import { nudge } from '../../web/src/appraise/what-if.js';

const stone: FourCs = { carat: 6.15, cut: 'Ideal', color: 'G', clarity: 'VS2' };

describe('nudge carat', () => {
  it("offers no +0.1 ct step past the served model's limit", () => {
    expect(nudge(stone, 'carat', 1, 6.2)).toBeUndefined();
    expect(nudge({ ...stone, carat: 6.1 }, 'carat', 1, 6.2)).toMatchObject({ carat: 6.2 });
    expect(nudge(stone, 'carat', -1, 6.2)).toMatchObject({ carat: 6.05 });
  });

  it("falls back to the schema's bound when the limit is not known", () => {
    expect(nudge(stone, 'carat', 1)).toMatchObject({ carat: 6.25 });
    expect(nudge({ ...stone, carat: 9.95 }, 'carat', 1)).toBeUndefined();
  });
});
