/**
 * THE diamond schema: every field once, with its unit, limits and words for people.
 * CSV validation, database constraints, API schemas, the OpenAPI document and the web form all read this table.
 */
import { CLARITY_GRADES, COLOR_GRADES, CUT_GRADES, type Clarity, type Color, type Cut, type Grade } from './grades.js';

export interface NumberField {
  readonly kind: 'number';
  readonly name: NumberFieldName;
  readonly label: string;
  readonly unit: string;
  readonly description: string;
  /** Smallest allowed value (inclusive). */
  readonly min: number;
  /** Largest allowed value (inclusive). */
  readonly max: number;
  /** Decimal places a person types; the web form's step is 10^-decimals. */
  readonly decimals: number;
  readonly example: number;
  /**
   * A measurement (depth, table, x, y, z): optional in a valuation, all five or none. Without them a stone is valued
   * from its 4Cs alone, with a wider range calibrated for such stones. Training data always needs them.
   */
  readonly measurement?: true;
}

export interface GradeField {
  readonly kind: 'grade';
  readonly name: GradeFieldName;
  readonly label: string;
  readonly description: string;
  /** Worst to best. */
  readonly scale: readonly Grade[];
  readonly example: string;
}

export type Field = NumberField | GradeField;

/** The nine characteristics that describe a stone (what a valuation needs). */
export interface Stone {
  carat: number;
  cut: Cut;
  color: Color;
  clarity: Clarity;
  depth: number;
  table: number;
  x: number;
  y: number;
  z: number;
}

/** The five measurements: optional in a valuation (all or none), required in training data. */
export type MeasurementFieldName = 'depth' | 'table' | 'x' | 'y' | 'z';
/** A stone known only by its 4Cs: carat, cut, colour and clarity. */
export type FourCs = Omit<Stone, MeasurementFieldName>;
/** What a valuation takes: the nine characteristics, or the 4Cs alone (no measurement at all). */
export type StoneToValue = Stone | FourCs;

/** True when the stone carries its measurements (then all five: validation allows all or none). */
export function hasMeasurements(stone: StoneToValue): stone is Stone {
  return (stone as Partial<Stone>).depth !== undefined;
}

/**
 * What every price in Loupe is — the prices it learns from and the prices it gives — defined here once: the price
 * field's description, the model card and the API's model record (GET /v1/models/current) all show this.
 * The reference data and the new expert's batches are priced on the same basis (the data's README says so).
 */
export const PRICE_BASIS = {
  kind: 'appraised market value',
  currency: 'USD',
  dollarsOf: 2008,
  description:
    "An expert appraiser's market value of the stone in US dollars of 2008: the basis of the reference data's prices and of every batch Loupe learns from. Not a retail asking price, and not adjusted for inflation to today's dollars.",
} as const;

/**
 * The standard short text at the foot of a printed valuation (LOUPE_SHOP_DISCLAIMER replaces it). Here, beside the
 * price basis it must agree with, so the web app can print it when the server's copy cannot be read.
 */
export const DEFAULT_DISCLAIMER =
  "An estimate of the appraised market value of stones like this one, from Loupe's model of appraised diamonds and " +
  `the characteristics given above, in US dollars of ${PRICE_BASIS.dollarsOf} (see the price basis); not a grading ` +
  'certificate, an offer to buy or a guarantee of sale.';

/** A stone with the price an expert appraised it at (what training needs). */
export interface Appraisal extends Stone {
  price: number;
}

export type GradeFieldName = 'cut' | 'color' | 'clarity';
export type NumberFieldName = 'carat' | 'depth' | 'table' | 'x' | 'y' | 'z' | 'price';
export type StoneFieldName = keyof Stone;
export type AppraisalFieldName = keyof Appraisal;

export const FIELDS = {
  carat: {
    kind: 'number',
    name: 'carat',
    label: 'Carat',
    unit: 'ct',
    description: 'Weight of the stone in carats (1 carat = 200 mg).',
    min: 0.1,
    max: 10,
    decimals: 2,
    example: 0.9,
  },
  cut: {
    kind: 'grade',
    name: 'cut',
    label: 'Cut',
    description: 'Quality of the cut, worst to best: Fair, Good, Very Good, Premium, Ideal.',
    scale: CUT_GRADES,
    example: 'Ideal',
  },
  color: {
    kind: 'grade',
    name: 'color',
    label: 'Colour',
    description: 'Colour grade, worst to best: J, I, H, G, F, E, D (D is colourless, the best).',
    scale: COLOR_GRADES,
    example: 'G',
  },
  clarity: {
    kind: 'grade',
    name: 'clarity',
    label: 'Clarity',
    description: 'Clarity grade, worst to best: I1, SI2, SI1, VS2, VS1, VVS2, VVS1, IF.',
    scale: CLARITY_GRADES,
    example: 'VS2',
  },
  depth: {
    kind: 'number',
    name: 'depth',
    label: 'Depth',
    unit: '%',
    description: 'Total depth percentage: z / mean(x, y) × 100.',
    min: 40,
    max: 80,
    decimals: 1,
    example: 61.8,
    measurement: true,
  },
  table: {
    kind: 'number',
    name: 'table',
    label: 'Table',
    unit: '%',
    description: 'Width of the top facet relative to the widest point, in percent.',
    min: 40,
    max: 100,
    decimals: 1,
    example: 57,
    measurement: true,
  },
  x: {
    kind: 'number',
    name: 'x',
    label: 'Length (x)',
    unit: 'mm',
    description: 'Length of the stone in millimetres.',
    min: 1,
    max: 20,
    decimals: 2,
    example: 6.2,
    measurement: true,
  },
  y: {
    kind: 'number',
    name: 'y',
    label: 'Width (y)',
    unit: 'mm',
    description: 'Width of the stone in millimetres.',
    min: 1,
    max: 20,
    decimals: 2,
    example: 6.24,
    measurement: true,
  },
  z: {
    kind: 'number',
    name: 'z',
    label: 'Depth (z)',
    unit: 'mm',
    description: 'Height of the stone from table to culet in millimetres.',
    min: 0.5,
    max: 15,
    decimals: 2,
    example: 3.84,
    measurement: true,
  },
  price: {
    kind: 'number',
    name: 'price',
    label: 'Price',
    unit: 'USD',
    description: `Appraised market value in ${PRICE_BASIS.dollarsOf} US dollars.`,
    min: 1,
    max: 1_000_000,
    decimals: 0,
    example: 4200,
  },
} as const satisfies { [K in AppraisalFieldName]: Field & { name: K } };

/** The characteristics of a stone, in the order people read them and CSV files usually hold them. */
export const STONE_FIELDS: readonly StoneFieldName[] = [
  'carat',
  'cut',
  'color',
  'clarity',
  'depth',
  'table',
  'x',
  'y',
  'z',
];
/** The measurements, in STONE_FIELDS order: the fields the schema marks `measurement` (optional in a valuation). */
export const MEASUREMENT_FIELDS: readonly MeasurementFieldName[] = STONE_FIELDS.filter(
  (name): name is MeasurementFieldName => (FIELDS[name] as Field & { measurement?: true }).measurement === true,
);
/** The fields every valuation needs: the 4Cs. */
export const FOUR_C_FIELDS: readonly (keyof FourCs)[] = STONE_FIELDS.filter(
  (name): name is keyof FourCs => !(MEASUREMENT_FIELDS as readonly string[]).includes(name),
);
/** Every column of an appraisal file, in the reference file's order. */
export const APPRAISAL_FIELDS: readonly AppraisalFieldName[] = [
  'carat',
  'cut',
  'color',
  'clarity',
  'depth',
  'table',
  'price',
  'x',
  'y',
  'z',
];

export function field(name: AppraisalFieldName): Field {
  return FIELDS[name];
}

/** "40 to 80 %" — the allowed range of a number field, in words. */
export function describeRange(f: NumberField): string {
  return `${f.min} to ${f.max.toLocaleString('en-US')} ${f.unit}`;
}

/** "Fair, Good, Very Good, Premium, Ideal" — the allowed grades, worst to best. */
export function describeScale(f: GradeField): string {
  return f.scale.map((g) => g.code).join(', ');
}
