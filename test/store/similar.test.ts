/**
 * Similar stones over all characteristics read a window around the stone (for each nearby combination of grades an
 * index range on carat, the other measurements checked from the index), not the whole table — and answer exactly what the whole table would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/engine/random.js';
import { CLARITIES, COLORS, CUTS } from '../../src/diamond/grades.js';
import type { Stone } from '../../src/diamond/index.js';
import { similarFinder, type SimilarFinder } from '../../src/store/similar.js';
import { testHome, type TestHome } from '../api/helpers.js';

let home: TestHome;
let finder: SimilarFinder;
beforeAll(async () => {
  home = await testHome({ promote: false });
  finder = similarFinder(home.db);
});
afterAll(() => home?.cleanup());

describe('similar stones, mode all', () => {
  it('seeks the grades and a carat range on the measurements index instead of scanning the table', () => {
    const plan = finder.windowPlan().join('\n');
    expect(plan).toMatch(
      /SEARCH diamonds USING (COVERING )?INDEX diamonds_by_measurements \(cut=\? AND color=\? AND clarity=\? AND carat>\? AND carat<\?\)/,
    );
    expect(plan).not.toMatch(/SCAN diamonds/);
  });

  it('answers exactly as a scan of the whole table, for typical stones and stones far from all others', () => {
    const rng = createRng(20261204);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rng.nextFloat() * list.length)];
    const stones: Stone[] = [];
    for (let k = 0; k < 120; k++) {
      const far = k % 6 === 0; // outside where the data is dense: the window must grow, up to the whole table
      const carat = far ? 0.2 + rng.nextFloat() * 9.5 : 0.3 + rng.nextFloat() * 1.7;
      const x = far ? 3 + rng.nextFloat() * 12 : 4 + rng.nextFloat() * 4;
      stones.push({
        carat: Math.round(carat * 100) / 100,
        cut: pick(CUTS),
        color: pick(COLORS),
        clarity: pick(CLARITIES),
        depth: far ? 45 + rng.nextFloat() * 30 : 59 + rng.nextFloat() * 4,
        table: far ? 45 + rng.nextFloat() * 30 : 54 + rng.nextFloat() * 5,
        x,
        y: x * (0.98 + rng.nextFloat() * 0.04),
        z: x * (far ? 0.3 + rng.nextFloat() * 0.5 : 0.61),
      } as Stone);
    }
    for (const [k, stone] of stones.entries()) {
      const n = [1, 5, 50][k % 3];
      const windowed = finder.find(stone, n, 'all');
      const scanned = finder.find(stone, n, 'all', { scan: true });
      expect(
        windowed.map((s) => s.id),
        JSON.stringify(stone),
      ).toEqual(scanned.map((s) => s.id));
      expect(windowed).toEqual(scanned);
    }
  });
});
