/**
 * Files that end before their first row, broken quoting, stray line breaks: each file either goes in with every
 * row accepted or rejected (accepted + rejected = rows) or fails as a whole with a message, and nothing throws.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreFullError, ingestFile, readAppraisals } from '../../src/ingest/index.js';
import { ingestIncoming } from '../../src/pipeline/incoming.js';
import { countDiamonds } from '../../src/store/diamonds.js';
import { listFiles } from '../../src/store/files.js';
import { listRejects } from '../../src/store/rejects.js';
import { sqliteIngestTarget } from '../../src/store/ingest-target.js';
import { FRESH, HEADER, REFERENCE, ROW_A, ROW_B, tempHome, type TempHome } from './helpers.js';

let home: TempHome;
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

/** Data rows 1..n of the reference file, as they stand. */
const referenceRows = (n: number): string[] =>
  readFileSync(REFERENCE, 'utf8')
    .split('\n')
    .slice(1, n + 1);

/** What each row became: 'ok' or its first reason code. */
async function outcomes(content: string): Promise<string[]> {
  const rows = await readAppraisals(home.file('t.csv', content));
  return rows.map((r) => (r.result.ok ? 'ok' : r.result.problems[0].code));
}

describe('a file that ends before its first row', () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['a header without a line feed', HEADER, /has a header but no rows/],
    ['a header ending in CR', `${HEADER}\r`, /has a header but no rows/],
    ['only CRs', '\r\r\r\r', /holds no text/],
    ['only a byte-order mark', '\uFEFF', /holds no text/],
    ['a byte-order mark and a header without a line feed', `\uFEFF${HEADER}`, /has a header but no rows/],
  ];
  it.each(cases)('%s fails as a whole with a message, storing nothing', async (_, content, message) => {
    const s = await ingestFile(home.db, home.file('short.csv', content));
    expect(s).toMatchObject({ status: 'failed', file: 'short.csv', rowsRead: 0 });
    expect(s.message).toMatch(message);
    expect(listFiles(home.db)).toEqual([]);
    expect(home.db.inTransaction).toBe(false);
  });

  it('in the landing folder: moves to failed/ with its report, and the files beside it go in', async () => {
    const incoming = join(home.dir, 'incoming');
    mkdirSync(incoming);
    writeFileSync(join(incoming, 'a-header-only.csv'), HEADER);
    writeFileSync(join(incoming, 'b-bom-only.csv'), '\uFEFF');
    writeFileSync(join(incoming, 'c-good.csv'), `${HEADER}\n${ROW_A}\n${ROW_B}\n`);
    const out = await ingestIncoming(sqliteIngestTarget(home.db), incoming);
    expect(out.map((o) => [o.file, o.status])).toEqual([
      ['a-header-only.csv', 'failed'],
      ['b-bom-only.csv', 'failed'],
      ['c-good.csv', 'ingested'],
    ]);
    expect(readdirSync(join(incoming, 'failed')).sort()).toEqual([
      'a-header-only.csv',
      'a-header-only.csv.report.json',
      'b-bom-only.csv',
      'b-bom-only.csv.report.json',
    ]);
    const report = JSON.parse(readFileSync(join(incoming, 'failed', 'a-header-only.csv.report.json'), 'utf8')) as {
      message: string;
    };
    expect(report.message).toMatch(/header but no rows/);
    expect(countDiamonds(home.db)).toBe(2);
  });
});

describe('a broken row costs that row only', () => {
  it('a stray opening quote does not swallow the rows after it', async () => {
    const good = referenceRows(12);
    const stray = good[0].replace(',Ideal,', ',"Ideal,');
    // A later quote would have closed the stray one, turning ten valid rows into one rejected row.
    const content = `${HEADER},note\n${stray},\n${good
      .slice(1, 11)
      .map((r) => `${r},`)
      .join('\n')}\n${good[11]},"a ""quoted"" note"\n`;
    expect(await outcomes(content)).toEqual(['malformed_row', ...Array(11).fill('ok')]);
    const s = await ingestFile(home.db, home.file('stray.csv', content));
    expect(s).toMatchObject({
      status: 'ingested',
      rowsRead: 12,
      accepted: 11,
      rejected: 1,
      byReason: { malformed_row: 1 },
    });
  });

  it('a stray quote near the top of a large file is one rejected row, not a record "longer than 65,536 characters"', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `1.1,Ideal,H,SI2,62.0,55.0,${4000 + i},6.61,6.65,4.11`);
    rows[1] = `"${rows[1]}`;
    const s = await ingestFile(home.db, home.file('stray-top.csv', `${HEADER}\n${rows.join('\n')}\n`));
    expect(s).toMatchObject({
      status: 'ingested',
      rowsRead: 3000,
      accepted: 2999,
      rejected: 1,
      byReason: { malformed_row: 1 },
    });
  });

  it('a quoted field still spans lines that are not whole rows', async () => {
    const rows = await readAppraisals(
      home.file('note.csv', `${HEADER},note\n${ROW_A},"first line\nsecond, line\nthird"\n${ROW_B},\n`),
    );
    expect(rows.map((r) => [r.line, r.result.ok])).toEqual([
      [2, true],
      [5, true],
    ]);
    expect(rows[0].extra.note).toBe('first line\nsecond, line\nthird');
  });

  it('a lone CR inside an LF file ends a row (as in CR and CRLF files), so two rows are not merged', async () => {
    expect(await outcomes(`${HEADER}\n${ROW_A}\r${ROW_B}\n`)).toEqual(['ok', 'ok']);
    const rows = await readAppraisals(home.file('cr.csv', `${HEADER}\r${ROW_A}\r${ROW_B}\r`));
    expect(rows.map((r) => [r.line, r.result.ok])).toEqual([
      [2, true],
      [3, true],
    ]);
  });

  it('keeps accepted + rejected = rows, stray quotes and CRs included', async () => {
    const good = referenceRows(40);
    const lines = good.map((r, i) => (i % 7 === 3 ? `"${r}` : i % 11 === 5 ? r.replace(',', ',"') : r));
    const content = `${HEADER}\n${lines.join('\n')}\n`;
    const s = await ingestFile(home.db, home.file('mixed.csv', content));
    expect(s.status).toBe('ingested');
    expect(s.rowsRead).toBe(40);
    expect(s.accepted + s.rejected).toBe(40);
  });
});

describe('a line longer than 65,536 characters', () => {
  /** The first 50 rows of 2026-10.csv with `long` as line 3. */
  const withLine = (long: string): string => {
    const lines = readFileSync(FRESH('2026-10'), 'utf8').split('\n').slice(0, 50);
    lines.splice(2, 0, long);
    return `${lines.join('\n')}\n`;
  };
  const tooLong = 'Line 3 is longer than 65,536 characters, the most one row may have, so it was not read.';

  it.each([70_000, 131_000])(
    'of %i characters without a quote is one rejected row, and the rows after it go in',
    async (length) => {
      const s = await ingestFile(home.db, home.file(`long${length}.csv`, withLine('x'.repeat(length))));
      expect(s).toMatchObject({ status: 'ingested', rowsRead: 50, accepted: 49, rejected: 1 });
      expect(s.byReason).toMatchObject({ malformed_row: 1 });
      const [reject] = listRejects(home.db);
      expect(reject).toMatchObject({ line: 3, reason: 'malformed_row', reasons: [{ message: tooLong }] });
      // What is kept of it is bounded: its first 65,536 characters.
      expect(reject.rawText).toBe('x'.repeat(65_536));
    },
  );

  it('with a quoted field that is closed is one rejected row', async () => {
    const s = await ingestFile(home.db, home.file('quoted.csv', withLine(`1.0,"${'z'.repeat(70_000)}",G,SI1,,,,,,`)));
    expect(s).toMatchObject({ status: 'ingested', rowsRead: 50, accepted: 49, rejected: 1 });
    expect(listRejects(home.db)[0].reasons[0].message).toBe(tooLong);
  });

  it('in a quote opened and never closed over lines fails the file with the quote message', async () => {
    const open = `1.0,"Ideal${'q'.repeat(70_000)}\nnot a row\nnor this`;
    const s = await ingestFile(home.db, home.file('open.csv', withLine(open)));
    expect(s).toMatchObject({ status: 'failed', rowsRead: 0 });
    expect(s.message).toBe(
      'the record starting on line 3 is longer than 65,536 characters; a quote (") was probably opened and never closed',
    );
    expect(listFiles(home.db)).toEqual([]);
  });

  it('as the header fails the file, saying so', async () => {
    const s = await ingestFile(home.db, home.file('wide.csv', `${HEADER}${',x'.repeat(40_000)}\n${ROW_A}\n`));
    expect(s).toMatchObject({ status: 'failed' });
    expect(s.message).toBe('the header (line 1) is longer than 65,536 characters, the most one row may have');
  });

  it('in the landing folder: the file goes in, not to failed/', async () => {
    const incoming = join(home.dir, 'incoming');
    mkdirSync(incoming);
    writeFileSync(join(incoming, 'long.csv'), withLine('x'.repeat(131_000)));
    const out = await ingestIncoming(sqliteIngestTarget(home.db), incoming);
    expect(out.map((o) => [o.file, o.status])).toEqual([['long.csv', 'ingested']]);
    expect(countDiamonds(home.db)).toBe(49);
  });
});

describe('files that are not what they seem', () => {
  it('a FIFO fails at once as "a named pipe", instead of blocking forever', async () => {
    const fifo = join(home.dir, 'pipe.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const s = await ingestFile(home.db, fifo);
    expect(s).toMatchObject({ status: 'failed', file: 'pipe.csv' });
    expect(s.message).toMatch(/is a named pipe \(FIFO\), not a file/);
  }, 20_000);

  it('a symlink in a loop, or to nothing, fails saying which', async () => {
    symlinkSync('loop-b.csv', join(home.dir, 'loop-a.csv'));
    symlinkSync('loop-a.csv', join(home.dir, 'loop-b.csv'));
    symlinkSync(join(home.dir, 'nowhere.csv'), join(home.dir, 'dangling.csv'));
    const loop = await ingestFile(home.db, join(home.dir, 'loop-a.csv'));
    expect(loop).toMatchObject({ status: 'failed', file: 'loop-a.csv' });
    expect(loop.message).toBe('is a symbolic link in a loop (it leads back to itself), not a file');
    const dangling = await ingestFile(home.db, join(home.dir, 'dangling.csv'));
    expect(dangling).toMatchObject({ status: 'failed', file: 'dangling.csv' });
    expect(dangling.message).toBe('is a symbolic link to a file that does not exist');
    expect((await ingestFile(home.db, join(home.dir, 'absent.csv'))).message).toBe('no such file');
  });

  it("a symlink to a file that is not CSV fails without echoing that file's first line", async () => {
    const secret = home.file('secret.txt', 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1\n');
    const link = join(home.dir, 'link.csv');
    symlinkSync(secret, link);
    const s = await ingestFile(home.db, link);
    expect(s.status).toBe('failed');
    expect(s.message).toMatch(/first line has no comma, so this does not look like a CSV file/);
    expect(s.message).not.toMatch(/root/);
  });

  it('a header of many or long column names is shown cut short', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `column_${i}_${'x'.repeat(40)}`);
    const s = await ingestFile(
      home.db,
      home.file('wide.csv', `${names.join(',')}\n${names.map(() => '1').join(',')}\n`),
    );
    expect(s.message).toMatch(/found: column_0_x+…, .* and 18 more; required/);
    expect(s.message!.length).toBeLessThan(800);
  });

  it.each([
    [
      'with a byte-order mark',
      Buffer.from(`\uFEFF${HEADER}\n${ROW_A}\n`, 'utf16le'),
      /UTF-16 \(little-endian, with a byte-order mark\)/,
    ],
    ['without one', Buffer.from(`${HEADER}\n${ROW_A}\n`, 'utf16le'), /UTF-16 \(little-endian\)/],
    [
      'big-endian',
      Buffer.from(`\uFEFF${HEADER}\n`, 'utf16le').swap16(),
      /UTF-16 \(big-endian, with a byte-order mark\)/,
    ],
  ])('UTF-16 text (%s) is called UTF-16, with what to do', async (_, content, kind) => {
    const s = await ingestFile(home.db, home.file('excel.csv', content));
    expect(s.status).toBe('failed');
    expect(s.message).toMatch(kind);
    expect(s.message).toMatch(/save it as "CSV UTF-8".*iconv -f UTF-16 -t UTF-8/);
  });

  it('an extra column named __proto__ is kept like any other', async () => {
    const rows = await readAppraisals(home.file('proto.csv', `${HEADER},__proto__,constructor\n${ROW_A},x,y\n`));
    expect(Object.entries(rows[0].extra)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
    await ingestFile(home.db, home.file('proto2.csv', `${HEADER},__proto__\n${ROW_B},kept\n`));
    const stored = home.db.prepare('SELECT extra FROM diamonds').get() as { extra: string };
    expect(stored.extra).toBe('{"__proto__":"kept"}');
  });
});

describe('a full disk', () => {
  it('says "the disk is full", stores nothing of the file and leaves no transaction open (SQLite max_page_count)', async () => {
    const pages = home.db.pragma('page_count', { simple: true }) as number;
    home.db.pragma(`max_page_count = ${pages + 8}`);
    const rows = Array.from({ length: 20_000 }, (_, i) => `1.1,Ideal,H,SI2,62.0,55.0,${4000 + i},6.61,6.65,4.11`);
    const err = await ingestFile(home.db, home.file('big.csv', `${HEADER}\n${rows.join('\n')}\n`)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreFullError);
    expect((err as Error).message).toBe(
      'the disk is full: big.csv could not be stored (nothing of it was kept); free some space and ingest it again',
    );
    expect(home.db.inTransaction).toBe(false);
    expect(countDiamonds(home.db)).toBe(0);
    expect(listFiles(home.db)).toEqual([]);
    // Once there is room again, the same file goes in.
    home.db.pragma('max_page_count = 1073741823');
    expect(await ingestFile(home.db, home.file('big.csv', `${HEADER}\n${rows.join('\n')}\n`))).toMatchObject({
      status: 'ingested',
      accepted: 20_000,
    });
  });
});
