/**
 * Every Mermaid diagram in docs/cloud parses with Mermaid itself (as GitHub renders it), and the design has the
 * diagrams the issue asks for. Mermaid needs a DOM; jsdom gives it one in this test process only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';

const docs = fileURLToPath(new URL('../../docs/cloud/', import.meta.url));
const diagrams = readdirSync(docs)
  .filter((f) => f.endsWith('.md'))
  .flatMap((f) =>
    [...readFileSync(join(docs, f), 'utf8').matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m, i) => ({
      file: f,
      index: i,
      text: m[1]!,
    })),
  );

let parse: (text: string) => Promise<unknown>;

beforeAll(async () => {
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  Object.assign(globalThis, {
    window: dom.window,
    document: dom.window.document,
    DOMParser: dom.window.DOMParser,
    Element: dom.window.Element,
    HTMLElement: dom.window.HTMLElement,
  });
  const { default: mermaid } = await import('mermaid');
  mermaid.initialize({ startOnLoad: false });
  parse = (text) => mermaid.parse(text);
});

describe('cloud design diagrams', () => {
  it('covers landing, orchestration, registry and approval, serving, monitoring and retraining triggers', () => {
    const byFile = (f: string) => diagrams.filter((d) => d.file === f).length;
    expect(byFile('training.md')).toBeGreaterThanOrEqual(3); // landing and validation, orchestration, registry and approval
    expect(byFile('serving.md')).toBeGreaterThanOrEqual(1);
    expect(byFile('monitoring.md')).toBeGreaterThanOrEqual(1);
  });

  it.each(diagrams.map((d) => [`${d.file} #${d.index + 1}`, d.text] as const))('%s parses', async (_name, text) => {
    await expect(parse(text)).resolves.toBeTruthy();
  });
});
