/**
 * Validation of one diamond from untrusted values (CSV text, JSON numbers, form fields).
 * Never throws: every input ends as a valid stone or a list of problems, each naming the field,
 * what was wrong, what is allowed and, where a guess would repair it, what was probably meant.
 *
 * The one leniency policy, which every surface (the API, CSV ingestion, `loupe predict`, the web app) takes from here:
 * - A grade is matched whatever its letter case and spacing (`ideal`, ` very  good `, `g`): the value is used, and
 *   the validation lists it in `normalised` so the answer can say what was read (normalisationMessage).
 * - A number is never repaired: a decimal comma ("1,2"), a currency sign, a thousands separator or the field's own
 *   unit ("0.9 ct") is rejected with what was probably meant (numberHint), because "1,250" may be 1.25 or 1250 and a
 *   wrong guess moves a price; another unit ("0.9 mm" for carat) gets no guess.
 * - Nothing else is guessed: a near-miss grade (`Excelent`, GIA's `Excellent`) is rejected with a suggestion.
 */
import {
  APPRAISAL_FIELDS,
  FIELDS,
  FOUR_C_FIELDS,
  MEASUREMENT_FIELDS,
  STONE_FIELDS,
  describeRange,
  describeScale,
  type Appraisal,
  type AppraisalFieldName,
  type GradeField,
  type FourCs,
  type NumberField,
  type Stone,
  type StoneToValue,
} from './fields.js';
import { checkGeometry, expectedCarat } from './plausibility.js';
import { gradeHint } from './suggest.js';

export type ReasonCode =
  | 'missing'
  | 'not_a_number'
  | 'wrong_type'
  | 'out_of_range'
  | 'unknown_grade'
  | 'implausible_geometry'
  | 'duplicate'
  /** A CSV record whose fields cannot be matched to the header (too few or too many, or broken quoting). */
  | 'malformed_row';

export const REASON_CODES: readonly ReasonCode[] = [
  'missing',
  'not_a_number',
  'wrong_type',
  'out_of_range',
  'unknown_grade',
  'implausible_geometry',
  'duplicate',
  'malformed_row',
];

export interface Problem {
  /** The field at fault; geometry problems name every field involved, joined by commas. */
  field: string;
  code: ReasonCode;
  /** A sentence a person understands. */
  message: string;
  /** What is allowed, in words. */
  allowed?: string;
  /** What was probably meant, when a guess could repair the value (never applied automatically). */
  suggestion?: string;
}

/** A grade that was accepted after normalising its case or spaces. */
export interface Normalisation {
  field: AppraisalFieldName;
  /** The value as given. */
  from: string;
  /** The value used. */
  to: string;
}

/** What a normalisation did, in a sentence for the answer: `Cut "ideal" was read as Ideal.` */
export function normalisationMessage(n: Normalisation): string {
  return `${FIELDS[n.field].label} ${show(n.from)} was read as ${n.to} (grades are matched whatever their letter case and spacing).`;
}

export type Validation<T> =
  | { ok: true; value: T; normalised: Normalisation[] }
  | { ok: false; problems: Problem[]; normalised: Normalisation[] };

const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;
const THOUSANDS_COMMA = /^\d{1,3}(,\d{3})+(\.\d+)?$/;
const CURRENCY = /^\s*(US\$|USD|\$|€|£)\s*|\s*(USD|\$)\s*$/i;

export interface NumberRule {
  /** Whole numbers only. */
  whole?: boolean;
  /** The smallest allowed. */
  min?: number;
  /** Allowed only above this (a limit of 0 would mean nothing). */
  above?: number;
  /** The largest allowed. */
  max?: number;
}

/**
 * The number `text` spells (surrounding spaces ignored) if it is a plain decimal — an optional sign, digits with an
 * optional point, an optional exponent, as rows write numbers; not the other forms Number() takes (hex 0x1F,
 * binary, octal, "Infinity", blank text) — that keeps `rule`, else undefined: the caller says what is allowed,
 * naming the option or variable the text came from (the CLI's options, the pipeline's environment).
 */
export function plainNumber(text: string, rule: NumberRule = {}): number | undefined {
  const trimmed = text.trim();
  if (!PLAIN_NUMBER.test(trimmed)) return undefined;
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return undefined;
  if (rule.whole && !Number.isInteger(n)) return undefined;
  if (rule.min !== undefined && n < rule.min) return undefined;
  if (rule.above !== undefined && !(n > rule.above)) return undefined;
  if (rule.max !== undefined && n > rule.max) return undefined;
  // "-0" is 0: a seed or a count written so is no different
  return n === 0 ? 0 : n;
}

/** What each field allows, in words: built once, as validation runs per row of files of millions of rows. */
const ALLOWED = Object.fromEntries(
  APPRAISAL_FIELDS.map((name) => {
    const f = FIELDS[name];
    return [name, f.kind === 'number' ? `a number from ${describeRange(f)}` : `one of ${describeScale(f)}`];
  }),
) as Record<AppraisalFieldName, string>;

type FieldResult<T> = { ok: true; value: T; normalised?: Normalisation } | { ok: false; problem: Problem };

function show(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  try {
    const text = JSON.stringify(raw);
    return text === undefined ? String(raw) : text.length > 40 ? `${text.slice(0, 40)}…` : text;
  } catch {
    return typeof raw;
  }
}

function isMissing(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}

function missing(f: { name: string; label: string }, allowed: string): Problem {
  return { field: f.name, code: 'missing', message: `${f.label} is missing.`, allowed };
}

/** What a number written as malformed text most likely meant ("1,2" → 1.2), if one reading is clear; never applied. */
export function numberHint(f: NumberField, text: string): string | undefined {
  const t = text.trim();
  if (CURRENCY.test(t)) {
    const stripped = t.replace(CURRENCY, '').replace(/,/g, '');
    if (PLAIN_NUMBER.test(stripped)) return `${stripped} (without the currency sign)`;
  }
  if (f.name === 'price' && THOUSANDS_COMMA.test(t)) return `${t.replace(/,/g, '')} (without the thousands separator)`;
  if (DECIMAL_COMMA.test(t)) return `${t.replace(',', '.')} (with a decimal point instead of a comma)`;
  // The field's own unit, as shown beside its box ("0.9 ct", "57 %", "6.2mm"); the number is written plainly ("0.9").
  const bare = t.toLowerCase().endsWith(f.unit.toLowerCase()) ? t.slice(0, -f.unit.length).trimEnd() : '';
  const meant = Number(DECIMAL_COMMA.test(bare) ? bare.replace(',', '.') : PLAIN_NUMBER.test(bare) ? bare : NaN);
  if (!Number.isFinite(meant)) return undefined;
  const comma = DECIMAL_COMMA.test(bare) ? 'with a decimal point instead of a comma, ' : '';
  return `${meant} (${comma}without the unit "${f.unit}")`;
}

/** 10^0 … 10^15, each exact in a double. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The value of a text that is digits with at most one decimal point (and at least one digit), else NaN: what almost
 * every number of a CSV file looks like. Such a text is a PLAIN_NUMBER with nothing to trim, so the careful path
 * would read it with Number(); this reads it in the same pass as the check. With at most 15 digits the digits make
 * an exact whole number and 10^decimals is exact, so their quotient, rounded once by the division, is the nearest
 * double to the decimal: exactly what Number() returns. Longer texts are left to Number().
 */
function plainDecimalValue(text: string): number {
  const n = text.length;
  if (n === 0 || n > 32) return NaN;
  let whole = 0;
  let digits = 0;
  let point = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      whole = whole * 10 + (c - 48);
      digits += 1;
    } else if (c === 46 && point === -1) point = i;
    else return NaN;
  }
  if (digits === 0) return NaN;
  if (digits > 15) return Number(text);
  // 15 digits at most, so the index is 0..15
  return point === -1 ? whole : whole / POWERS_OF_TEN[n - 1 - point]!;
}

function parseNumber(
  f: NumberField,
  raw: unknown,
  stone: Partial<Record<AppraisalFieldName, unknown>>,
): FieldResult<number> {
  const plain = typeof raw === 'string' ? plainDecimalValue(raw) : NaN;
  if (plain === plain) {
    const value = plain;
    if (value < f.min || value > f.max) return { ok: false, problem: outOfRange(f, value, stone) };
    return { ok: true, value };
  }
  const allowed = ALLOWED[f.name];
  if (isMissing(raw)) return { ok: false, problem: missing(f, allowed) };
  let value: number;
  if (typeof raw === 'number') {
    value = raw;
    if (!Number.isFinite(value)) {
      // JSON.parse reads 1e309 as Infinity (which JSON itself cannot write): say what was wrong, not "null".
      const message = Number.isNaN(value)
        ? `${f.label} is not a number.`
        : `${f.label} is too large to be a number (beyond ±1.8e308).`;
      return { ok: false, problem: { field: f.name, code: 'not_a_number', message, allowed } };
    }
  } else if (typeof raw === 'string') {
    const text = raw.trim();
    if (!PLAIN_NUMBER.test(text)) {
      const suggestion = numberHint(f, text);
      const message = suggestion
        ? `${f.label} ${show(raw)} is not a number; probably meant ${suggestion}.`
        : `${f.label} ${show(raw)} is not a number.`;
      return {
        ok: false,
        problem: { field: f.name, code: 'not_a_number', message, allowed, ...(suggestion ? { suggestion } : {}) },
      };
    }
    value = Number(text);
    if (!Number.isFinite(value)) {
      return {
        ok: false,
        problem: {
          field: f.name,
          code: 'not_a_number',
          message: `${f.label} ${show(raw)} is too large to be a number.`,
          allowed,
        },
      };
    }
  } else {
    return {
      ok: false,
      problem: {
        field: f.name,
        code: 'wrong_type',
        message: `${f.label} must be a number, not ${show(raw)}.`,
        allowed,
      },
    };
  }
  if (value < f.min || value > f.max) return { ok: false, problem: outOfRange(f, value, stone) };
  return { ok: true, value };
}

/**
 * A raw value as a number when it is a number or a text, else NaN. The type is checked first: Number() of an
 * object calls its own toString/valueOf, which may be anything (`{"toString": false}` makes Number() throw).
 */
function numberOrNaN(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  return typeof raw === 'string' ? Number(raw) : NaN;
}

function outOfRange(f: NumberField, value: number, stone: Partial<Record<AppraisalFieldName, unknown>>): Problem {
  const allowed = `a number from ${describeRange(f)}`;
  const base = { field: f.name, code: 'out_of_range' as const, allowed };
  if (f.name === 'price' && value <= 0) {
    return {
      ...base,
      message: `Price ${value} is a placeholder, not an appraisal; a price must be at least ${f.min} USD.`,
    };
  }
  if ((f.name === 'x' || f.name === 'y' || f.name === 'z') && value === 0) {
    return { ...base, message: `${f.label} is 0 mm, which means it was not measured; allowed is ${describeRange(f)}.` };
  }
  if (f.name === 'carat' && value > f.max) {
    const fromSize = expectedCarat(numberOrNaN(stone.x), numberOrNaN(stone.y), numberOrNaN(stone.z));
    const points = value / 100;
    if (fromSize !== undefined && Math.abs(points / fromSize - 1) < 0.3) {
      const suggestion = `${points} ct (typed in points: 100 points = 1 carat)`;
      return {
        ...base,
        message: `Carat ${value} is out of range; the stone's measurements suggest about ${fromSize.toFixed(2)} ct, so it was probably meant as ${suggestion}.`,
        suggestion,
      };
    }
  }
  return { ...base, message: `${f.label} ${value} ${f.unit} is out of range; allowed is ${describeRange(f)}.` };
}

/**
 * A grade as the one leniency policy reads it: the exact code, or the code whatever its letter case and spacing
 * (then with the normalisation to report); undefined when it is not a grade of the field's scale.
 */
export function readGrade(f: GradeField, raw: string): { code: string; normalised?: Normalisation } | undefined {
  for (const g of f.scale) if (g.code === raw) return { code: g.code };
  const folded = raw.trim().replace(/\s+/g, ' ').toLowerCase();
  const match = f.scale.find((g) => g.code.toLowerCase() === folded);
  return match && { code: match.code, normalised: { field: f.name, from: raw, to: match.code } };
}

function parseGrade<T extends string>(f: GradeField, raw: unknown): FieldResult<T> {
  const allowed = ALLOWED[f.name];
  if (isMissing(raw)) return { ok: false, problem: missing(f, allowed) };
  if (typeof raw !== 'string') {
    return {
      ok: false,
      problem: {
        field: f.name,
        code: 'wrong_type',
        message: `${f.label} must be a grade name, not ${show(raw)}.`,
        allowed,
      },
    };
  }
  const read = readGrade(f, raw);
  if (read) return { ok: true, value: read.code as T, ...(read.normalised ? { normalised: read.normalised } : {}) };
  const hint = gradeHint(f, raw);
  const note = hint.note ? ` ${hint.note}` : hint.suggestion ? ` Probably meant ${hint.suggestion}.` : '';
  return {
    ok: false,
    problem: {
      field: f.name,
      code: 'unknown_grade',
      message: `${f.label} ${show(raw)} is not a known grade.${note} Allowed: ${describeScale(f)}.`,
      allowed,
      ...(hint.suggestion ? { suggestion: hint.suggestion } : {}),
    },
  };
}

function validateFields<T extends FourCs>(
  raw: Partial<Record<AppraisalFieldName, unknown>>,
  names: readonly AppraisalFieldName[],
): Validation<T> {
  const problems: Problem[] = [];
  const normalised: Normalisation[] = [];
  const value: Record<string, unknown> = {};
  for (const name of names) {
    const f = FIELDS[name];
    const result = f.kind === 'number' ? parseNumber(f, raw[name], raw) : parseGrade(f, raw[name]);
    if (result.ok) {
      value[name] = result.value;
      if (result.normalised) normalised.push(result.normalised);
    } else {
      problems.push(result.problem);
    }
  }
  if (problems.length === 0 && names.includes('x')) problems.push(...checkGeometry(value as unknown as Stone));
  return problems.length === 0 ? { ok: true, value: value as T, normalised } : { ok: false, problems, normalised };
}

function asRecord(raw: unknown): Partial<Record<AppraisalFieldName, unknown>> {
  return typeof raw === 'object' && raw !== null ? (raw as Partial<Record<AppraisalFieldName, unknown>>) : {};
}

/** Validates the nine characteristics of a stone (what a valuation needs). */
export function validateStone(raw: unknown): Validation<Stone> {
  return validateFields<Stone>(asRecord(raw), STONE_FIELDS);
}

const MEASUREMENT_NAMES = MEASUREMENT_FIELDS.join(', ');

/**
 * Validates what a valuation takes: the 4Cs, and the five measurements all or none. With none of them the stone is
 * valued from its 4Cs alone; with some but not all, each one left out is reported missing, saying so.
 */
export function validateStoneToValue(raw: unknown): Validation<StoneToValue> {
  const record = asRecord(raw);
  if (MEASUREMENT_FIELDS.every((name) => isMissing(record[name]))) return validateFields<FourCs>(record, FOUR_C_FIELDS);
  const validation = validateFields<Stone>(record, STONE_FIELDS);
  if (validation.ok) return validation;
  const problems = validation.problems.map((p) =>
    p.code === 'missing' && (MEASUREMENT_FIELDS as readonly string[]).includes(p.field)
      ? {
          ...p,
          message: `${FIELDS[p.field as keyof Stone].label} is missing: give all five measurements (${MEASUREMENT_NAMES}) or none, to value the stone from its 4Cs alone.`,
        }
      : p,
  );
  return { ok: false, problems, normalised: validation.normalised };
}

/** Validates a stone and its appraised price (what training data needs). */
export function validateAppraisal(raw: unknown): Validation<Appraisal> {
  const record = asRecord(raw);
  return acceptPlainAppraisal(record) ?? validateFields<Appraisal>(record, APPRAISAL_FIELDS);
}

/** validateAppraisal without its shortcut for plain rows: for tests that check the two agree on every input. */
export function validateAppraisalGenerally(raw: unknown): Validation<Appraisal> {
  return validateFields<Appraisal>(asRecord(raw), APPRAISAL_FIELDS);
}

/** A number field's value when its text is plain digits within range (what parseNumber accepts first), else NaN. */
function plainInRange(f: NumberField, raw: unknown): number {
  if (typeof raw !== 'string') return NaN;
  const value = plainDecimalValue(raw);
  return value < f.min || value > f.max ? NaN : value;
}

/** A grade field's code when the text is exactly one (what parseGrade accepts first), else undefined. */
function exactGrade<T extends string>(f: GradeField, raw: unknown): T | undefined {
  for (const g of f.scale) if (g.code === raw) return g.code as T;
  return undefined;
}

/**
 * The common row, accepted without the general machinery: every number plain digits within range, every grade
 * exactly a code, the geometry plausible. Each check is the first branch of the general path, so the result is the
 * one validateFields gives (the same value, its fields in the same order, nothing normalised); any other row gets
 * undefined and goes the general way, which says what is wrong. Files of millions of rows are almost all such rows.
 */
function acceptPlainAppraisal(raw: Partial<Record<AppraisalFieldName, unknown>>): Validation<Appraisal> | undefined {
  const carat = plainInRange(FIELDS.carat, raw.carat);
  const cut = exactGrade<Appraisal['cut']>(FIELDS.cut, raw.cut);
  const color = exactGrade<Appraisal['color']>(FIELDS.color, raw.color);
  const clarity = exactGrade<Appraisal['clarity']>(FIELDS.clarity, raw.clarity);
  const depth = plainInRange(FIELDS.depth, raw.depth);
  const table = plainInRange(FIELDS.table, raw.table);
  const price = plainInRange(FIELDS.price, raw.price);
  const x = plainInRange(FIELDS.x, raw.x);
  const y = plainInRange(FIELDS.y, raw.y);
  const z = plainInRange(FIELDS.z, raw.z);
  // NaN fails every comparison: a field that was not plain fails here.
  if (!(carat >= 0 && depth >= 0 && table >= 0 && price >= 0 && x >= 0 && y >= 0 && z >= 0)) return undefined;
  if (cut === undefined || color === undefined || clarity === undefined) return undefined;
  const value: Appraisal = { carat, cut, color, clarity, depth, table, price, x, y, z };
  if (checkGeometry(value).length > 0) return undefined;
  return { ok: true, value, normalised: [] };
}
