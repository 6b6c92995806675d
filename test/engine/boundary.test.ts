import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('engine boundary', () => {
  it('imports nothing from the rest of Loupe (only its own files and Node built-ins)', () => {
    const dir = join(import.meta.dirname, '../../src/engine');
    const offenders: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
        const target = m[1];
        if (!(target.startsWith('./') || target.startsWith('node:'))) offenders.push(`${file} → ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
