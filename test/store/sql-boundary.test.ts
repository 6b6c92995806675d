/**
 * All SQL lives in src/store/: the rest of Loupe calls the store's typed functions, so a second backend can stand
 * behind them. This test reads every other source file and fails on SQL text or on a call that hands SQL to the
 * driver (prepare, exec, pragma, transaction).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

/** What gives SQL away: a statement's keywords in capitals (as Loupe writes SQL), or a driver call that takes SQL. */
const SQL_PATTERNS: [string, RegExp][] = [
  ['SELECT … FROM', /\bSELECT\b[^;]*?\bFROM\b/],
  ['INSERT INTO', /\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b/],
  ['UPDATE … SET', /\bUPDATE\s+\w+\s+SET\b/],
  ['DELETE FROM', /\bDELETE\s+FROM\b/],
  ['CREATE/DROP', /\b(?:CREATE|DROP)\s+(?:TABLE|INDEX|VIEW|TRIGGER)\b/],
  ['transaction control', /\b(?:BEGIN(?:\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED))?|COMMIT|ROLLBACK)\s*['"`;]/],
  ['PRAGMA', /\bPRAGMA\b|\.pragma\(/],
  ['a prepared statement', /\.prepare\(\s*['"`]|\.prepare\(\s*[A-Z_]+\s*[,)]/],
  ['exec of SQL', /\.exec\(\s*['"`]/],
  ['a driver transaction', /\bdb\.transaction\(/],
];

/** Comments may talk about SQL; code may not. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function sqlOutsideStore(root: string): string[] {
  const offenders: string[] = [];
  for (const file of sourceFiles(root)) {
    const name = relative(root, file);
    if (name.startsWith(`store/`)) continue;
    const lines = withoutComments(readFileSync(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      for (const [what, pattern] of SQL_PATTERNS) {
        if (pattern.test(line)) offenders.push(`${name}:${i + 1} ${what}: ${line.trim().slice(0, 100)}`);
      }
    });
  }
  return offenders;
}

describe('SQL boundary', () => {
  it('finds no SQL in src/ outside src/store/', () => {
    expect(sqlOutsideStore(SRC)).toEqual([]);
  });

  it('would notice SQL written elsewhere (the patterns match what the store writes)', () => {
    const store = join(SRC, 'store');
    const found = sourceFiles(store).flatMap((file) =>
      withoutComments(readFileSync(file, 'utf8'))
        .split('\n')
        .filter((line) => SQL_PATTERNS.some(([, p]) => p.test(line))),
    );
    // Every kind of statement the store runs is caught by some pattern.
    for (const [what, sample] of [
      ['SELECT … FROM', 'SELECT * FROM files'],
      ['INSERT INTO', 'INSERT INTO models'],
      ['UPDATE … SET', 'UPDATE files SET'],
      ['DELETE FROM', 'DELETE FROM pipeline_lock'],
      ['CREATE/DROP', 'CREATE TABLE models'],
      ['PRAGMA', "db.pragma('busy_timeout = 5')"],
      ['transaction control', "db.exec('BEGIN IMMEDIATE')"],
      ['a driver transaction', 'db.transaction(() => 1)'],
    ] as const) {
      expect(
        SQL_PATTERNS.some(([name, p]) => name === what && p.test(sample)),
        what,
      ).toBe(true);
    }
    expect(found.length).toBeGreaterThan(20);
  });
});
