/**
 * What-if changes: one characteristic moved one notch (a grade up or down, carat ±0.1), the others kept.
 * A heavier stone is a bigger stone, so a carat change scales x, y and z by the cube root of the weight ratio
 * (depth % and table % are ratios and stay): the stone stays physically plausible and the model sees a real stone.
 * A stone given by its 4Cs alone stays so: only its carat moves.
 */
import { CLARITIES, COLORS, CUTS } from '../../../src/diamond/grades.js';
import { FIELDS, hasMeasurements, STONE_FIELDS, type Stone, type StoneToValue } from '../../../src/diamond/fields.js';

export type WhatIfField = 'carat' | 'cut' | 'color' | 'clarity';

export const WHAT_IF_FIELDS: readonly WhatIfField[] = ['carat', 'cut', 'color', 'clarity'];

export const CARAT_STEP = 0.1;

const SCALES = { cut: CUTS, color: COLORS, clarity: CLARITIES } as const;

const round2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * The stone with one characteristic moved by `direction` notches, or undefined when that leaves the scale. A carat
 * step stops at `maxCarat`, the served model's limit (GET /v1/models/current), when known, else at the schema's.
 */
export function nudge<S extends StoneToValue>(
  stone: S,
  name: WhatIfField,
  direction: 1 | -1,
  maxCarat: number = FIELDS.carat.max,
): S | undefined {
  if (name === 'carat') {
    const carat = round2(stone.carat + direction * CARAT_STEP);
    if (carat < FIELDS.carat.min || carat > Math.min(maxCarat, FIELDS.carat.max)) return undefined;
    if (!hasMeasurements(stone)) return { ...stone, carat };
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
  return next === undefined ? undefined : { ...stone, [name]: next };
}

/** "VS2 → VS1" or "0.9 → 1 ct": how a what-if stone differs from the base, field by field. */
export function differences(
  base: StoneToValue,
  changed: StoneToValue,
): { field: keyof Stone; from: string; to: string }[] {
  const out: { field: keyof Stone; from: string; to: string }[] = [];
  const a: Partial<Stone> = base;
  const b: Partial<Stone> = changed;
  for (const f of STONE_FIELDS) {
    if (a[f] !== b[f]) out.push({ field: f, from: String(a[f]), to: String(b[f]) });
  }
  return out;
}
