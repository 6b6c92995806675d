/**
 * What-if changes: one characteristic moved one notch (a grade up or down, carat ±0.1), the others kept.
 * A heavier stone is a bigger stone, so a carat change scales x, y and z by the cube root of the weight ratio
 * (depth % and table % are ratios and stay): the stone stays physically plausible and the model sees a real stone.
 */
import { CLARITIES, COLORS, CUTS } from '../../../src/diamond/grades.js';
import { FIELDS } from '../../../src/diamond/fields.js';
import type { Stone } from '../../../src/diamond/fields.js';

export type WhatIfField = 'carat' | 'cut' | 'color' | 'clarity';

export const WHAT_IF_FIELDS: readonly WhatIfField[] = ['carat', 'cut', 'color', 'clarity'];

export const CARAT_STEP = 0.1;

const SCALES = { cut: CUTS, color: COLORS, clarity: CLARITIES } as const;

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** The stone with one characteristic moved by `direction` notches, or undefined when that leaves the scale. */
export function nudge(stone: Stone, name: WhatIfField, direction: 1 | -1): Stone | undefined {
  if (name === 'carat') {
    const carat = round2(stone.carat + direction * CARAT_STEP);
    if (carat < FIELDS.carat.min || carat > FIELDS.carat.max) return undefined;
    const scale = Math.cbrt(carat / stone.carat);
    const x = round2(stone.x * scale);
    const y = round2(stone.y * scale);
    const z = round2(stone.z * scale);
    for (const [f, v] of [
      ['x', x],
      ['y', y],
      ['z', z],
    ] as const) {
      if (v < FIELDS[f].min || v > FIELDS[f].max) return undefined;
    }
    return { ...stone, carat, x, y, z };
  }
  const scale: readonly string[] = SCALES[name];
  const next = scale[scale.indexOf(stone[name]) + direction];
  return next === undefined ? undefined : ({ ...stone, [name]: next } as Stone);
}

/** "VS2 → VS1" or "0.9 → 1 ct": how a what-if stone differs from the base, field by field. */
export function differences(base: Stone, changed: Stone): { field: keyof Stone; from: string; to: string }[] {
  const out: { field: keyof Stone; from: string; to: string }[] = [];
  for (const f of ['carat', 'cut', 'color', 'clarity', 'depth', 'table', 'x', 'y', 'z'] as const) {
    if (base[f] !== changed[f]) out.push({ field: f, from: String(base[f]), to: String(changed[f]) });
  }
  return out;
}
