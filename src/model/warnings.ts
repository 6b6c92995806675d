/**
 * Every warning a valuation can carry: one code per cause, stable (clients may switch on them), each with what it
 * means. This is the one list: the OpenAPI document publishes it, the web app shows the warnings beside the price.
 * A cause gives one warning however many fields it concerns (the warning names them all).
 */
export const WARNING_CODES = {
  outside_training_range:
    'One or more characteristics lie outside the range of the stones the model learned from; `field` names them all (comma-separated). The price is an extrapolation.',
  above_price_ceiling:
    'The price is above the highest price among the stones the model learned from: their prices stop there (the data show a ceiling), so this price carries the trend in carat past what the data show and may be far off. The message gives both prices.',
  thin_support:
    'Few training stones are comparable to this one (support.comparableStones); the range is calibrated for such stones and is wider.',
  measurements_missing:
    'The stone was valued from its 4Cs alone (no depth, table, x, y, z): typical proportions for its weight were assumed, and the range is calibrated for such stones and wider. The message says by how much, as measured.',
  normalised:
    'A grade was given in another letter case or spacing (`ideal`, `g`) and read as the grade of the scale: `field` names it, `given` is the value as sent, `used` the grade used. Numbers are never repaired (a decimal comma is a 400 with a suggestion).',
  range_withheld:
    'Loupe gives no range (range is null): the stone is beyond the data, or a 90% range would span more than 4× from low to high. The message says which.',
} as const satisfies Record<string, string>;

export type WarningCode = keyof typeof WARNING_CODES;
export const WARNING_CODE_LIST = Object.keys(WARNING_CODES) as WarningCode[];
