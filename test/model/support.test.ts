import { describe, expect, it } from 'vitest';
import { CLARITIES, COLORS, FIELDS } from '../../src/diamond/index.js';
import { createRng } from '../../src/engine/random.js';
import { comparableIn, comparableStones, comparableTable, supportHistogram } from '../../src/model/support.js';

describe('comparable stones looked up per model', () => {
  it('gives comparableStones for every carat bin, colour and clarity, at the edges of the grid too', () => {
    const rng = createRng(31);
    const { min, max } = FIELDS.carat;
    const logCarat = () => Math.exp(Math.log(min) + rng.nextFloat() * Math.log(max / min));
    const stones = Array.from({ length: 3000 }, () => ({
      carat: logCarat(),
      color: COLORS[rng.nextInt(COLORS.length)],
      clarity: CLARITIES[rng.nextInt(CLARITIES.length)],
    }));
    const h = supportHistogram(stones);
    const table = comparableTable(h);
    const carats = [min, max, 0.3, 1, 1.0001, 2.5, ...Array.from({ length: 200 }, logCarat)];
    let nonZero = 0;
    for (const carat of carats)
      for (const color of COLORS)
        for (const clarity of CLARITIES) {
          const probe = { carat, color, clarity };
          const n = comparableStones(h, probe);
          expect(comparableIn(table, probe)).toBe(n);
          if (n > 0) nonZero++;
        }
    expect(nonZero).toBeGreaterThan(carats.length * 40);
  });

  it('counts a grade off the scale as comparableStones does', () => {
    const h = supportHistogram([{ carat: 1, color: 'G', clarity: 'VS2' }]);
    const odd = { carat: 1, color: 'Z', clarity: 'VS2' } as unknown as Parameters<typeof comparableStones>[1];
    expect(comparableIn(comparableTable(h), odd)).toBe(comparableStones(h, odd));
  });
});
