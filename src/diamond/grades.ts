/**
 * The three ordinal grade scales, worst to best, each grade with a one-line explanation a client understands.
 * The position in the scale is the grade's rank (0 = worst); models and monotone constraints rely on that order.
 */

export interface Grade<Code extends string = string> {
  readonly code: Code;
  readonly meaning: string;
}

export const CUT_GRADES = [
  { code: 'Fair', meaning: 'Cut lets noticeable light escape; the stone looks less lively.' },
  { code: 'Good', meaning: 'Cut returns much of the light; a sound, economical choice.' },
  {
    code: 'Very Good',
    meaning: 'Cut returns most of the light; bright, with small departures from ideal proportions.',
  },
  { code: 'Premium', meaning: 'Cut close to ideal proportions; very bright and lively.' },
  { code: 'Ideal', meaning: 'Best cut: proportions that return the most light and sparkle.' },
] as const satisfies readonly Grade[];

export const COLOR_GRADES = [
  { code: 'J', meaning: 'Near colourless: a faint warm tint visible to a trained eye.' },
  { code: 'I', meaning: 'Near colourless: a slight tint, hard to see once set.' },
  { code: 'H', meaning: 'Near colourless: appears white to most people.' },
  { code: 'G', meaning: 'Near colourless: tint visible only side by side with better grades.' },
  { code: 'F', meaning: 'Colourless: tint detectable only by an expert.' },
  { code: 'E', meaning: 'Colourless: minute traces of colour, seen only by an expert with instruments.' },
  { code: 'D', meaning: 'Colourless: the highest, rarest colour grade.' },
] as const satisfies readonly Grade[];

export const CLARITY_GRADES = [
  { code: 'I1', meaning: 'Included: inclusions visible under 10× and possibly to the naked eye.' },
  { code: 'SI2', meaning: 'Slightly included: inclusions easy to see under 10×, sometimes to the eye.' },
  { code: 'SI1', meaning: 'Slightly included: inclusions noticeable under 10×, rarely to the eye.' },
  { code: 'VS2', meaning: 'Very slightly included: minor inclusions, somewhat easy to see under 10×.' },
  { code: 'VS1', meaning: 'Very slightly included: minor inclusions, difficult to see under 10×.' },
  { code: 'VVS2', meaning: 'Very, very slightly included: tiny inclusions, very difficult to see under 10×.' },
  { code: 'VVS1', meaning: 'Very, very slightly included: tiny inclusions, extremely difficult to see under 10×.' },
  { code: 'IF', meaning: 'Internally flawless: no inclusions visible under 10×.' },
] as const satisfies readonly Grade[];

export type Cut = (typeof CUT_GRADES)[number]['code'];
export type Color = (typeof COLOR_GRADES)[number]['code'];
export type Clarity = (typeof CLARITY_GRADES)[number]['code'];

export const CUTS: readonly Cut[] = CUT_GRADES.map((g) => g.code);
export const COLORS: readonly Color[] = COLOR_GRADES.map((g) => g.code);
export const CLARITIES: readonly Clarity[] = CLARITY_GRADES.map((g) => g.code);

/** Rank of a grade in its scale, 0 = worst. */
export function gradeRank(scale: readonly string[], code: string): number {
  const rank = scale.indexOf(code);
  if (rank < 0) throw new RangeError(`"${code}" is not one of ${scale.join(', ')}`);
  return rank;
}
