/**
 * Numbers given to commands (options, and the variables beside them) are read one way, as row values are: a plain
 * decimal. Hex, binary and octal literals, "Infinity" and blank text — all of which Number() takes — are a usage
 * error (exit 2) naming the option or variable, as is a number outside what it allows (src/cli/numbers.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plainNumber } from '../../src/cli/numbers.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-numeric-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plainNumber', () => {
  it.each([
    ['7', 7],
    [' 7 ', 7],
    ['7.5', 7.5],
    ['.5', 0.5],
    ['+3', 3],
    ['-1', -1],
    ['1e3', 1000],
    ['-0', 0],
  ])('reads %j as %d', (text, value) => {
    expect(plainNumber(text)).toBe(value);
  });

  it.each(['0x7', '0X1F', '0b101', '0o17', 'Infinity', '-Infinity', 'NaN', '', ' ', '1_000', '7a', '1,5', '1e999'])(
    'refuses %j',
    (text) => {
      expect(plainNumber(text)).toBeUndefined();
    },
  );

  it('keeps the rule: whole, at least, above, at most', () => {
    expect(plainNumber('2.5', { whole: true })).toBeUndefined();
    expect(plainNumber('2.0', { whole: true })).toBe(2);
    expect(plainNumber('0', { min: 1 })).toBeUndefined();
    expect(plainNumber('1', { min: 1 })).toBe(1);
    expect(plainNumber('0', { above: 0 })).toBeUndefined();
    expect(plainNumber('0.01', { above: 0 })).toBe(0.01);
    expect(plainNumber('1001', { max: 1000 })).toBeUndefined();
  });
});

describe('numeric options of every command', () => {
  const home = join(dir, 'home');
  it.each([
    [
      ['pipeline', 'run', '--home', home, '--trials', '0x8'],
      'loupe: --trials 0x8 is not a whole number from 1 to 1000\n',
    ],
    [
      ['pipeline', 'run', '--home', home, '--budget', '0x10'],
      'loupe: --budget 0x10 is not a number of milliseconds ≥ 0\n',
    ],
    [
      ['pipeline', 'runs', '--home', home, '--limit', '0x10'],
      'loupe: --limit 0x10 is not a whole number from 1 to 1000\n',
    ],
    [
      ['keys', 'create', '--home', home, '--name', 'n', '--rate', '0x10'],
      'loupe: --rate must be a whole number of requests per minute, at least 1, not "0x10"\n',
    ],
    [
      ['serve', '--home', home, '--port', '0x50'],
      'loupe: the port must be a whole number from 0 to 65535, not "0x50"\n',
    ],
    [
      ['serve', '--home', home, '--poll-ms', '0x100'],
      'loupe: the poll interval must be a whole number of ms from 10 to 3600000, not "0x100"\n',
    ],
  ])('%j: exit 2, one line', async (args, message) => {
    const r = await loupeInProcess(args as string[], { LOG_LEVEL: 'silent' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(message);
  });

  it('LOUPE_MAX_CARAT in hex is refused by loupe serve, naming the variable', async () => {
    const r = await loupeInProcess(['serve', '--home', home, '--port', '0'], { LOUPE_MAX_CARAT: '0x1' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'loupe: the carat limit (LOUPE_MAX_CARAT) must be a number of carats above 0, such as 7.5, not "0x1"\n',
    );
  });
});
