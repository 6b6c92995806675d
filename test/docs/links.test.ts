/**
 * Every relative link in docs/ (and the README, which links into it) points at a file that exists, and every
 * `#anchor` on a Markdown target names a heading of that file, as GitHub renders it. External links (a scheme
 * such as https:) are not fetched.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function markdownUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(root, dir, f));
}

/** Text outside fenced code blocks and inline code spans: links shown as code are examples, not links. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchor: lower case, punctuation dropped except '-' and '_', spaces to '-'. */
function slug(heading: string): string {
  return heading
    .trim()
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a Markdown file offers: its headings (repeated ones get -1, -2, …) and explicit ids. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1]!);
  return out;
}

/** Relative link targets in a Markdown file: inline links and images, and reference definitions. */
function relativeLinks(text: string): string[] {
  const body = prose(text);
  const targets = [
    ...[...body.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
    ...[...body.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]!),
  ];
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

function broken(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const problems: string[] = [];
  for (const link of relativeLinks(text)) {
    const [path = '', anchor] = link.split('#');
    const target = path === '' ? file : join(dirname(file), decodeURIComponent(path));
    if (!existsSync(target)) {
      problems.push(`${link}: no such file`);
      continue;
    }
    if (anchor && target.endsWith('.md') && statSync(target).isFile()) {
      if (!anchors(readFileSync(target, 'utf8')).has(anchor.toLowerCase())) {
        problems.push(`${link}: no heading #${anchor} in ${relative(root, target)}`);
      }
    }
  }
  return problems;
}

describe('relative links in the documentation', () => {
  const files = [...markdownUnder('docs'), join(root, 'README.md')];

  it('finds the documents and their links', () => {
    expect(files.length).toBeGreaterThan(10);
    const total = files.reduce((n, f) => n + relativeLinks(readFileSync(f, 'utf8')).length, 0);
    expect(total).toBeGreaterThan(50);
  });

  for (const file of files) {
    it(`every relative link in ${relative(root, file)} resolves`, () => {
      expect(broken(file)).toEqual([]);
    });
  }

  it('reports a missing file and a missing heading, and accepts what exists', () => {
    expect(anchors('# Where state lives\n## The shared database: RDS, Multi-AZ\n## Costs\n## Costs\n')).toEqual(
      new Set(['where-state-lives', 'the-shared-database-rds-multi-az', 'costs', 'costs-1']),
    );
    expect(relativeLinks('[a](state.md#x) [b](https://aws.amazon.com) `[c](nowhere.md)` ![d](img.png)')).toEqual([
      'state.md#x',
      'img.png',
    ]);
  });
});
