/**
 * The published 80/20 split of the reference file: the 0-based data-row numbers of its test rows
 * (diamonds.reference-split.txt, one number a line, `#` comments). Matches ReadRow.dataRow.
 */
import { readFileSync } from 'node:fs';

export function readReferenceSplit(path: string): number[] {
  const rows: number[] = [];
  readFileSync(path, 'utf8').split(/\r?\n/).forEach((text, i) => {
    const line = text.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!/^\d+$/.test(line)) throw new Error(`${path}, line ${i + 1}: "${line}" is not a row number`);
    rows.push(Number(line));
  });
  return rows;
}
