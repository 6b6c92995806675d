import { spawnSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cliArgv } from '../helpers/cli-js.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import type { Stone } from '../../src/diamond/index.js';
import { readAppraisals } from '../../src/ingest/index.js';
import {
  loadValuer,
  MAX_MODEL_FILE_BYTES,
  serializeArtifact,
  trainModel,
  type LoadedModel,
} from '../../src/model/index.js';
import { REFERENCE } from '../ingest/helpers.js';
import { STONE_A } from '../helpers/stones.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

const ROOT = join(import.meta.dirname, '../..');

/**
 * Runs the loupe command line in a child process, as a user would: for the tests of what the process boundary
 * shows (its exit status, its stdout and stderr); the others run the same program in this process.
 */
function loupeProcess(args: string[]) {
  const r = spawnSync(process.execPath, cliArgv(...args), {
    cwd: ROOT,
    encoding: 'utf8',
    // Only ends a child that hangs (a bug: reading a FIFO blocks until a writer comes), so that the test fails.
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A minimal CSV reader for the output (fields may be quoted, with doubled quotes; no line breaks inside). */
function parseLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (line[q + 1] === '"') {
          v += line.slice(j, q + 1);
          j = q + 2;
        } else {
          v += line.slice(j, q);
          i = q + 2;
          break;
        }
      }
      out.push(v);
    } else {
      const c = line.indexOf(',', i);
      const end = c === -1 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

/** The same program in this process (test/helpers/cli-in-process.ts). */
async function loupe(args: string[]) {
  const r = await loupeInProcess(args);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function table(csv: string): Array<Record<string, string>> {
  const [header, ...lines] = csv.trimEnd().split('\n').map(parseLine);
  return lines.map((fields) => Object.fromEntries(header.map((h, i) => [h, fields[i]])));
}

vi.setConfig({ testTimeout: 180_000 });

let dir: string;
let modelPath: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-predict-'));
  const rows = (await readAppraisals(REFERENCE)).flatMap((r) => (r.result.ok ? [r.result.value] : [])).slice(0, 1500);
  // The command's output is compared with this model's own prices and ranges: a difficulty model of 30 trees (not
  // 300) keeps it quick.
  const text = serializeArtifact(
    trainModel(rows, { kind: 'hedonic', seed: 7, difficultyTrees: SMALL_DIFFICULTY_TREES }),
  );
  modelPath = join(dir, 'hedonic-test.json');
  writeFileSync(modelPath, text);
  model = loadValuer(text, 'hedonic-test.json');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD_1: Stone = {
  carat: 0.9,
  cut: 'Ideal',
  color: 'G',
  clarity: 'VS2',
  depth: 61.8,
  table: 57,
  x: 6.2,
  y: 6.24,
  z: 3.84,
};
/** The reference file's second stone (test/helpers/stones.ts), without its price. */
const { price: _price, ...GOOD_2 } = STONE_A;

describe('loupe predict', () => {
  it('writes the input columns as they stood plus price, price_low and price_high; a bad row gets an error and the run goes on', () => {
    const input = join(dir, 'stones.csv');
    writeFileSync(
      input,
      'stone_id,carat,cut,color,clarity,depth,table,x,y,z\n' +
        'S-1,0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n' +
        'S-2,"0,5",Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n' +
        'S-3,1.1,Ideal,H,SI2,62.0,55,6.61,6.65,4.11\n',
    );
    const r = loupeProcess(['predict', '--model', modelPath, input]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      'stone_id,carat,cut,color,clarity,depth,table,x,y,z,price,price_low,price_high,range_withheld,error,notes',
    );
    // Input columns are copied exactly, quoting included.
    expect(lines[2].startsWith('S-2,"0,5",Ideal,G,VS2,61.8,57,6.2,6.24,3.84,,,,,')).toBe(true);
    const rows = table(r.stdout);
    expect(rows.map((row) => row.stone_id)).toEqual(['S-1', 'S-2', 'S-3']);
    for (const [row, stone] of [
      [rows[0], GOOD_1],
      [rows[2], GOOD_2],
    ] as const) {
      const p = model.price(stone, 0.9);
      expect(row).toMatchObject({
        price: String(Math.round(p.price)),
        price_low: String(Math.round(p.range!.low)),
        price_high: String(Math.round(p.range!.high)),
        error: '',
      });
      expect(Number(row.price_low)).toBeLessThan(Number(row.price));
      expect(Number(row.price_high)).toBeGreaterThan(Number(row.price));
    }
    expect(rows[1]).toMatchObject({ price: '', price_low: '', price_high: '' });
    expect(rows[1].error).toBe(
      'Carat "0,5" is not a number; probably meant 0.5 (with a decimal point instead of a comma).',
    );
  });

  it('reads grades in any letter case and says so in a notes column, and in the summary', async () => {
    const input = join(dir, 'lenient.csv');
    writeFileSync(
      input,
      'carat,cut,color,clarity,depth,table,x,y,z\n' +
        '0.9,ideal,g,VS2,61.8,57,6.2,6.24,3.84\n' +
        '0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84\n' +
        '0.9, very good ,G,vs2,-1,57,6.2,6.24,3.84\n',
    );
    const r = await loupe(['predict', '--model', modelPath, input]);
    expect(r.code).toBe(0);
    const rows = table(r.stdout);
    // priced the same as the canonical spelling, with what was read said beside it
    expect(rows[0].price).toBe(rows[1].price);
    expect(rows[0].notes).toBe(
      'Cut "ideal" was read as Ideal (grades are matched whatever their letter case and spacing). ' +
        'Colour "g" was read as G (grades are matched whatever their letter case and spacing).',
    );
    expect(rows[1].notes).toBe('');
    // a row that fails for another reason still says what was read
    expect(rows[2].error).toMatch(/Depth/);
    expect(rows[2].notes).toMatch(/^Cut " very good " was read as Very Good .*Clarity "vs2" was read as VS2/);
    const out = join(dir, 'lenient-priced.csv');
    const summary = await loupe(['predict', '--model', modelPath, '--out', out, input]);
    expect(summary.stdout).toMatch(/2 with a grade read leniently \(see notes\)/);
    expect(
      JSON.parse((await loupe(['predict', '--model', modelPath, '--out', out, '--json', input])).stdout),
    ).toMatchObject({
      rows: 3,
      normalised: 2,
    });
  });

  it('values stones from their 4Cs alone (no measurement columns, or five empty cells) and says why a range is withheld', async () => {
    const input = join(dir, 'four-cs.csv');
    // heavier than any training stone, within the carat limit
    const heavy = Math.round(model.artifact.trainingData.ranges.carat![1] * 120) / 100;
    writeFileSync(
      input,
      'carat,cut,color,clarity,depth,table,x,y,z\n' +
        '0.9,Ideal,G,VS2,,,,,\n' +
        '0.9,Ideal,G,VS2,61.8,,6.2,6.24,3.84\n' +
        `${heavy},Premium,D,IF,,,,,\n`,
    );
    const r = await loupe(['predict', '--model', modelPath, input]);
    expect(r.stderr).toBe('');
    const rows = table(r.stdout);
    const fourCs = model.price({ carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2' }, 0.9);
    expect(rows[0]).toMatchObject({
      price: String(Math.round(fourCs.price)),
      price_low: String(Math.round(fourCs.range!.low)),
      price_high: String(Math.round(fourCs.range!.high)),
      range_withheld: '',
      error: '',
    });
    expect(rows[1]).toMatchObject({ price: '', price_low: '', price_high: '' });
    expect(rows[1].error).toMatch(/Table is missing: give all five measurements/);
    // beyond the data (heavier than any training stone): a price, no range, and the reason beside it
    expect(rows[2].price).not.toBe('');
    expect(rows[2]).toMatchObject({ price_low: '', price_high: '', error: '' });
    expect(rows[2].range_withheld).toMatch(/^No range: the stone is beyond the data/);
    const headerOnly4Cs = join(dir, 'four-cs-columns.csv');
    writeFileSync(headerOnly4Cs, 'clarity,color,cut,carat\nVS2,G,Ideal,0.9\n');
    const only = table((await loupe(['predict', '--model', modelPath, headerOnly4Cs])).stdout);
    expect(only[0]).toMatchObject({ price: String(Math.round(fourCs.price)), error: '' });
  });

  it('reads a BOM, CRLF, any column order and a price column (carried along; the added columns become loupe_*); --coverage and --out', async () => {
    const input = join(dir, 'messy.csv');
    writeFileSync(
      input,
      '\uFEFFz,y,x,table,depth,clarity,color,cut,carat,price,note\r\n' +
        '3.84,6.2,6.24,57,61.8,VS2,G,ideal,0.9,4100,"first, quoted ""stone"""\r\n' +
        '3.84,6.2,6.24,57,61.8,VS2,G,Ideal\r\n',
    );
    const wide = await loupe(['predict', '--model', modelPath, '--coverage', '0.95', input]);
    const out = join(dir, 'priced.csv');
    const narrow = await loupe(['predict', '--model', modelPath, '--coverage', '0.8', '--out', out, '--json', input]);
    expect([wide.code, narrow.code]).toEqual([0, 0]);
    expect(JSON.parse(narrow.stdout)).toEqual({
      input: 'messy.csv',
      rows: 2,
      priced: 1,
      errors: 1,
      normalised: 1,
      out,
      model: 'hedonic-test.json',
      coverage: 0.8,
    });
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe(
      'z,y,x,table,depth,clarity,color,cut,carat,price,note,loupe_price,loupe_price_low,loupe_price_high,loupe_range_withheld,loupe_error,loupe_notes',
    );
    const [w, n] = [table(wide.stdout), table(text)];
    expect(n[0]).toMatchObject({
      price: '4100',
      note: 'first, quoted "stone"',
      loupe_price: String(Math.round(model.price(GOOD_1).price)),
    });
    expect(Number(w[0].loupe_price_high) - Number(w[0].loupe_price_low)).toBeGreaterThan(
      Number(n[0].loupe_price_high) - Number(n[0].loupe_price_low),
    );
    expect(n[1].loupe_price).toBe('');
    expect(n[1].loupe_error).toMatch(/^Line 3 has 8 fields but the header has 11/);
  });

  it('--out naming standard output (through a link, as /dev/stdout is) writes the CSV there, the summary on stderr', () => {
    const input = join(dir, 'to-stdout.csv');
    writeFileSync(input, 'carat,cut,color,clarity\n0.9,Ideal,G,VS2\n');
    const link = join(dir, 'stdout-link');
    symlinkSync('/proc/self/fd/1', link);
    const r = loupeProcess(['predict', '--model', modelPath, '--out', link, input]);
    expect(r.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const price = String(Math.round(model.price({ carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2' }).price));
    expect(table(r.stdout)).toEqual([expect.objectContaining({ carat: '0.9', price, error: '' })]);
    expect(r.stderr).toBe(`to-stdout.csv: 1 rows, 1 priced, 0 with an error (see the error column) → ${link}\n`);
  });

  it('never writes two columns of one name: a file priced before is priced again under the next free prefix', async () => {
    const input = join(dir, 'priced-0.csv');
    writeFileSync(input, 'Carat,CUT,Colour,clarity,price,Loupe_Price\n0.9,Ideal,G,VS2,100,5\n');
    const added = (prefix: string) =>
      ['price', 'price_low', 'price_high', 'range_withheld', 'error', 'notes'].map((c) => `${prefix}${c}`);
    const first = await loupe(['predict', '--model', modelPath, input]);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n')[0]).toBe(
      ['Carat', 'CUT', 'Colour', 'clarity', 'price', 'Loupe_Price', ...added('loupe2_')].join(','),
    );
    // pricing its own output again and again: each time a header Loupe reads, with the earlier columns kept
    let previous = input;
    const headers: string[] = [];
    for (let round = 1; round <= 3; round++) {
      const out = join(dir, `priced-${round}.csv`);
      const r = await loupe(['predict', '--model', modelPath, '--out', out, previous]);
      expect(r.code, r.stderr).toBe(0);
      const header = readFileSync(out, 'utf8').split('\n')[0].split(',');
      expect(new Set(header.map((h) => h.toLowerCase())).size).toBe(header.length);
      headers.push(header.slice(6).join(','));
      previous = out;
    }
    expect(headers).toEqual([
      added('loupe2_').join(','),
      [...added('loupe2_'), ...added('loupe3_')].join(','),
      [...added('loupe2_'), ...added('loupe3_'), ...added('loupe4_')].join(','),
    ]);
  });

  it('refuses an input without a required column (exit 1) and leaves no output file', async () => {
    const input = join(dir, 'no-color.csv');
    writeFileSync(input, 'carat,cut,clarity,depth,table,x,y,z\n0.9,Ideal,VS2,61.8,57,6.2,6.24,3.84\n');
    const out = join(dir, 'never.csv');
    const r = await loupe(['predict', '--model', modelPath, '--out', out, input]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^loupe: no-color\.csv: required column color missing from the header/);
    expect(existsSync(out)).toBe(false);
  });

  it('neutralises formula-like cells of the input (header included) and keeps numbers, negative ones too', async () => {
    const input = join(dir, 'formulas.csv');
    writeFileSync(
      input,
      'carat,cut,color,clarity,depth,table,x,y,z,=cmd\n0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84,=HYPERLINK("http://evil.example")\n-1,Ideal,G,VS2,61.8,57,6.2,6.24,3.84,@SUM(1+1)\n',
    );
    const r = await loupe(['predict', '--model', modelPath, input]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `carat,cut,color,clarity,depth,table,x,y,z,"'=cmd",price,price_low,price_high,range_withheld,error,notes`,
    );
    expect(lines[1]).toMatch(
      /^0\.9,Ideal,G,VS2,61\.8,57,6\.2,6\.24,3\.84,"'=HYPERLINK\(""http:\/\/evil\.example""\)",\d+,\d+,\d+,,,$/,
    );
    expect(lines[2]).toMatch(/^-1,Ideal,G,VS2,61\.8,57,6\.2,6\.24,3\.84,"'@SUM\(1\+1\)",,,,,"?Carat -1/);
  });

  it('writes a line longer than 65,536 characters as a row with empty columns and its error, and goes on', async () => {
    const input = join(dir, 'long-line.csv');
    const header = 'stone_id,carat,cut,color,clarity,depth,table,x,y,z';
    const good = 'S-1,0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84';
    writeFileSync(input, `${header}\n${good}\n${'x'.repeat(131_000)}\n${good.replace('S-1', 'S-3')}\n`);
    const out = join(dir, 'long-line-priced.csv');
    const r = await loupe(['predict', '--model', modelPath, '--out', out, '--json', input]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 3, priced: 2, errors: 1 });
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe(
      `${','.repeat(9)},,,,,"Line 3 is longer than 65,536 characters, the most one row may have, so it was not read.",`,
    );
    expect(lines[3]).toMatch(/^S-3,0\.9,Ideal,G,VS2,61\.8,57,6\.2,6\.24,3\.84,\d+,\d+,\d+,,,$/);
  });

  it('writes a row of too many fields with its cells in order (the extra ones dropped), one not valid CSV with empty cells', async () => {
    const input = join(dir, 'malformed.csv');
    writeFileSync(
      input,
      'stone_id,carat,cut,color,clarity,depth,table,x,y,z\n' +
        'S-1,0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84,extra,=cmd\n' +
        'S-2,0.9,Ideal,G,VS2\n' +
        'S-3,0.9,"Ideal" cut,G,VS2,61.8,57,6.2,6.24,3.84\n',
    );
    const r = await loupe(['predict', '--model', modelPath, input]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(
      'S-1,0.9,Ideal,G,VS2,61.8,57,6.2,6.24,3.84,,,,,"Line 2 has 12 fields but the header has 10; a value probably contains a comma without being quoted (""…"").",',
    );
    expect(lines[2]).toMatch(/^S-2,0\.9,Ideal,G,VS2,,,,,,,,,,"?Line 3 has 5 fields but the header has 10/);
    expect(lines[3]).toMatch(/^,{9},,,,,"?Line 4 is not valid CSV: text follows the closing quote of field 3/);
  });

  it('refuses an input that ends before its first row with a message, not a crash (exit 1)', async () => {
    for (const [name, content] of [
      ['header-only.csv', 'carat,cut,color,clarity,depth,table,x,y,z'],
      ['bom-only.csv', '\uFEFF'],
    ]) {
      const input = join(dir, name);
      writeFileSync(input, content);
      const r = await loupe(['predict', '--model', modelPath, input]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`^loupe: ${name.replace('.', '\\.')}: (has a header but no rows|holds no text)`),
      );
      expect(r.stderr).not.toMatch(/ at /);
    }
  });

  it('refuses a truncated or foreign model file with the model layer’s message (exit 1)', async () => {
    const truncated = join(dir, 'truncated.json');
    const text = readFileSync(modelPath, 'utf8');
    writeFileSync(truncated, text.slice(0, Math.floor(text.length / 2)));
    const input = join(dir, 'stones.csv');
    const r = await loupe(['predict', '--model', truncated, input]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^loupe: model .*truncated\.json: model file is not valid JSON \(.*\); it may be truncated or corrupt/,
    );
    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, '{"format":"something-else"}');
    const f = await loupe(['predict', '--model', foreign, input]);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/not a Loupe model file/);
  });

  it('refuses a hand-edited model file whose kind or payload is wrong with one line (exit 1), not a stack trace', async () => {
    const input = join(dir, 'stones.csv');
    const artifact = JSON.parse(readFileSync(modelPath, 'utf8')) as Record<string, unknown>;
    for (const [name, edit, reason] of [
      ['other-kind.json', { kind: 'xgboost' }, /not a supported XGBoost model/],
      ['empty-payload.json', { model: {} }, /hedonic payload is not valid/],
      ['unknown-kind.json', { kind: 'magic' }, /unknown model kind "magic"/],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify({ ...artifact, ...edit }));
      const r = await loupe(['predict', '--model', file, input]);
      expect(r.code, name).toBe(1);
      expect(r.stdout, name).toBe('');
      expect(r.stderr, name).toMatch(new RegExp(`^loupe: model .*${name.replace('.', '\\.')}: [^\n]+\n$`));
      expect(r.stderr, name).toMatch(reason);
    }
  });

  it('refuses a model file whose training ranges are damaged with one line naming the field (exit 1)', async () => {
    const input = join(dir, 'stones.csv');
    const artifact = JSON.parse(readFileSync(modelPath, 'utf8')) as {
      trainingData: { ranges: Record<string, unknown> };
    };
    for (const [name, carat] of [
      ['carat-string.json', [0.2, 'x']],
      ['carat-null.json', null],
    ] as const) {
      const file = join(dir, name);
      const trainingData = { ...artifact.trainingData, ranges: { ...artifact.trainingData.ranges, carat } };
      writeFileSync(file, JSON.stringify({ ...artifact, trainingData }));
      const r = await loupe(['predict', '--model', file, input]);
      expect([r.code, r.stdout], name).toEqual([1, '']);
      expect(r.stderr, name).toBe(
        `loupe: model ${file}: model file has no valid training data: trainingData.ranges.carat is ${JSON.stringify(carat)}; expected [min, max], two numbers with min ≤ max\n`,
      );
    }
  });

  it('refuses a model file larger than a model file may be before reading it (exit 1), in one line', async () => {
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_MODEL_FILE_BYTES + 1); // sparse: its size is what counts
    const r = await loupe(['predict', '--model', huge, join(dir, 'stones.csv')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`loupe: model ${huge}: is 268,435,457 bytes; a model file may have at most 268,435,456\n`);
    rmSync(huge);
  });

  it('refuses a model path that is a FIFO, a folder or a device before opening it (exit 1), instead of hanging', () => {
    const fifo = join(dir, 'model-pipe.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const input = join(dir, 'stones.csv');
    for (const [path, what] of [
      [fifo, 'is a named pipe (FIFO), not a file'],
      [dir, 'is a directory, not a file'],
      ['/dev/null', 'is a device, not a file'],
    ]) {
      const r = loupeProcess(['predict', '--model', path, input]);
      expect([r.code, r.stdout], path).toEqual([1, '']);
      expect(r.stderr, path).toMatch(new RegExp(`^loupe: model ${path}: ${what.replace(/[()]/g, '\\$&')}[^\n]*\n$`));
    }
  });

  it('--out naming the input itself (its path, another path to it, a hard link) is a usage error; the input stays', async () => {
    const input = join(dir, 'own-out.csv');
    const text = 'carat,cut,color,clarity\n0.9,Ideal,G,VS2\n';
    writeFileSync(input, text);
    const hard = join(dir, 'own-out-hard.csv');
    linkSync(input, hard);
    const soft = join(dir, 'own-out-soft.csv');
    symlinkSync(input, soft);
    for (const out of [input, join(dir, '.', '..', basename(dir), 'own-out.csv'), hard, soft]) {
      const r = await loupe(['predict', '--model', modelPath, '--out', out, input]);
      expect(r.code, out).toBe(2);
      expect(r.stdout, out).toBe('');
      expect(r.stderr, out).toBe(
        `loupe: --out ${out} is the input file ${input}: writing it would replace the stones being priced; name another file\n`,
      );
      expect(readFileSync(input, 'utf8'), out).toBe(text);
    }
    // the same name in another folder is another file
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const r = await loupe(['predict', '--model', modelPath, '--out', join(elsewhere, 'own-out.csv'), input]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(input, 'utf8')).toBe(text);
  });

  it('usage errors exit 2: no --model, a coverage the model was not calibrated for, --json without --out', () => {
    const input = join(dir, 'stones.csv');
    expect(loupeProcess(['predict', input]).code).toBe(2);
    const c = loupeProcess(['predict', '--model', modelPath, '--coverage', '0.5', input]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--coverage must be one the model was calibrated for \(0\.9, 0\.8, 0\.95\), got "0\.5"/);
    expect(loupeProcess(['predict', '--model', modelPath, '--json', input]).code).toBe(2);
  });

  it('a carat limit or coverage that is not a plain decimal is a usage error naming where it came from', async () => {
    const input = join(dir, 'stones.csv');
    const limit = (source: string, text: string) =>
      `loupe: the carat limit (${source}) must be a number of carats above 0, such as 7.5, not "${text}"\n`;
    for (const text of ['0x1', '-1', 'Infinity']) {
      const r = await loupe(['predict', '--model', modelPath, '--max-carat', text, input]);
      expect([r.code, r.stderr], text).toEqual([2, limit('--max-carat', text)]);
    }
    const fromEnv = await loupeInProcess(['predict', '--model', modelPath, input], { LOUPE_MAX_CARAT: '-1' });
    expect([fromEnv.status, fromEnv.stderr]).toEqual([2, limit('LOUPE_MAX_CARAT', '-1')]);
    // the option wins over the variable, and is the one named
    const both = await loupeInProcess(['predict', '--model', modelPath, '--max-carat', '0x2', input], {
      LOUPE_MAX_CARAT: '7.5',
    });
    expect([both.status, both.stderr]).toEqual([2, limit('--max-carat', '0x2')]);
    const hex = await loupe(['predict', '--model', modelPath, '--coverage', '0x0', input]);
    expect(hex.code).toBe(2);
  });
});
