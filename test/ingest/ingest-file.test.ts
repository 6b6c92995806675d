import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestFile } from '../../src/ingest/index.js';
import { countDiamonds, listAppraisals } from '../../src/store/diamonds.js';
import { listFiles } from '../../src/store/files.js';
import { listRejects } from '../../src/store/rejects.js';
import { FRESH, HEADER, REFERENCE, ROW_A, ROW_B, tempHome, type TempHome } from './helpers.js';
import { STONE_A } from '../helpers/stones.js';

let home: TempHome;
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

/** Line → primary reason code of every rejected row of a file, as stored. */
function rejectedLines(fileName: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const r of listRejects(home.db)) if (r.fileName === fileName) out[r.line] = r.reason;
  return out;
}

describe('the reference file', () => {
  it('ingests to exactly its 4,984 valid rows, every other row rejected with its reason', async () => {
    const s = await ingestFile(home.db, REFERENCE);
    // 5,000 rows read. Rejected (found independently with Python's csv module and the schema's rules):
    //   10 placeholder prices of -1 (lines 333, 2123, 2486, 2935, 3157, 3319, 3447, 3906, 3982, 4190) → out_of_range
    //    1 row with x = y = z = 0 (line 4323) → out_of_range
    //    4 rows whose depth or carat contradicts x, y, z (lines 1115, 1778, 1891, 3067) → implausible_geometry
    //    1 exact duplicate (line 4945 repeats line 2431) → duplicate
    // 5,000 − 10 − 1 − 4 − 1 = 4,984 accepted.
    expect(s).toMatchObject({ status: 'ingested', rowsRead: 5000, accepted: 4984, rejected: 16, normalised: 0 });
    expect(s.byReason).toEqual({ out_of_range: 11, implausible_geometry: 4, duplicate: 1 });
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rejectedLines('diamonds.csv')).toEqual({
      333: 'out_of_range',
      2123: 'out_of_range',
      2486: 'out_of_range',
      2935: 'out_of_range',
      3157: 'out_of_range',
      3319: 'out_of_range',
      3447: 'out_of_range',
      3906: 'out_of_range',
      3982: 'out_of_range',
      4190: 'out_of_range',
      4323: 'out_of_range',
      1115: 'implausible_geometry',
      1778: 'implausible_geometry',
      1891: 'implausible_geometry',
      3067: 'implausible_geometry',
      4945: 'duplicate',
    });
    const dup = listRejects(home.db).find((r) => r.line === 4945)!;
    expect(dup.reasons[0].message).toMatch(/^Duplicate of line 2431 of this file/);
    expect(dup.rawText).toBe('0.31,Premium,E,VS2,61.6,59.0,872,4.35,4.32,2.67');
    expect(countDiamonds(home.db)).toBe(4984);
    const stored = listAppraisals(home.db);
    expect(stored[0]).toEqual({
      id: 1,
      fileId: 1,
      line: 2,
      ...STONE_A,
    });
    expect(stored.map((d) => d.id)).toEqual([...stored.map((d) => d.id)].sort((a, b) => a - b));
    expect(listFiles(home.db)).toMatchObject([
      {
        name: 'diamonds.csv',
        rowsRead: 5000,
        accepted: 4984,
        rejected: 16,
        status: 'ingested',
        header: HEADER,
        sha256: s.sha256,
      },
    ]);
  });

  it('adds nothing when ingested again, and says when it was first ingested', async () => {
    await ingestFile(home.db, REFERENCE);
    const again = await ingestFile(home.db, REFERENCE);
    expect(again).toMatchObject({ status: 'already_ingested', rowsRead: 0, accepted: 0, rejected: 0 });
    expect(again.message).toMatch(/^already ingested on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(file #1\); nothing added$/);
    expect(countDiamonds(home.db)).toBe(4984);
    expect(listRejects(home.db)).toHaveLength(16);
    expect(listFiles(home.db)).toHaveLength(1);
  });
});

/**
 * Every defect of the November batch, found independently (Python csv module + the schema's rules), by line:
 *   decimal commas: carat "0,51" (54), "0,95" (1656), "0,76" (1997)                  → not_a_number
 *   dollar prices: "$3548" (1296), "$1815" (1303)                                      → not_a_number
 *   unknown cut "Excellent" (132, 1871); colour K (560, 820, 1995)                      → unknown_grade
 *   carat typed in points: 36.0 (185), 59.0 (360)                                      → out_of_range
 *   zero length x = 0 (240, 346, 1123); placeholder price -1 (417, 562, 773, 1800)      → out_of_range
 *   missing price (250, 271, 678, 1144, 1256); missing depth (675, 1431, 1622)         → missing
 *   implausible geometry: depth 62.6 and carat 1.22 against 6.79 × 4.24 × 3.76 mm (538) → implausible_geometry
 *   duplicates within the file: 274=124, 680=569, 748=522, 1004=855, 1009=137, 1629=463 → duplicate
 *   and, when the reference file is already stored, two rows equal to it: 447 = diamonds.csv 413, 566 = diamonds.csv 274.
 * Lowercase cuts (8 rows: 146, 959, 1023, 1079, 1364, 1449, 1530, 1980) and padded clarities (6 rows: 177, 301, 371,
 * 1054, 1184, 1716) are normalised and accepted: 14 normalised rows.
 */
const NOVEMBER_DEFECTS: Record<number, string> = {
  54: 'not_a_number',
  1656: 'not_a_number',
  1997: 'not_a_number',
  1296: 'not_a_number',
  1303: 'not_a_number',
  132: 'unknown_grade',
  1871: 'unknown_grade',
  560: 'unknown_grade',
  820: 'unknown_grade',
  1995: 'unknown_grade',
  185: 'out_of_range',
  360: 'out_of_range',
  240: 'out_of_range',
  346: 'out_of_range',
  1123: 'out_of_range',
  417: 'out_of_range',
  562: 'out_of_range',
  773: 'out_of_range',
  1800: 'out_of_range',
  250: 'missing',
  271: 'missing',
  678: 'missing',
  1144: 'missing',
  1256: 'missing',
  675: 'missing',
  1431: 'missing',
  1622: 'missing',
  538: 'implausible_geometry',
  274: 'duplicate',
  680: 'duplicate',
  748: 'duplicate',
  1004: 'duplicate',
  1009: 'duplicate',
  1629: 'duplicate',
};

describe('the November batch (2026-11.csv)', () => {
  it('alone: 2,006 rows, 1,972 accepted (14 normalised), 34 rejected, every defect class found', async () => {
    const s = await ingestFile(home.db, FRESH('2026-11'));
    expect(s).toMatchObject({ status: 'ingested', rowsRead: 2006, accepted: 1972, rejected: 34, normalised: 14 });
    expect(s.byReason).toEqual({
      not_a_number: 5,
      unknown_grade: 5,
      out_of_range: 9,
      missing: 8,
      implausible_geometry: 1,
      duplicate: 6,
    });
    expect(rejectedLines('2026-11.csv')).toEqual(NOVEMBER_DEFECTS);
    const messages = Object.fromEntries(
      listRejects(home.db).map((r) => [r.line, r.reasons.map((p) => p.message).join(' | ')]),
    );
    expect(messages[54]).toMatch(/probably meant 0\.51 \(with a decimal point/);
    expect(messages[1296]).toMatch(/probably meant 3548 \(without the currency sign\)/);
    expect(messages[185]).toMatch(/probably meant as 0\.36 ct \(typed in points/);
    expect(messages[360]).toMatch(/probably meant as 0\.59 ct/);
    expect(messages[560]).toMatch(/Grade K is below J/);
    expect(messages[240]).toMatch(/0 mm, which means it was not measured/);
    expect(messages[417]).toMatch(/placeholder/);
    expect(messages[274]).toMatch(/^Duplicate of line 124 of this file/);
    // Extra columns are kept with the stored diamond.
    const extra = home.db.prepare('SELECT extra FROM diamonds WHERE line = 2').get() as { extra: string };
    expect(JSON.parse(extra.extra)).toEqual({ stone_id: 'FR-393536', appraised_on: '2026-11-10' });
    // Normalised grades are stored in their canonical spelling.
    const row146 = home.db.prepare('SELECT cut FROM diamonds WHERE line = 146').get() as { cut: string };
    const row177 = home.db.prepare('SELECT clarity FROM diamonds WHERE line = 177').get() as { clarity: string };
    expect([row146.cut, row177.clarity]).toEqual(['Premium', 'I1']);
  });

  it('after the reference file and the two earlier months: 1,970 accepted, 36 rejected (two more duplicates)', async () => {
    for (const path of [REFERENCE, FRESH('2026-09'), FRESH('2026-10')])
      expect((await ingestFile(home.db, path)).status).toBe('ingested');
    const s = await ingestFile(home.db, FRESH('2026-11'));
    expect(s).toMatchObject({ status: 'ingested', rowsRead: 2006, accepted: 1970, rejected: 36, normalised: 14 });
    expect(s.byReason).toEqual({
      not_a_number: 5,
      unknown_grade: 5,
      out_of_range: 9,
      missing: 8,
      implausible_geometry: 1,
      duplicate: 8,
    });
    expect(rejectedLines('2026-11.csv')).toEqual({ ...NOVEMBER_DEFECTS, 447: 'duplicate', 566: 'duplicate' });
    const dup = listRejects(home.db).find((r) => r.fileName === '2026-11.csv' && r.line === 447)!;
    expect(dup.reasons[0].message).toMatch(/^Duplicate of line 413 of diamonds\.csv/);
    // 4,984 + 1,997 + 1,996 + 1,970 diamonds in all.
    expect(countDiamonds(home.db)).toBe(4984 + 1997 + 1996 + 1970);
  });
});

describe('a file as a unit', () => {
  it('a whole-file failure changes nothing, and other files still proceed', async () => {
    const bad = home.file(
      'no-price.csv',
      'carat,cut,color,clarity,depth,table,x,y,z\n1.1,Ideal,H,SI2,62.0,55.0,6.61,6.65,4.11\n',
    );
    const s = await ingestFile(home.db, bad);
    expect(s).toMatchObject({ status: 'failed', file: 'no-price.csv', rowsRead: 0 });
    expect(s.message).toMatch(/required column price missing/);
    expect(listFiles(home.db)).toEqual([]);
    const good = await ingestFile(home.db, home.file('good.csv', `${HEADER}\n${ROW_A}\n${ROW_B}\n`));
    expect(good).toMatchObject({ status: 'ingested', accepted: 2 });
  });

  it('rolls back rows already stored when the file turns out bad further on (binary past the first chunk)', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `1.1,Ideal,H,SI2,62.0,55.0,${4000 + i},6.61,6.65,4.11`).join(
      '\n',
    );
    const path = home.file(
      'late-nul.csv',
      Buffer.concat([Buffer.from(`${HEADER}\n${rows}\n`), Buffer.from([0, 1, 2])]),
    );
    const s = await ingestFile(home.db, path);
    expect(s.status).toBe('failed');
    expect(s.message).toMatch(/NUL byte/);
    expect(countDiamonds(home.db)).toBe(0);
    expect(listFiles(home.db)).toEqual([]);
    expect(home.db.inTransaction).toBe(false);
  });

  it("rejects a row equal to an earlier file's row, naming that file and line", async () => {
    await ingestFile(home.db, home.file('first.csv', `${HEADER}\n${ROW_A}\n`));
    // The same diamond with other spelling: numbers written differently, grades in other case.
    const s = await ingestFile(
      home.db,
      home.file('second.csv', `${HEADER}\n${ROW_B}\n1.10,ideal,h,SI2,62,55,4733,6.610,6.65,4.11\n`),
    );
    expect(s).toMatchObject({ accepted: 1, rejected: 1, byReason: { duplicate: 1 } });
    expect(listRejects(home.db)[0].reasons[0].message).toMatch(/^Duplicate of line 2 of first\.csv/);
  });
});
