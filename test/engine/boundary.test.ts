import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('engine boundary', () => {
  it('imports nothing from the rest of Loupe (only its own files, in any of its folders, and Node built-ins)', () => {
    const dir = join(import.meta.dirname, '../../src/engine');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files).toContain(join('shap', 'index.ts'));
    const offenders: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
        const target = m[1];
        const inside = target.startsWith('.') && !relative(dir, resolve(dir, dirname(file), target)).startsWith('..');
        if (!(inside || target.startsWith('node:'))) offenders.push(`${file} → ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
