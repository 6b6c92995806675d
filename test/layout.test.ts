/**
 * The layout the README promises: the import arrows between the folders of src/ (read from the README's "Imports
 * run one way" paragraph, so the two cannot drift apart), what the web app may import, and files of at most 450
 * lines in src/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const MAX_LINES = 450;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => join(dir, f));
}

const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** The modules a file imports by a relative path (static, re-exports, side effects, dynamic), resolved. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

/** The arrows of the README's paragraph: folder → the folders it may import. */
function readmeArrows(readme: string): Map<string, Set<string>> {
  const start = readme.indexOf('Imports run one way:');
  const end = readme.indexOf('No circles', start);
  if (start < 0 || end < 0) throw new Error('README: the "Imports run one way: … No circles" paragraph is missing');
  const arrows = new Map<string, Set<string>>();
  const text = readme.slice(start + 'Imports run one way:'.length, end).replace(/\s+/g, ' ');
  for (const clause of text.split(';')) {
    const m = /^\s*([a-z]+) → (.*?)\.?\s*$/.exec(clause.replace(/\([^)]*\)/g, ''));
    if (!m) throw new Error(`README: cannot read the arrow "${clause.trim()}"`);
    const targets = m[2].trim().startsWith('nothing') ? [] : m[2].split(',').map((t) => t.trim());
    arrows.set(m[1], new Set(targets));
  }
  return arrows;
}

const arrows = readmeArrows(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const folders = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory());

describe('layout', () => {
  it('the README gives every folder of src/ its arrows, to folders that exist, with no circle', () => {
    expect([...arrows.keys()].sort()).toEqual([...folders].sort());
    for (const [from, targets] of arrows) for (const to of targets) expect(folders, `${from} → ${to}`).toContain(to);
    // depth-first search for a cycle
    const state = new Map<string, 'open' | 'done'>();
    const visit = (folder: string, path: string[]): void => {
      if (state.get(folder) === 'done') return;
      if (state.get(folder) === 'open') throw new Error(`the arrows go round: ${[...path, folder].join(' → ')}`);
      state.set(folder, 'open');
      for (const to of arrows.get(folder) ?? []) visit(to, [...path, folder]);
      state.set(folder, 'done');
    };
    for (const folder of folders) visit(folder, []);
  });

  it('every import between the folders of src/ follows an arrow, and src/ imports no other code of the repository', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = relative(SRC, file).split(sep)[0];
      for (const target of relativeImports(file)) {
        const inside = relative(SRC, target);
        if (inside.startsWith('..')) {
          // data files beside the code (package.json for the version) are not code of another part
          if (!target.endsWith('.json'))
            offenders.push(`${relative(ROOT, file)} → ${relative(ROOT, target)} (outside src/)`);
          continue;
        }
        const to = inside.split(sep)[0];
        if (to !== from && !arrows.get(from)?.has(to))
          offenders.push(`${relative(ROOT, file)} → ${relative(ROOT, target)} (${from} → ${to} is no arrow)`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the web app imports only itself, src/diamond and the client', () => {
    const allowed = [join(ROOT, 'web'), join(SRC, 'diamond'), join(ROOT, 'client')];
    const offenders: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'web', 'src'))) {
      for (const target of relativeImports(file)) {
        if (!allowed.some((dir) => target.startsWith(dir + sep)))
          offenders.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it(`every file of src/ has at most ${MAX_LINES} lines`, () => {
    const long = sourceFiles(SRC)
      .map((file) => ({ file: relative(ROOT, file), lines: lineCount(readFileSync(file, 'utf8')) }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});
