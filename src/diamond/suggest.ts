/**
 * "Did you mean": the one place that guesses what a near miss meant — a field name spelt another way (`colour`,
 * `Carat`, `claritiy`) or a grade written in another vocabulary (GIA's cut grade "Excellent"). Every surface
 * (the API, CSV ingestion, `loupe predict`, the web form) asks here, so they all suggest the same thing. A
 * suggestion is only ever said, never applied: the caller decides what it accepts.
 */
import type { GradeField } from './fields.js';

/** Other names people give the fields (British spelling, plurals, the trade's words), folded to lower case. */
const FIELD_SYNONYMS: Readonly<Record<string, string>> = {
  colour: 'color',
  carats: 'carat',
  weight: 'carat',
  ct: 'carat',
  'cut grade': 'cut',
  'color grade': 'color',
  'colour grade': 'color',
  'clarity grade': 'clarity',
  'depth %': 'depth',
  'depth percent': 'depth',
  'table %': 'table',
  'table percent': 'table',
  length: 'x',
  width: 'y',
};

/** Edit distance counting a swap of two neighbouring letters as one typo ("tabel"), stopping early past `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        current[j] = Math.min(current[j]!, before[j - 2]! + 1);
      best = Math.min(best, current[j]!);
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** A near-enough name among `names`: same letters in another case, a known synonym, or one or two typos. */
function nearest(text: string, names: readonly string[]): string | undefined {
  const folded = text
    .trim()
    .replace(/[\s_-]+/g, ' ')
    .toLowerCase();
  const exact = names.find((n) => n.toLowerCase() === folded);
  if (exact) return exact;
  // Short names (x, y, z, cut) only match on one typo when they are long enough to tell apart.
  const limit = folded.length >= 6 ? 2 : folded.length >= 4 ? 1 : 0;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const n of names) {
    const d = distance(folded, n.toLowerCase(), limit);
    if (d < bestDistance) {
      best = n;
      bestDistance = d;
    }
  }
  return best;
}

/** The field a name not in `fields` probably meant, if one is close: `colour` → color, `Carat` → carat. */
export function suggestField(name: string, fields: readonly string[]): string | undefined {
  const folded = name
    .trim()
    .replace(/[\s_-]+/g, ' ')
    .toLowerCase();
  const synonym = FIELD_SYNONYMS[folded];
  if (synonym && fields.includes(synonym)) return synonym;
  return nearest(name, fields);
}

/** A grade that is not on the scale, explained: what it probably meant, and a sentence that says why. */
export interface GradeHint {
  /** The grade of the scale it most likely means, when one is clear. */
  suggestion?: string;
  /** A sentence to add to the problem's message. */
  note?: string;
}

/** Cut grades of GIA's scale (Excellent … Poor), which this data's scale (Fair … Ideal) does not use. */
const GIA_CUTS: Readonly<Record<string, { to?: string; note: string }>> = {
  excellent: {
    to: 'Ideal',
    note: "GIA's cut grade Excellent is not on this data's scale (Fair, Good, Very Good, Premium, Ideal); the trade usually maps it to Ideal (or Premium for a stone just short of ideal proportions).",
  },
  ex: {
    to: 'Ideal',
    note: "EX (GIA's Excellent) is not on this data's scale (Fair, Good, Very Good, Premium, Ideal); the trade usually maps it to Ideal (or Premium).",
  },
  vg: { to: 'Very Good', note: 'VG is the trade abbreviation of Very Good.' },
  poor: {
    note: "GIA's cut grade Poor is below Fair, the lowest grade of this data's scale: Loupe does not appraise such stones.",
  },
};

/** What an unknown grade probably meant: a trade word, a colour below J, or a typo of a grade on the scale. */
export function gradeHint(f: GradeField, raw: string): GradeHint {
  const folded = raw.trim().replace(/\s+/g, ' ').toLowerCase();
  if (f.name === 'cut') {
    const gia = GIA_CUTS[folded];
    if (gia) return { ...(gia.to ? { suggestion: gia.to } : {}), note: gia.note };
  }
  if (f.name === 'color' && /^[k-z]$/.test(folded))
    return {
      note: `Grade ${folded.toUpperCase()} is below J: the data has no stones below J, so Loupe does not appraise them.`,
    };
  const near = nearest(
    folded,
    f.scale.map((g) => g.code),
  );
  return near ? { suggestion: near } : {};
}
